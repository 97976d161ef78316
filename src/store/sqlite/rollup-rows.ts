// Rollup rows between the reader thread and the caller as one flat array of numbers (plus the latency
// histograms as one JSON text): a day of minutes is ~11.5k rows, and copying that many small objects
// between threads costs several times what reading them from SQLite does.
import type { LatencyHistogram, MinuteRollup } from '../../model/metrics.js';

/** Numbers per row in PackedRollups.numbers: minute, service (index into services), then the five counts. */
const WIDTH = 7;

export interface PackedRollups {
  /** The services the rows name, by index. */
  services: string[];
  /** WIDTH numbers per row, rows in the order read. */
  numbers: Float64Array;
  /** The rows' histograms as one JSON array, in row order; absent when they were not asked for. */
  latency?: string;
}

/** minute, service ID, requests, errors, lines, error_lines, traced_lines, latency (JSON, or '' without). */
export type RollupTuple = [number, number, number, number, number, number, number, string];

/**
 * Packs rows read from SQLite. `nameOf` names a service ID; `wanted` (service IDs) keeps only those rows.
 */
export function packRollups(rows: readonly RollupTuple[], nameOf: (id: number) => string, wanted: ReadonlySet<number> | undefined, withLatency: boolean): PackedRollups {
  const numbers = new Float64Array(rows.length * WIDTH);
  const services: string[] = [];
  const indexOf = new Map<number, number>();
  const latency: string[] = [];
  let o = 0;
  for (const row of rows) {
    const id = row[1];
    if (wanted !== undefined && !wanted.has(id)) continue;
    let index = indexOf.get(id);
    if (index === undefined) {
      indexOf.set(id, (index = services.length));
      services.push(nameOf(id));
    }
    numbers[o] = row[0];
    numbers[o + 1] = index;
    numbers[o + 2] = row[2];
    numbers[o + 3] = row[3];
    numbers[o + 4] = row[4];
    numbers[o + 5] = row[5];
    numbers[o + 6] = row[6];
    o += WIDTH;
    if (withLatency) latency.push(row[7]);
  }
  const packed: PackedRollups = { services, numbers: o === numbers.length ? numbers : numbers.slice(0, o) };
  if (withLatency) packed.latency = `[${latency.join(',')}]`;
  return packed;
}

/** The rows as the Store interface gives them; each row has its own histogram object (callers may add into it). */
export function unpackRollups(packed: PackedRollups): MinuteRollup[] {
  const { numbers, services } = packed;
  const n = numbers.length / WIDTH;
  const histograms = packed.latency === undefined ? undefined : (JSON.parse(packed.latency) as LatencyHistogram[]);
  const out = new Array<MinuteRollup>(n);
  for (let i = 0, o = 0; i < n; i++, o += WIDTH) {
    out[i] = {
      // `| 0`: an index read from a Float64Array is a double, and an array indexed by a double takes V8's slow path.
      service: services[numbers[o + 1]! | 0]!,
      minute: numbers[o]!,
      requests: numbers[o + 2]!,
      errors: numbers[o + 3]!,
      lines: numbers[o + 4]!,
      errorLines: numbers[o + 5]!,
      tracedLines: numbers[o + 6]!,
      latency: histograms === undefined ? { count: 0, sum: 0, min: 0, max: 0, buckets: {} } : histograms[i]!,
    };
  }
  return out;
}
