// How long the shipper waits before retrying a batch: exponential backoff with full jitter, or Retry-After.

/** The longest Retry-After the shipper obeys; a larger value (or a far-off date) is clamped to this. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * A random delay in [0, min(maxMs, baseMs · 2^attempt)) for the `attempt`-th retry (0 for the first).
 * Full jitter spreads the retries of many services that lost the indexer at the same moment.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a Retry-After header asks for, in ms: delay-seconds or an HTTP date. Undefined when the header
 * is absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}
