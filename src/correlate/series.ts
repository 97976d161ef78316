// Reads minute rollups back as figures: a service's totals over a window, or a series at a step.
import { CorrelateError } from './errors.js';
import { addHistogram, emptyHistogram, mergeHistograms, quantiles, type Histogram } from './histogram.js';
import { errorRate, MINUTE_US, type MinuteRollup } from './rollup.js';

export interface WindowFigures {
  requests: number;
  errors: number;
  lines: number;
  errorLines: number;
  /** See errorRate in rollup.ts. */
  errorRate: number;
  /** µs; null with no requests. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SeriesPoint extends WindowFigures {
  /** Start of the step, µs since the epoch. */
  time: number;
}

/** At most this many points in one series. */
export const MAX_SERIES_POINTS = 100_000;

function figures(requests: number, errors: number, lines: number, errorLines: number, latency: Histogram): WindowFigures {
  const [p50, p95, p99] = quantiles(latency, [0.5, 0.95, 0.99]);
  return { requests, errors, lines, errorLines, errorRate: errorRate({ requests, errors, lines, errorLines }), p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

class Accumulator {
  requests = 0;
  errors = 0;
  lines = 0;
  errorLines = 0;
  private rows = 0;
  // Borrowed from the first row and copied only when a second arrives: 1-minute steps copy nothing.
  latency = emptyHistogram();

  add(r: MinuteRollup): void {
    this.requests += r.requests;
    this.errors += r.errors;
    this.lines += r.lines;
    this.errorLines += r.errorLines;
    if (this.rows++ === 0) this.latency = r.latency;
    else {
      if (this.rows === 2) this.latency = mergeHistograms(this.latency);
      addHistogram(this.latency, r.latency);
    }
  }

  figures(): WindowFigures {
    return figures(this.requests, this.errors, this.lines, this.errorLines, this.latency);
  }
}

/** One service's figures over the minutes that start in [from, to); what buildTraceView's serviceStats wants. */
export function windowFigures(rows: Iterable<MinuteRollup>, service: string, from: number, to: number): WindowFigures {
  const acc = new Accumulator();
  for (const r of rows) if (r.service === service && r.minute >= from && r.minute < to) acc.add(r);
  return acc.figures();
}

/** Each service's figures over all the rows given. */
export function totalsByService(rows: Iterable<MinuteRollup>): Map<string, WindowFigures & { latency: Histogram }> {
  const by = new Map<string, Accumulator>();
  for (const r of rows) {
    let acc = by.get(r.service);
    if (acc === undefined) by.set(r.service, (acc = new Accumulator()));
    acc.add(r);
  }
  const out = new Map<string, WindowFigures & { latency: Histogram }>();
  for (const [service, acc] of [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.set(service, { ...acc.figures(), latency: mergeHistograms(acc.latency) });
  return out;
}

/**
 * Points at from, from + step, … (< to), each over the minutes starting in its step; a step with no
 * rows is a point of zeros, so the series has no holes. `service` undefined adds all services up.
 * Step is a whole number of minutes (what the rows can answer); a bad range is a CorrelateError.
 */
export function rollupSeries(rows: Iterable<MinuteRollup>, range: { from: number; to: number; step: number; service?: string }): SeriesPoint[] {
  const { from, to, step, service } = range;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new CorrelateError('SERIES_RANGE_INVALID', `The range must have from before to (got from=${from}, to=${to}, µs since the epoch).`);
  }
  if (!Number.isInteger(step) || step < MINUTE_US || step % MINUTE_US !== 0) {
    throw new CorrelateError('SERIES_RANGE_INVALID', `The step must be a whole number of minutes (got ${step} µs); metrics are kept per minute.`);
  }
  const count = Math.ceil((to - from) / step);
  if (count > MAX_SERIES_POINTS) {
    throw new CorrelateError('SERIES_RANGE_INVALID', `${count} points is more than ${MAX_SERIES_POINTS}: use a larger step or a shorter range.`);
  }
  const acc = Array.from({ length: count }, () => new Accumulator());
  for (const r of rows) {
    if (service !== undefined && r.service !== service) continue;
    if (r.minute < from || r.minute >= to) continue;
    acc[Math.floor((r.minute - from) / step)]!.add(r);
  }
  return acc.map((a, i) => ({ time: from + i * step, ...a.figures() }));
}
