// Metrics derived from logs and spans at ingest, per service and minute: what a store keeps so error
// rates and latency percentiles stay exact (and fast) whatever is sampled or retained later.

/**
 * A latency histogram as counts per bucket index (sparse). Bucket boundaries are the correlation
 * engine's business; stores only add counts of equal indexes, so histograms merge across minutes,
 * batches and shards without knowing them.
 */
export type LatencyHistogram = Record<string, number>;

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

/** Adds b's counts into a (in place) and returns a. */
export function addHistogram(a: LatencyHistogram, b: LatencyHistogram): LatencyHistogram {
  for (const [bucket, count] of Object.entries(b)) a[bucket] = (a[bucket] ?? 0) + count;
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
