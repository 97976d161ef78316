// Rollups in the Prometheus text exposition format, for GET /metrics.
import { bucketUpperBound, countAtOrBelow, type Histogram } from './histogram.js';
import type { MinuteRollup } from './rollup.js';
import { totalsByService } from './series.js';

/**
 * The histogram's `le` bounds: every 7th internal bucket boundary (each about twice the last), from
 * ~135 µs to ~45 min. Being internal boundaries, the cumulative counts at them are exact, not interpolated.
 */
export const PROMETHEUS_BUCKET_INDEXES: readonly number[] = Array.from({ length: 25 }, (_, k) => 49 + 7 * k);

/** Label values escape backslash, double quote and newline, as the exposition format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function histogramLines(name: string, labels: string, h: Histogram): string[] {
  const lines: string[] = [];
  for (const bound of PROMETHEUS_BUCKET_INDEXES) {
    const cumulative = countAtOrBelow(h, bound);
    lines.push(`${name}_bucket{${labels},le="${formatNumber(bucketUpperBound(bound) / 1e6)}"} ${cumulative}`);
  }
  lines.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`);
  lines.push(`${name}_sum{${labels}} ${formatNumber(h.sum / 1e6)}`);
  lines.push(`${name}_count{${labels}} ${h.count}`);
  return lines;
}

/**
 * Counters per service since the rows began (pass every retained row; rows are added up by service),
 * and the request-duration histogram in seconds. Retention that drops old rows makes counters fall,
 * which Prometheus reads as a counter reset.
 */
export function renderPrometheus(rows: Iterable<MinuteRollup>, prefix = 'logstitch'): string {
  const totals = totalsByService(rows);
  const out: string[] = [];
  const counter = (name: string, help: string, pick: (t: { requests: number; errors: number; lines: number; errorLines: number }) => number): void => {
    out.push(`# HELP ${prefix}_${name} ${help}`, `# TYPE ${prefix}_${name} counter`);
    for (const [service, t] of totals) out.push(`${prefix}_${name}{service="${escapeLabelValue(service)}"} ${pick(t)}`);
  };
  counter('requests_total', 'Requests per service: server spans and access-log lines, each request once.', (t) => t.requests);
  counter('request_errors_total', 'Failed requests per service: error status, HTTP 5xx, or an error-level line inside the request.', (t) => t.errors);
  counter('log_lines_total', 'Log lines per service.', (t) => t.lines);
  counter('error_log_lines_total', 'Log lines at error level or above per service.', (t) => t.errorLines);
  const name = `${prefix}_request_duration_seconds`;
  out.push(`# HELP ${name} Request durations per service.`, `# TYPE ${name} histogram`);
  for (const [service, t] of totals) out.push(...histogramLines(name, `service="${escapeLabelValue(service)}"`, t.latency));
  return `${out.join('\n')}\n`;
}
