// The level names a query may use (`level:error`, `level:warn*`, `level:17`, `level:WARNING`) and the
// SeverityNumbers each stands for, as every store reads them.
import { severityFromText } from '../model/severity.js';
import { StoreError } from './errors.js';

/** Each level's SeverityNumber range, as OpenTelemetry groups them. */
const LEVELS: Readonly<Record<string, readonly [number, number]>> = {
  trace: [1, 4],
  debug: [5, 8],
  info: [9, 12],
  warn: [13, 16],
  error: [17, 20],
  fatal: [21, 24],
};

/** A level's name for a query value: a name, a SeverityNumber, or a severity text (`WARNING`, `crit`). */
function levelName(name: string): string {
  if (LEVELS[name] !== undefined) return name;
  const severity = /^\d+$/.test(name) ? Number(name) : severityFromText(name);
  const level = Object.keys(LEVELS).find((l) => severity >= LEVELS[l]![0] && severity <= LEVELS[l]![1]);
  if (level === undefined) throw new StoreError('STORE_BAD_QUERY', `unknown level ${JSON.stringify(name)}: use trace, debug, info, warn, error or fatal`);
  return level;
}

/**
 * The SeverityNumbers that `level:` values stand for, ascending; with `prefix`, each value names every
 * level it begins (`w` → warn). Empty when none matches a prefix; an unknown exact name is an error.
 */
export function levelSeverities(values: readonly string[], prefix: boolean): number[] {
  const wanted = new Set<number>();
  for (const value of values) {
    const name = value.trim().toLowerCase();
    const matched = prefix ? Object.keys(LEVELS).filter((level) => level.startsWith(name)) : [levelName(name)];
    for (const level of matched) {
      const [lo, hi] = LEVELS[level]!;
      for (let s = lo; s <= hi; s++) wanted.add(s);
    }
  }
  return [...wanted].sort((a, b) => a - b);
}
