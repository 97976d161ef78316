// Parents for derived spans that logged none: the caller's client span open when they began, else the root.
import type { Span } from '../model/records.js';
import { spanClock, spanEnd, type ClockBy, type DerivedSpan, type OffsetSource } from './types.js';

export interface ParentOptions {
  learner?: OffsetSource;
  /** Learned offsets with fewer observations than this are not used. */
  minSkewSamples?: number;
  clockBy?: ClockBy;
}

/** The root: the earliest span without a parent in the trace (the longest, when two start together). */
export function findRoot(spans: readonly Span[]): Span | undefined {
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  let root: Span | undefined;
  for (const s of spans) {
    if (s.parentSpanId !== undefined && ids.has(s.parentSpanId)) continue;
    if (root === undefined || s.start < root.start || (s.start === root.start && s.duration > root.duration)) root = s;
  }
  return root;
}

/**
 * Gives each derived span without a logged parent one, in start order:
 * 1. the innermost client span of another service that was open when it began (read on the client's
 *    clock when an offset between the two clocks has been learned), preferring one with no callee yet;
 * 2. else the client span of another service that has no callee yet, is at least as long, and whose
 *    middle is nearest — clocks that disagree can put a callee outside its caller's span;
 * 3. else the trace's root, when the span began after it; otherwise it stays a root itself.
 */
export function assignParents(derived: DerivedSpan[], received: readonly Span[], options: ParentOptions = {}): void {
  const clockBy = options.clockBy ?? 'service';
  const minSamples = options.minSkewSamples ?? 5;
  const clients = received.filter((s) => s.kind === 'client');
  const taken = new Set<string>();
  for (const s of [...received, ...derived]) if (s.parentSpanId !== undefined) taken.add(s.parentSpanId);
  const shift = (d: Span, c: Span): number => {
    const learned = options.learner?.relative(spanClock(d, clockBy), spanClock(c, clockBy));
    return learned !== undefined && learned.samples >= minSamples ? learned.us : 0;
  };
  const pending = derived.filter((d) => d.parentSpanId === undefined).sort((a, b) => a.start - b.start);
  for (const d of pending) {
    const parent = openClient(d, clients, taken, shift) ?? nearestClient(d, clients, taken, shift);
    if (parent !== undefined) {
      d.parentSpanId = parent.span.spanId;
      d.parentBy = parent.by;
      taken.add(parent.span.spanId);
    }
  }
  const root = findRoot([...received, ...derived]);
  for (const d of pending) {
    if (d.parentSpanId !== undefined || root === undefined || root === d) continue;
    if (d.start >= root.start) {
      d.parentSpanId = root.spanId;
      d.parentBy = 'root';
    }
  }
}

type Pick = { span: Span; by: 'open-client' | 'nearest-client' } | undefined;

function openClient(d: Span, clients: readonly Span[], taken: ReadonlySet<string>, shift: (d: Span, c: Span) => number): Pick {
  let best: Span | undefined;
  let bestFree = false;
  for (const c of clients) {
    if (c.service === d.service) continue;
    const start = d.start + shift(d, c);
    if (start < c.start || start > spanEnd(c)) continue;
    const free = !taken.has(c.spanId);
    const inner = best === undefined || c.start > best.start || (c.start === best.start && c.duration < best.duration);
    if (best === undefined || (free && !bestFree) || (free === bestFree && inner)) {
      best = c;
      bestFree = free;
    }
  }
  return best === undefined ? undefined : { span: best, by: 'open-client' };
}

function nearestClient(d: Span, clients: readonly Span[], taken: ReadonlySet<string>, shift: (d: Span, c: Span) => number): Pick {
  let best: Span | undefined;
  let bestDistance = Infinity;
  for (const c of clients) {
    if (c.service === d.service || taken.has(c.spanId) || c.duration < d.duration) continue;
    const middle = d.start + shift(d, c) + d.duration / 2;
    const distance = Math.abs(c.start + c.duration / 2 - middle);
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : { span: best, by: 'nearest-client' };
}
