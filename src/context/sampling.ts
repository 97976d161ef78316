// Head sampling: a decision made where a trace starts, deterministic on the trace ID, honouring the parent.
import { TRACE_FLAG_SAMPLED } from '../model/trace-context.js';

/**
 * The trace flags for a span that starts from `parentFlags` (undefined when the caller sent no
 * decision). A parent's decision wins; otherwise the low 52 bits of the trace ID are compared with the
 * ratio, so every service that sees the same trace ID decides the same way without talking.
 */
export function decideTraceFlags(traceId: string, parentFlags: number | undefined, ratio: number): number {
  if (parentFlags !== undefined) return parentFlags;
  return sampledByRatio(traceId, ratio) ? TRACE_FLAG_SAMPLED : 0;
}

const TWO_POW_52 = 2 ** 52;

export function sampledByRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (!(ratio > 0)) return false;
  const low = Number.parseInt(traceId.slice(-13), 16);
  return low < ratio * TWO_POW_52;
}

/** Validates a configured ratio: a number in [0, 1]. */
export function checkRatio(ratio: unknown, where: string): number {
  if (ratio === undefined) return 1;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new RangeError(`${where}: sampleRatio must be a number between 0 and 1, got ${String(ratio)}`);
  }
  return ratio;
}
