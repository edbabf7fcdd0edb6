import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Calls `onReconnect` after every reconnection of `nc` (a server restart loses memory streams
 * and outstanding pull requests; both ends set theirs up again). Errors are passed to `onError`.
 * Returns a function that stops watching.
 */
export function watchReconnects(
  nc: NatsConnection,
  onReconnect: () => Promise<void> | void,
  onError: (err: unknown) => void = () => {},
): () => void {
  let stopped = false;
  void (async () => {
    for await (const s of nc.status()) {
      if (stopped) break;
      if (s.type === 'reconnect') {
        try {
          await onReconnect();
        } catch (err) {
          onError(err);
        }
      }
    }
  })();
  return () => {
    stopped = true;
  };
}
