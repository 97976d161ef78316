// Time as integer microseconds since the Unix epoch, the unit of every record and API response.

/** Microseconds since the epoch, with sub-millisecond resolution from the monotonic clock. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** A monotonic reading in microseconds, for measuring durations that wall-clock steps cannot skew. */
export function monotonicMicros(): number {
  return Math.round(performance.now() * 1000);
}

export function microsFromMillis(ms: number): number {
  return Math.round(ms * 1000);
}

export function millisFromMicros(us: number): number {
  return us / 1000;
}

/** `12.3 ms`, `1.25 s`, `850 µs`: how durations read in lines meant for people. */
export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}
