// A latency histogram with fixed log-scale buckets: mergeable anywhere, quantiles within 5% of the true value.
import { addHistogram as addModelHistogram, type LatencyHistogram } from '../model/metrics.js';

/** Every quantile read from a histogram is within this relative error of a value actually recorded. */
export const RELATIVE_ERROR = 0.05;
/** Bucket i holds values in (GAMMA^(i-1), GAMMA^i] µs; bucket 0 holds [0, 1] µs. */
export const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);

/** Plain JSON: bucket index → count (only buckets used), plus the exact count, sum, min and max (the model's type). */
export type Histogram = LatencyHistogram;

export function emptyHistogram(): Histogram {
  return { count: 0, sum: 0, min: 0, max: 0, buckets: {} };
}

export function bucketIndex(us: number): number {
  return us <= 1 ? 0 : Math.ceil(Math.log(us) / LOG_GAMMA);
}

/** The largest value bucket i holds (µs). */
export function bucketUpperBound(index: number): number {
  return index === 0 ? 1 : GAMMA ** index;
}

/** Adds one value (µs; negative counts as 0). Mutates `h`. */
export function recordValue(h: Histogram, us: number): void {
  const v = us > 0 ? us : 0;
  const i = bucketIndex(v);
  h.buckets[i] = (h.buckets[i] ?? 0) + 1;
  if (h.count === 0 || v < h.min) h.min = v;
  if (h.count === 0 || v > h.max) h.max = v;
  h.count++;
  h.sum += v;
}

/** Adds `from` into `into` (mutates `into`): the model's addition, which stores use too. */
export function addHistogram(into: Histogram, from: Histogram): void {
  addModelHistogram(into, from);
}

export function mergeHistograms(...parts: Histogram[]): Histogram {
  const h = emptyHistogram();
  for (const p of parts) addHistogram(h, p);
  return h;
}

/** Bucket indexes present, ascending (integer keys enumerate in ascending order; the sort is a guard). */
export function bucketIndexes(h: Histogram): number[] {
  const keys = Object.keys(h.buckets).map(Number);
  for (let i = 1; i < keys.length; i++) if (keys[i]! < keys[i - 1]!) return keys.sort((a, b) => a - b);
  return keys;
}

/** Count at or below bucket `index`. */
export function countAtOrBelow(h: Histogram, index: number): number {
  let n = 0;
  for (const i of bucketIndexes(h)) {
    if (i > index) break;
    n += h.buckets[i]!;
  }
  return n;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by nearest rank, in µs; undefined for an empty histogram. The answer is the
 * middle of the bucket holding that rank (in relative terms), kept within the recorded min and max.
 */
export function quantile(h: Histogram, q: number): number | undefined {
  return quantiles(h, [q])[0];
}

/** Several quantiles in one pass over the buckets; `qs` ascending. */
export function quantiles(h: Histogram, qs: readonly number[]): (number | undefined)[] {
  if (h.count === 0) return qs.map(() => undefined);
  const out: number[] = [];
  let seen = 0;
  let k = 0;
  for (const i of bucketIndexes(h)) {
    if (k >= qs.length) break;
    seen += h.buckets[i]!;
    while (k < qs.length && seen >= Math.max(1, Math.ceil(Math.min(1, Math.max(0, qs[k]!)) * h.count))) {
      const middle = i === 0 ? h.min : (2 * GAMMA ** i) / (GAMMA + 1);
      out.push(Math.min(h.max, Math.max(h.min, middle)));
      k++;
    }
  }
  while (out.length < qs.length) out.push(h.max);
  return out;
}

/** Checks a histogram read back from storage; a message saying what is wrong, or undefined. */
export function histogramProblem(h: unknown): string | undefined {
  if (typeof h !== 'object' || h === null) return 'is not an object';
  const x = h as Partial<Histogram>;
  for (const key of ['count', 'sum', 'min', 'max'] as const) if (typeof x[key] !== 'number' || !Number.isFinite(x[key])) return `${key} is not a number`;
  if (typeof x.buckets !== 'object' || x.buckets === null) return 'buckets is not an object';
  let total = 0;
  for (const [k, c] of Object.entries(x.buckets)) {
    if (!/^\d+$/.test(k) || !Number.isInteger(c) || c < 0) return `bucket ${k} must be a non-negative integer index with a non-negative integer count`;
    total += c;
  }
  if (total !== x.count) return 'the buckets do not add up to count';
  return undefined;
}
