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

/**
 * µs since the epoch from an epoch number in seconds, milliseconds, microseconds or nanoseconds,
 * told apart by magnitude (a date between 1973 and 5138 reads correctly in every unit).
 */
export function microsFromEpoch(value: number): number {
  const abs = Math.abs(value);
  if (abs < 1e11) return Math.round(value * 1e6);
  if (abs < 1e14) return Math.round(value * 1e3);
  if (abs < 1e17) return Math.round(value);
  return Math.round(value / 1e3);
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * µs since the epoch from an ISO 8601 timestamp, keeping sub-millisecond digits that Date.parse drops;
 * undefined when the text is not one. A timestamp without a zone is read as UTC.
 */
export function microsFromIso(text: string): number | undefined {
  const m = ISO_RE.exec(text.trim());
  if (m === null) return undefined;
  const zone = m[3] === undefined || m[3] === 'z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3].length === 3 ? `${m[3]}:00` : m[3];
  const ms = Date.parse(`${m[1]!.replace(' ', 'T')}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = m[2] === undefined ? 0 : Math.floor(Number(m[2].padEnd(6, '0').slice(0, 6)));
  return ms * 1000 + fraction;
}
