// Shared measuring for benchmarks: warm up, time rounds of a loop, report the median rate.

export interface Rate {
  opsPerSec: number;
  nsPerOp: number;
  rounds: number[];
}

/** Runs fn `iterations` times per round; returns the median of `rounds` rounds after a warm-up round. */
export function measure(fn: () => void, iterations: number, rounds = 7): Rate {
  for (let i = 0; i < iterations; i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    const ns = Number(process.hrtime.bigint() - start);
    rates.push((iterations * 1e9) / ns);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { opsPerSec: Math.round(median), nsPerOp: Math.round((1e9 / median) * 10) / 10, rounds: rates.map(Math.round) };
}

export function pct(base: number, other: number): number {
  return Math.round(((base - other) / base) * 1000) / 10;
}
