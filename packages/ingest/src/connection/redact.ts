/**
 * Secrets out of URLs before they reach a log line, an error message or a page: user info
 * (`https://user:key@host`) and the values of query parameters whose names look like credentials
 * (`apiKey`, `token`, `secret`, `signature`, `passphrase`, `password`, `key`).
 */

const SECRET_PARAM = /^(api[-_]?key|apikey|key|token|access[-_]?token|secret|api[-_]?secret|signature|sig|passphrase|password|auth)$/i;
export const REDACTED = '[redacted]';

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL: strip anything that looks like user info or a credential parameter anyway.
    return url
      .replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`)
      .replace(/([?&][^=&\s]+=)[^&\s]*/g, (m, k: string) => (SECRET_PARAM.test(k.slice(1, -1)) ? `${k}${REDACTED}` : m));
  }
  if (u.username !== '' || u.password !== '') {
    u.username = REDACTED;
    u.password = '';
  }
  for (const k of [...u.searchParams.keys()]) if (SECRET_PARAM.test(k)) u.searchParams.set(k, REDACTED);
  return u.toString().replace(/%5Bredacted%5D/g, REDACTED);
}

/** Replaces every occurrence of each secret in `text` (secrets shorter than 4 characters are ignored). */
export function redactSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
  let out = text;
  for (const s of secrets) if (typeof s === 'string' && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/** The secret parts of a URL (password, user name, credential-looking query values), to scrub from other text. */
export function secretsOfUrl(url: string): string[] {
  try {
    const u = new URL(url);
    const out = [decodeURIComponent(u.password), decodeURIComponent(u.username)];
    for (const [k, v] of u.searchParams) if (SECRET_PARAM.test(k)) out.push(v);
    return out.filter((x) => x.length > 0);
  } catch {
    return [];
  }
}

/**
 * fetch() refuses URLs with user info: the URL without it, and the user info as an HTTP Basic
 * `authorization` header merged into `extra`.
 */
export function withCredentials(
  raw: string,
  extra?: Readonly<Record<string, string>>,
): { url: string; headers: Readonly<Record<string, string>> | undefined } {
  const u = new URL(raw);
  if (u.username === '' && u.password === '') return { url: raw, headers: extra };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { ...extra, authorization: `Basic ${basic}` } };
}
