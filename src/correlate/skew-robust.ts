// One clock offset from many containment observations, robust to the odd trace that disagrees.

/** Where a child clock's correction must lie for one server span to fit inside its client span (µs). */
export interface Interval {
  lo: number;
  hi: number;
}

export interface RobustEstimate {
  us: number;
  /** Observations the estimate rests on (after outliers were set aside). */
  samples: number;
  rejected: number;
}

const sortedNumbers = (values: number[]): number[] => values.sort((a, b) => a - b);
const median = (sorted: readonly number[]): number => {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
};

/** Below this the spread of midpoints is measurement noise, not a reason to reject anything (µs). */
const MIN_REJECT_DISTANCE = 1000;

/**
 * 1. Outliers: observations whose midpoint lies more than 3.5 scaled MADs (at least 1 ms) from the
 *    median midpoint are set aside — one trace stuck behind a 9-second retry or a clock step.
 * 2. The rest are intersected, tolerating a tenth of them disagreeing: the 90th percentile of the lower
 *    bounds against the 10th percentile of the upper bounds. Every true observation contains the true
 *    offset, so this range does too; its width is what the fastest calls leave uncertain.
 * 3. Zero when the range holds it (the clocks agree as far as can be told, so nothing is shifted and a
 *    slow network stays visible as a gap); otherwise the range's middle. If the range is empty (the
 *    clocks drift within the window), the median midpoint.
 */
export function robustOffset(observations: readonly Interval[]): RobustEstimate | undefined {
  if (observations.length === 0) return undefined;
  const mids = observations.map((o) => (o.lo + o.hi) / 2);
  const center = median(sortedNumbers([...mids]));
  const mad = median(sortedNumbers(mids.map((m) => Math.abs(m - center))));
  const limit = Math.max(3.5 * 1.4826 * mad, MIN_REJECT_DISTANCE);
  const inliers = observations.filter((_, i) => Math.abs(mids[i]! - center) <= limit);
  const n = inliers.length;
  const trim = Math.floor(n / 10);
  const lo = sortedNumbers(inliers.map((o) => o.lo))[n - 1 - trim]!;
  const hi = sortedNumbers(inliers.map((o) => o.hi))[trim]!;
  let us: number;
  if (lo <= hi) us = lo <= 0 && hi >= 0 ? 0 : (lo + hi) / 2;
  else us = median(sortedNumbers(inliers.map((o) => (o.lo + o.hi) / 2)));
  return { us: Math.round(us), samples: n, rejected: observations.length - n };
}
