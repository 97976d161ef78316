// Derived metrics at ingest: per service and minute, requests, failed requests, log lines and a latency histogram.
import { MINUTE_US, type MinuteRollup } from '../model/metrics.js';
import type { LogRecord, Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { readAccessLog } from './access-log.js';
import { addHistogram, emptyHistogram, recordValue, type Histogram } from './histogram.js';
import { RequestJoin } from './request-join.js';
import { UNKNOWN_SERVICE } from './types.js';

export { MINUTE_US };
/** One service's minute (the model's type: stores keep these). Rows add up field by field, across batches and shards. */
export type { MinuteRollup };

/** The figures an error rate is computed from. */
export interface RateCounts {
  requests: number;
  errors: number;
  lines: number;
  errorLines: number;
}

/**
 * Failed requests / requests (at most 1); for a service with no requests in the range, error lines /
 * lines; 0 with neither.
 */
export function errorRate(c: RateCounts): number {
  return errorRateOf(c.requests, c.errors, c.lines, c.errorLines);
}

/** errorRate from the four counts themselves: for series of thousands of points, no object per point. */
export function errorRateOf(requests: number, errors: number, lines: number, errorLines: number): number {
  if (requests > 0) return Math.min(1, errors / requests);
  if (lines > 0) return errorLines / lines;
  return 0;
}

export function minuteOf(us: number): number {
  return Math.floor(us / MINUTE_US) * MINUTE_US;
}

export interface RollupBatch {
  logs: readonly LogRecord[];
  spans: readonly Span[];
}

export interface MetricsRollupOptions {
  /** (trace, service) pairs and requests remembered for joining across batches. Default 100,000. */
  memory?: number;
}

function statusCode(span: Span): number | undefined {
  const a = span.attributes;
  const v = a?.['http.status_code'] ?? a?.['http.response.status_code'];
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;
}

/**
 * Turns ingested batches into minute rows. Keep one instance for the indexer's life: it remembers
 * recent requests so that an error line arriving in a later batch than its request still fails it (the
 * row of the request's minute then comes back with `errors` 1 and nothing else), and a request seen as
 * a span and as an access-log line is counted once. Call it on every batch stored, before sampling.
 */
export class MetricsRollup {
  private readonly join: RequestJoin;

  constructor(options: MetricsRollupOptions = {}) {
    this.join = new RequestJoin(options.memory ?? 100_000);
  }

  rollupBatch(batch: RollupBatch): MinuteRollup[] {
    const rows = new Map<string, MinuteRollup>();
    const row = (service: string, minute: number): MinuteRollup => {
      const key = `${service}\u0000${minute}`;
      let r = rows.get(key);
      if (r === undefined) rows.set(key, (r = { service, minute, requests: 0, errors: 0, lines: 0, errorLines: 0, tracedLines: 0, latency: emptyHistogram() }));
      return r;
    };
    const request = (service: string, traceId: string | undefined, spanId: string | undefined, start: number, duration: number, failed: boolean): void => {
      const end = start + duration;
      const key = traceId !== undefined && spanId !== undefined ? `${traceId}/${spanId}/${service}` : undefined;
      const earlier = key === undefined ? undefined : this.join.counted(key);
      if (earlier !== undefined) {
        if (failed && !earlier.failed) {
          earlier.failed = true;
          row(service, earlier.minute).errors++;
        }
        return;
      }
      const mark = { start, end, minute: minuteOf(end), failed, ...(spanId !== undefined ? { spanId } : {}) };
      if (traceId !== undefined && this.join.addRequest(traceId, service, mark, key)) mark.failed = true;
      const r = row(service, mark.minute);
      r.requests++;
      if (mark.failed) r.errors++;
      recordValue(r.latency, duration);
    };
    for (const span of batch.spans) {
      if (span.kind !== 'server' && span.kind !== 'consumer') continue;
      const code = statusCode(span);
      request(span.service ?? UNKNOWN_SERVICE, span.traceId, span.spanId, span.start, span.duration, span.status === 'error' || (code !== undefined && code >= 500));
    }
    for (const log of batch.logs) {
      const service = log.service ?? UNKNOWN_SERVICE;
      const r = row(service, minuteOf(log.time));
      r.lines++;
      if (log.traceId !== undefined) r.tracedLines++;
      const error = isErrorSeverity(log.severityNumber);
      const access = readAccessLog(log);
      if (access !== undefined) {
        const failed = error || (access.statusCode !== undefined && access.statusCode >= 500);
        request(service, log.traceId, log.spanId, log.time - access.duration, access.duration, failed);
      }
      if (!error) continue;
      r.errorLines++;
      if (log.traceId === undefined) continue;
      for (const failed of this.join.addErrorLine(log.traceId, service, log.time, log.spanId)) row(service, failed.minute).errors++;
    }
    return [...rows.values()];
  }
}

/** Rolls up one batch with nothing remembered from others (tests, one-off imports). */
export function rollupBatch(batch: RollupBatch): MinuteRollup[] {
  return new MetricsRollup().rollupBatch(batch);
}

/** Rows of the same service and minute added together; new objects, sorted by minute then service. */
export function mergeRollups(...parts: Iterable<MinuteRollup>[]): MinuteRollup[] {
  const merged = new Map<string, MinuteRollup>();
  for (const part of parts) {
    for (const r of part) {
      const key = `${r.service}\u0000${r.minute}`;
      let m = merged.get(key);
      if (m === undefined) merged.set(key, (m = { service: r.service, minute: r.minute, requests: 0, errors: 0, lines: 0, errorLines: 0, tracedLines: 0, latency: emptyHistogram() }));
      m.requests += r.requests;
      m.errors += r.errors;
      m.lines += r.lines;
      m.errorLines += r.errorLines;
      m.tracedLines += r.tracedLines;
      addHistogram(m.latency, r.latency);
    }
  }
  return [...merged.values()].sort((a, b) => a.minute - b.minute || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}
