// Attaches each log line to a span: by its span ID, else by its service and time, in one sort-and-sweep pass.
import type { LogRecord, Span } from '../model/records.js';

/**
 * - `source`: the access-log line a derived span was read from;
 * - `span-id`: the line names the span (and the span is its own service's);
 * - `time`: the innermost span of the line's service open at the line's time;
 * - `nearest`: none was open, so the span of its service nearest in time;
 * - `root`: the line names no service that has spans.
 */
export type AttachedBy = 'source' | 'span-id' | 'time' | 'nearest' | 'root';

/** Where each line went, as parallel arrays in the order of the lines (no object per line to collect). */
export interface Attachments {
  spanId: (string | undefined)[];
  by: AttachedBy[];
}

/** A max-heap of span indexes: latest start first, and of two starting together the shorter (the inner one). */
class InnermostHeap {
  private readonly items: number[] = [];

  constructor(private readonly starts: Float64Array, private readonly ends: Float64Array) {}

  private above(a: number, b: number): boolean {
    return this.starts[a]! > this.starts[b]! || (this.starts[a] === this.starts[b] && this.ends[a]! < this.ends[b]!);
  }

  push(i: number): void {
    const h = this.items;
    h.push(i);
    let k = h.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.above(h[k]!, h[p]!)) break;
      [h[k], h[p]] = [h[p]!, h[k]!];
      k = p;
    }
  }

  /** The innermost span still open at `t`; spans that ended before it are dropped for good (t only grows). */
  top(t: number): number | undefined {
    const h = this.items;
    while (h.length > 0 && this.ends[h[0]!]! < t) {
      const last = h.pop()!;
      if (h.length === 0) break;
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && this.above(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.above(h[r]!, h[m]!)) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m]!, h[k]!];
        k = m;
      }
    }
    return h[0];
  }
}

function lastBelow(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Attaches one service's lines (indexes into `logs`, in time order) to that service's spans. */
function sweepService(logs: readonly LogRecord[], lines: readonly number[], spans: readonly Span[], out: Attachments): void {
  const byStart = [...spans].sort((a, b) => a.start - b.start);
  const n = byStart.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  byStart.forEach((s, i) => {
    starts[i] = s.start;
    ends[i] = s.start + s.duration;
  });
  const endOrder = [...byStart.keys()].sort((a, b) => ends[a]! - ends[b]!);
  const sortedEnds = Float64Array.from(endOrder, (i) => ends[i]!);
  const heap = new InnermostHeap(starts, ends);
  let next = 0;
  for (const li of lines) {
    const t = logs[li]!.time;
    while (next < n && starts[next]! <= t) heap.push(next++);
    const open = heap.top(t);
    if (open !== undefined && ends[open]! >= t) {
      out.spanId[li] = byStart[open]!.spanId;
      out.by[li] = 'time';
      continue;
    }
    // Nothing open: the span that ended last before t, or the one that starts first after it.
    const before = lastBelow(sortedEnds, t);
    const after = next < n ? next : -1;
    const gapBefore = before >= 0 ? t - sortedEnds[before]! : Infinity;
    const gapAfter = after >= 0 ? starts[after]! - t : Infinity;
    const pick = gapBefore <= gapAfter ? byStart[endOrder[before]!] : byStart[after];
    out.spanId[li] = pick?.spanId;
    out.by[li] = 'nearest';
  }
}

/**
 * One attachment per line, in the order of `logs`. O((n + m) log n): lines are taken in time order
 * per service, against that service's spans swept by start time with a heap of the open ones.
 * Times are compared on the service's own clock, before any skew correction (a shift moves both alike).
 */
export function attachLogs(logs: readonly LogRecord[], spans: readonly Span[], root: Span | undefined, sourceLine: ReadonlyMap<string, number> = new Map()): Attachments {
  const out: Attachments = { spanId: new Array<string | undefined>(logs.length).fill(undefined), by: new Array<AttachedBy>(logs.length) };
  const byId = new Map<string, Span>();
  const byService = new Map<string | undefined, Span[]>();
  for (const s of spans) {
    byId.set(s.spanId, s);
    let list = byService.get(s.service);
    if (list === undefined) byService.set(s.service, (list = []));
    list.push(s);
  }
  for (const [spanId, index] of sourceLine) {
    out.spanId[index] = spanId;
    out.by[index] = 'source';
  }
  const pending = new Map<string, number[]>();
  let ordered = true;
  for (let i = 0; i < logs.length; i++) {
    if (out.by[i] !== undefined) continue;
    const log = logs[i]!;
    if (i > 0 && log.time < logs[i - 1]!.time) ordered = false;
    const named = log.spanId === undefined ? undefined : byId.get(log.spanId);
    if (named !== undefined && (named.service === log.service || log.service === undefined || named.service === undefined)) {
      out.spanId[i] = named.spanId;
      out.by[i] = 'span-id';
      continue;
    }
    if (log.service === undefined || !byService.has(log.service)) {
      out.spanId[i] = root?.spanId;
      out.by[i] = 'root';
      continue;
    }
    let list = pending.get(log.service);
    if (list === undefined) pending.set(log.service, (list = []));
    list.push(i);
  }
  for (const [service, lines] of pending) {
    if (!ordered) lines.sort((a, b) => logs[a]!.time - logs[b]!.time);
    sweepService(logs, lines, byService.get(service)!, out);
  }
  return out;
}
