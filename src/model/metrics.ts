// Metrics derived from logs and spans at ingest, per service and minute: what a store keeps so error
// rates and latency percentiles stay exact (and fast) whatever is sampled or retained later.

/**
 * A latency histogram: counts per bucket index, plus the exact count, sum, min and max (µs). Bucket
 * boundaries are the correlation engine's business; stores only add counts of equal indexes, so
 * histograms merge across minutes, batches and shards without knowing them.
 */
export interface LatencyHistogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: Record<string, number>;
}

export interface MinuteRollup {
  service: string;
  /** Start of the minute, µs since the epoch (a multiple of 60,000,000). */
  minute: number;
  /** Requests served: server spans, access-log lines. */
  requests: number;
  /** Failed requests: error spans, 5xx responses. */
  errors: number;
  /** Log lines. */
  lines: number;
  /** Error-level log lines (SeverityNumber ≥ 17). */
  errorLines: number;
  /** Log lines that carry a trace ID. */
  tracedLines: number;
  /** Request latencies. */
  latency: LatencyHistogram;
}

export const MINUTE_US = 60_000_000;

/** Adds b into a (in place) and returns a. */
export function addHistogram(a: LatencyHistogram, b: LatencyHistogram): LatencyHistogram {
  if (b.count === 0) return a;
  for (const key in b.buckets) a.buckets[key] = (a.buckets[key] ?? 0) + b.buckets[key]!;
  if (a.count === 0 || b.min < a.min) a.min = b.min;
  if (a.count === 0 || b.max > a.max) a.max = b.max;
  a.count += b.count;
  a.sum += b.sum;
  return a;
}

/** Adds b's counts into a (same service and minute), in place. */
export function addRollup(a: MinuteRollup, b: MinuteRollup): MinuteRollup {
  a.requests += b.requests;
  a.errors += b.errors;
  a.lines += b.lines;
  a.errorLines += b.errorLines;
  a.tracedLines += b.tracedLines;
  addHistogram(a.latency, b.latency);
  return a;
}
