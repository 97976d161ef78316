// Shared measuring for benchmarks: warm up, then time alternating rounds of loops, reporting medians.

export interface Rate {
  opsPerSec: number;
  nsPerOp: number;
  rounds: number[];
}

function timeLoop(fn: () => void, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

function rate(nsPerRound: number[]): Rate {
  const sorted = [...nsPerRound].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { opsPerSec: Math.round(1e9 / median), nsPerOp: Math.round(median * 10) / 10, rounds: nsPerRound.map((n) => Math.round(n * 10) / 10) };
}

/** Runs fn `iterations` times per round; returns the median of `rounds` rounds after a warm-up round. */
export function measure(fn: () => void, iterations: number, rounds = 7): Rate {
  timeLoop(fn, iterations);
  const ns: number[] = [];
  for (let r = 0; r < rounds; r++) ns.push(timeLoop(fn, iterations));
  return rate(ns);
}

/**
 * Times a baseline and a candidate in alternating rounds in one process, so that what slows the
 * machine or the process slows both alike; `overheadPct` is the median of the per-round ratios.
 */
export function compare(baseline: () => void, candidate: () => void, iterations: number, rounds = 9): { baseline: Rate; candidate: Rate; overheadPct: number } {
  timeLoop(baseline, iterations);
  timeLoop(candidate, iterations);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0;
    const x = first ? timeLoop(baseline, iterations) : 0;
    const y = timeLoop(candidate, iterations);
    const z = first ? x : timeLoop(baseline, iterations);
    a.push(z);
    b.push(y);
    ratios.push(y / z);
  }
  const sortedRatios = [...ratios].sort((p, q) => p - q);
  return { baseline: rate(a), candidate: rate(b), overheadPct: Math.round((sortedRatios[Math.floor(rounds / 2)]! - 1) * 1000) / 10 };
}

export function pct(base: number, other: number): number {
  return Math.round(((base - other) / base) * 1000) / 10;
}

async function timeBatches(fn: () => void, iterations: number, batch: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let done = 0; done < iterations; done += batch) {
    for (let i = 0; i < batch; i++) fn();
    // Let streams process what was written, inside the timed region: that work is part of logging.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - start) / iterations;
}

/**
 * As compare, for loggers that finish their work asynchronously (winston's streams): calls are made in
 * batches and the event loop drains each batch before the next, so a backlog the benchmark itself
 * built up (and its garbage-collection cost) is not mistaken for the logger's cost.
 */
export async function compareAsync(baseline: () => void, candidate: () => void, iterations: number, batch = 200, rounds = 9): Promise<{ baseline: Rate; candidate: Rate; overheadPct: number }> {
  await timeBatches(baseline, iterations, batch);
  await timeBatches(candidate, iterations, batch);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const x = await timeBatches(baseline, iterations, batch);
    const y = await timeBatches(candidate, iterations, batch);
    a.push(x);
    b.push(y);
    ratios.push(y / x);
  }
  const sorted = [...ratios].sort((p, q) => p - q);
  return { baseline: rate(a), candidate: rate(b), overheadPct: Math.round((sorted[Math.floor(rounds / 2)]! - 1) * 1000) / 10 };
}

/**
 * Node flags for a benchmark's child process: `BENCH_PROFILE=DIR` writes a CPU profile of every thread
 * of the child into DIR (open them in Chrome's DevTools), so a slow figure can be explained.
 */
export function childExecArgv(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
