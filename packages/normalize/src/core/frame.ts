/** Frame kinds, as in the wire schema's FrameKind enum. */
export const FrameKind = Object.freeze({ WsText: 0, WsBinary: 1, RestResponse: 2 } as const);
export type FrameKindCode = (typeof FrameKind)[keyof typeof FrameKind];

/** The value of a query parameter in a request path (`/api/v3/depth?symbol=X&limit=5`), or undefined. */
export function queryParam(context: string | null, name: string): string | undefined {
  if (context === null) return undefined;
  const q = context.indexOf('?');
  if (q < 0) return undefined;
  const parts = context.slice(q + 1).split('&');
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key === name) {
      const raw = eq < 0 ? '' : part.slice(eq + 1);
      try {
        return decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

/** The path of a request context without scheme, host or query ("https://h/a/b?x" -> "/a/b"). */
export function requestPath(context: string | null): string {
  if (context === null) return '';
  let s = context;
  const scheme = s.indexOf('://');
  if (scheme >= 0) {
    const slash = s.indexOf('/', scheme + 3);
    s = slash < 0 ? '/' : s.slice(slash);
  }
  const q = s.indexOf('?');
  return q < 0 ? s : s.slice(0, q);
}
