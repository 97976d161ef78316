// How times, durations, rates and levels read on screen (times arrive as epoch microseconds).

/** `850 µs`, `4.2 ms`, `50 ms`, `9.0 s`, `2 min 5 s` — the same wording as the indexer's summary sentence. */
export function formatDuration(us: number): string {
  const v = Math.max(0, us);
  if (v < 1000) return `${Math.round(v)} µs`;
  if (v < 10_000) return `${(v / 1000).toFixed(1)} ms`;
  if (v < 999_500) return `${Math.round(v / 1000)} ms`;
  if (v < 59_950_000) return `${(v / 1_000_000).toFixed(1)} s`;
  const seconds = Math.round(v / 1_000_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-01-15 09:00:00.123` in the browser's time zone. */
export function formatTime(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `09:00:00.123`: for rows where the date is already on screen. */
export function formatClock(us: number): string {
  return formatTime(us).slice(11);
}

export function isoTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

/** `0.0%`, `12.5%`, or an en dash when there is nothing to divide. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '–' : `${(rate * 100).toFixed(1)}%`;
}

export function formatMaybeDuration(us: number | null | undefined): string {
  return us === null || us === undefined || !Number.isFinite(us) ? '–' : formatDuration(us);
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** OpenTelemetry severity number (1–24) → the level name used in queries and colours. */
export function levelOf(severityNumber: number): Level {
  if (severityNumber >= 21) return 'fatal';
  if (severityNumber >= 17) return 'error';
  if (severityNumber >= 13) return 'warn';
  if (severityNumber >= 9) return 'info';
  if (severityNumber >= 5) return 'debug';
  return 'trace';
}
