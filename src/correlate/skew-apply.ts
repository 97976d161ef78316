// Per-trace clock correction: learned offsets where there are enough observations, Jaeger-style fitting otherwise.
import type { LogRecord, Span } from '../model/records.js';
import { buildSpanTree, type SpanTree } from './tree.js';
import { withFields } from './with-fields.js';
import { logClock, spanClock, type ClockBy, type OffsetSource } from './types.js';

export interface ClockOffset {
  /** µs added to every timestamp read from this clock. */
  us: number;
  /**
   * `reference`: the root's clock, never shifted; `learned`: from the SkewLearner; `trace`: fitted in
   * this trace alone (too few observations); `none`: nothing to go by, left as it is.
   */
  source: 'reference' | 'learned' | 'trace' | 'none';
  /** Observations behind a learned offset. */
  samples?: number;
}

export interface SkewOptions {
  learner?: OffsetSource;
  /** Learned offsets resting on fewer observations fall back to fitting within the trace. Default 5. */
  minSkewSamples?: number;
  clockBy?: ClockBy;
}

/**
 * The shift that puts a child inside its parent, Jaeger's way: none when it fits; when it is the shorter,
 * centred in the parent (the latency split evenly each way); when it is the longer, start with the parent.
 */
export function fitWithin(parentStart: number, parentEnd: number, childStart: number, childEnd: number): number {
  const parentDuration = parentEnd - parentStart;
  const childDuration = childEnd - childStart;
  if (childStart >= parentStart && childEnd <= parentEnd) return 0;
  if (childDuration > parentDuration) return childStart < parentStart || childStart > parentEnd ? parentStart - childStart : 0;
  return Math.round(parentStart + (parentDuration - childDuration) / 2 - childStart);
}

/**
 * Each clock's shift in this trace, walking down from the root (whose clock reads as is): a clock met
 * first as the child of another is placed by the learned offset between the two, or, lacking enough
 * observations, by fitting that child inside its parent. Producer → consumer links (async) place nothing.
 */
export function traceClockOffsets(tree: SpanTree, options: SkewOptions = {}): Map<string, ClockOffset> {
  const clockBy = options.clockBy ?? 'service';
  const minSamples = options.minSkewSamples ?? 5;
  const offsets = new Map<string, ClockOffset>();
  const root = tree.root;
  if (root === undefined) return offsets;
  offsets.set(spanClock(root, clockBy), { us: 0, source: 'reference' });
  const queue: Span[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const parent = queue[i]!;
    const pk = spanClock(parent, clockBy);
    let po = offsets.get(pk);
    // A clock reached only through async links has nothing to be placed by: it reads as is.
    if (po === undefined) offsets.set(pk, (po = { us: 0, source: 'none' }));
    for (const child of tree.children.get(parent.spanId) ?? []) {
      queue.push(child);
      const ck = spanClock(child, clockBy);
      if (offsets.has(ck)) continue;
      const learned = options.learner?.relative(ck, pk);
      if (learned !== undefined && learned.samples >= minSamples) {
        offsets.set(ck, { us: po.us + learned.us, source: 'learned', samples: learned.samples });
      } else if (parent.kind !== 'producer' && child.kind !== 'consumer') {
        const ps = parent.start + po.us;
        const us = fitWithin(ps, ps + parent.duration, child.start, child.start + child.duration);
        offsets.set(ck, { us, source: 'trace' });
      }
    }
  }
  return offsets;
}

export interface SkewedSpan extends Span {
  /** The start as the span's own clock read it. */
  rawStart: number;
  /** µs added to it. */
  skew: number;
}

export type SkewedLog<L extends LogRecord> = L & { rawTime: number; skew: number };

export interface SkewResult<L extends LogRecord> {
  spans: SkewedSpan[];
  logs: SkewedLog<L>[];
  /** The shift applied to each clock in the trace (µs; 0 where none). */
  skew: Record<string, number>;
  sources: Record<string, ClockOffset>;
}

/**
 * Shifts every span and log line of a corrected clock by its offset (received spans too: a waterfall
 * cannot nest otherwise), keeping the raw times beside. Offsets are computed for the trace unless given.
 */
export function applySkew<L extends LogRecord>(
  trace: { spans: readonly Span[]; logs: readonly L[] },
  options: SkewOptions & { offsets?: Map<string, ClockOffset>; tree?: SpanTree } = {},
): SkewResult<L> {
  const clockBy = options.clockBy ?? 'service';
  const offsets = options.offsets ?? traceClockOffsets(options.tree ?? buildSpanTree(trace.spans), options);
  const sources: Record<string, ClockOffset> = {};
  const shiftOf = (clock: string): number => {
    let o = offsets.get(clock);
    if (o === undefined) offsets.set(clock, (o = { us: 0, source: 'none' }));
    sources[clock] = o;
    return o.us;
  };
  const spans = trace.spans.map((s): SkewedSpan => {
    const skew = shiftOf(spanClock(s, clockBy));
    const v = withFields(s, { rawStart: s.start, skew }) as SkewedSpan;
    v.start = s.start + skew;
    return v;
  });
  const logs = trace.logs.map((l): SkewedLog<L> => {
    const skew = shiftOf(logClock(l, clockBy));
    const v = withFields(l, { rawTime: l.time, skew }) as SkewedLog<L>;
    v.time = l.time + skew;
    return v;
  });
  const skew: Record<string, number> = {};
  for (const [clock, o] of Object.entries(sources)) skew[clock] = o.us;
  return { spans, logs, skew, sources };
}
