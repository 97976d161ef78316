// Terminal output shared by the query commands: colours (off with NO_COLOR or when not a TTY), levels,
// times and columns.
import { formatDuration } from '../model/time.js';

export { formatDuration };

export interface Paint {
  enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  /** A stable colour per name (services). */
  keyed(name: string, text: string): string;
}

const wrap = (on: boolean, open: string) => (text: string) => (on ? `\x1b[${open}m${text}\x1b[0m` : text);
const PALETTE = ['36', '35', '34', '32', '33', '96', '95', '94', '92', '93'];

export function paint(enabled: boolean): Paint {
  return {
    enabled,
    dim: wrap(enabled, '2'),
    bold: wrap(enabled, '1'),
    red: wrap(enabled, '31'),
    yellow: wrap(enabled, '33'),
    green: wrap(enabled, '32'),
    cyan: wrap(enabled, '36'),
    keyed(name, text) {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      return wrap(enabled, PALETTE[h % PALETTE.length]!)(text);
    },
  };
}

/** `ERROR`, `WARN`, … from a SeverityNumber (1–24), coloured. */
export function levelLabel(severity: number, p: Paint): string {
  if (severity >= 21) return p.red(p.bold('FATAL'));
  if (severity >= 17) return p.red('ERROR');
  if (severity >= 13) return p.yellow('WARN ');
  if (severity >= 9) return p.green('INFO ');
  if (severity >= 5) return p.dim('DEBUG');
  return p.dim('TRACE');
}

/** µs since the epoch → `2026-11-24 09:15:02.123` in UTC. */
export function formatTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').replace('Z', '');
}

/** Control characters in log data would move the cursor or change colours: show them escaped. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n');
}

/** Pads or cuts to a width (with …). */
export function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

/** A table with a header row, columns as wide as their widest cell; `right` columns are right-aligned. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (c: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)));
    return right.has(i) ? fill + c : c + fill;
  };
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 3 : rate < 0.1 ? 2 : 1)}%`;
}

/** Length as the terminal shows it: colour codes take no room. */
export function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}
