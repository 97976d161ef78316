// Attaches each log line to a span: by its span ID, else by its service and time, in one sort-and-sweep pass.
import type { LineList } from '../model/line-list.js';
import type { LogRecord, Span } from '../model/records.js';
import { lineTable, type LineTable } from './line-table.js';

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

/** The AttachedBy values in the order of their codes in LineAttachments.by. */
export const ATTACHED_BY: readonly AttachedBy[] = ['source', 'span-id', 'time', 'nearest', 'root'];
const SOURCE = 0;
const SPAN_ID = 1;
const TIME = 2;
const NEAREST = 3;
const ROOT = 4;
/** Not attached yet (never left in an answer). */
const PENDING = 255;

/** Where each line went as typed arrays: the span's index in the `spans` given (-1: none), and how (ATTACHED_BY). */
export interface LineAttachments {
  span: Int32Array;
  by: Uint8Array;
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
      const swap = h[k]!;
      h[k] = h[p]!;
      h[p] = swap;
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
        const swap = h[k]!;
        h[k] = h[m]!;
        h[m] = swap;
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

/** Attaches one service's lines (indexes, in time order) to that service's spans (indexes into `spans`). */
function sweepService(time: Float64Array, lines: readonly number[], spans: readonly Span[], mine: readonly number[], out: LineAttachments): void {
  const byStart = [...mine].sort((a, b) => spans[a]!.start - spans[b]!.start);
  const n = byStart.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = spans[byStart[i]!]!;
    starts[i] = s.start;
    ends[i] = s.start + s.duration;
  }
  const endOrder = [...byStart.keys()].sort((a, b) => ends[a]! - ends[b]!);
  const sortedEnds = Float64Array.from(endOrder, (i) => ends[i]!);
  const heap = new InnermostHeap(starts, ends);
  let next = 0;
  for (const li of lines) {
    const t = time[li]!;
    while (next < n && starts[next]! <= t) heap.push(next++);
    const open = heap.top(t);
    if (open !== undefined && ends[open]! >= t) {
      out.span[li] = byStart[open]!;
      out.by[li] = TIME;
      continue;
    }
    // Nothing open: the span that ended last before t, or the one that starts first after it.
    const before = lastBelow(sortedEnds, t);
    const after = next < n ? next : -1;
    const gapBefore = before >= 0 ? t - sortedEnds[before]! : Infinity;
    const gapAfter = after >= 0 ? starts[after]! - t : Infinity;
    const pick = gapBefore <= gapAfter ? (before >= 0 ? endOrder[before] : undefined) : after;
    out.span[li] = pick === undefined || pick < 0 ? -1 : byStart[pick]!;
    out.by[li] = NEAREST;
  }
}

/**
 * One attachment per line, in the order of `logs`. O((n + m) log n): lines are taken in time order
 * per service, against that service's spans swept by start time with a heap of the open ones.
 * Times are compared on the service's own clock, before any skew correction (a shift moves both alike).
 * `sourceLine` names, by span ID, the line each derived span was read from. `table`: the lines read
 * once, its span indexes into a prefix of `spans` (the received ones, which come first).
 */
export function attachLineIndexes(
  logs: LineList<LogRecord>,
  spans: readonly Span[],
  root: Span | undefined,
  sourceLine: ReadonlyMap<string, number> = new Map(),
  table: LineTable = lineTable(logs, spans),
): LineAttachments {
  const n = table.count;
  const out: LineAttachments = { span: new Int32Array(n).fill(-1), by: new Uint8Array(n).fill(PENDING) };
  // Each span's service as the table numbers services (-1: none; -2: a service no line names).
  const spanService = new Int32Array(spans.length);
  const byService = new Map<number, number[]>();
  let rootIndex = -1;
  const byId = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (root !== undefined && rootIndex < 0 && s.spanId === root.spanId) rootIndex = i;
    if (sourceLine.size > 0) byId.set(s.spanId, i);
    const service = s.service === undefined ? -1 : (table.serviceIndex.get(s.service) ?? -2);
    spanService[i] = service;
    let list = byService.get(service);
    if (list === undefined) byService.set(service, (list = []));
    list.push(i);
  }
  for (const [spanId, index] of sourceLine) {
    out.span[index] = byId.get(spanId) ?? -1;
    out.by[index] = SOURCE;
  }
  const pending = new Map<number, number[]>();
  let ordered = true;
  for (let i = 0; i < n; i++) {
    if (out.by[i] !== PENDING) continue;
    if (i > 0 && table.time[i]! < table.time[i - 1]!) ordered = false;
    const service = table.service[i]!;
    const named = table.named[i]!;
    if (named >= 0) {
      const own = spanService[named]!;
      if (own === service || service === -1 || own === -1) {
        out.span[i] = named;
        out.by[i] = SPAN_ID;
        continue;
      }
    }
    if (service === -1 || !byService.has(service)) {
      out.span[i] = rootIndex;
      out.by[i] = ROOT;
      continue;
    }
    let list = pending.get(service);
    if (list === undefined) pending.set(service, (list = []));
    list.push(i);
  }
  for (const [service, lines] of pending) {
    if (!ordered) lines.sort((a, b) => table.time[a]! - table.time[b]!);
    sweepService(table.time, lines, spans, byService.get(service)!, out);
  }
  return out;
}

/** attachLineIndexes with span IDs and names instead of codes. */
export function attachLogs(logs: readonly LogRecord[], spans: readonly Span[], root: Span | undefined, sourceLine: ReadonlyMap<string, number> = new Map()): Attachments {
  const { span, by } = attachLineIndexes(logs, spans, root, sourceLine);
  return { spanId: Array.from(span, (i) => (i < 0 ? undefined : spans[i]!.spanId)), by: Array.from(by, (b) => ATTACHED_BY[b]!) };
}
