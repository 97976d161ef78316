// A trace's lines in the view — corrected times, the span each sits under, time order — with the bounded
// share one answer carries and pages of the rest; a line becomes an object only when it is sent.
import type { LineList } from '../model/line-list.js';
import type { LogRecord } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { ATTACHED_BY, type AttachedBy } from './attach.js';
import { CorrelateError } from './errors.js';

/** A line of the trace, as the store returns it (StoredLog) or without an ID. */
export type InputLog = LogRecord & { id?: string };

/**
 * A line as the view shows it: the LogRecord's fields and the store's `id` (fields beyond those are not
 * copied), with its corrected time and the span it sits under. Already the API's shape (keys in its
 * order, nothing extra), so the server sends these objects as they are; the offset applied is
 * `time - rawTime`.
 */
export type ViewLog<L extends InputLog = InputLog> = L & {
  /** Corrected for clock skew; `rawTime` is what the line said. */
  time: number;
  rawTime: number;
  attachedBy: AttachedBy;
  /** Absent only when the trace has no span at all to attach to. */
  attachedSpanId?: string;
};

/** Which lines one answer carries when the trace has more than it may: see TraceLines.select. */
export interface LineSelection<L extends InputLog = InputLog> {
  /** In time order. */
  logs: ViewLog<L>[];
  /** Every span's first `perSpan` lines are among them (all of a span's lines when it has fewer; some spans' next line too). */
  perSpan: number;
  /** Lines of the trace not among them. */
  omitted: number;
}

export interface LinePage<L extends InputLog = InputLog> {
  /** In time order. */
  logs: ViewLog<L>[];
  /** Pass it back for the next page; absent on the last. */
  nextCursor?: string;
  /** Lines of the span (or of the trace) in all pages. */
  total: number;
}

export interface PageOptions {
  /** Only the lines under this span; every line of the trace when absent. */
  spanId?: string;
  /** From a previous page's nextCursor. */
  cursor?: string;
  limit: number;
}

/**
 * One literal of one shape for every line: copying this way costs a few ms for 20,000 lines, where a
 * spread plus new keys costs hundreds (V8 leaves the fast path). Keys left undefined vanish in JSON.
 */
function viewLog<L extends InputLog>(log: L, time: number, spanId: string | undefined, by: AttachedBy): ViewLog<L> {
  return {
    id: log.id,
    time,
    rawTime: log.time,
    observedTime: log.observedTime,
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    body: log.body,
    traceId: log.traceId,
    spanId: log.spanId,
    traceFlags: log.traceFlags,
    service: log.service,
    host: log.host,
    aliases: log.aliases,
    attributes: log.attributes,
    parseError: log.parseError,
    attachedBy: by,
    attachedSpanId: spanId,
  } as ViewLog<L>;
}

/**
 * A page boundary, opaque to clients: the last line sent, by corrected time, ID, and its place among
 * the lines of that same time (for lines without an ID, or one that is gone when a page is asked for).
 */
function encodeCursor(time: number, id: string, tie: number): string {
  return Buffer.from(`${time}/${tie}/${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { time: number; tie: number; id: string } {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^(-?\d{1,17})\/(\d{1,9})\/(.*)$/s.exec(text);
  const time = m === null ? NaN : Number(m[1]);
  if (m === null || !Number.isSafeInteger(time)) throw new CorrelateError('CURSOR_INVALID', `the cursor ${JSON.stringify(cursor.slice(0, 60))} was not given out by this API: pass a page's nextCursor as it is, or leave cursor out for the first page`);
  return { time, tie: Number(m[2]), id: m[3]! };
}

/** What the view worked out for each line, by the line's index in the trace. */
export interface LineFacts {
  /** Corrected time. */
  times: Float64Array;
  /** The span the line sits under, an index into `spanIds` (-1: none). */
  span: Int32Array;
  /** How it was attached: an index into ATTACHED_BY. */
  by: Uint8Array;
  spanIds: readonly string[];
  /** Any small integer per clock: one clock's lines all moved by the same offset (lets sorting merge runs). */
  clock?: Int32Array;
  /** SeverityNumber, when already read (saves reading every record again). */
  severity?: Uint8Array;
}

export class TraceLines<L extends InputLog = InputLog> {
  /** Line indexes in corrected time order; lines of the same time in the order given. */
  private readonly order: Uint32Array;
  private counts: Int32Array | undefined;
  private spanIndex: Map<string, number> | undefined;

  private readonly times: Float64Array;
  private readonly span: Int32Array;
  private readonly by: Uint8Array;
  private readonly spanIds: readonly string[];
  private readonly severity: Uint8Array | undefined;

  constructor(
    private readonly logs: LineList<L>,
    facts: LineFacts,
  ) {
    this.times = facts.times;
    this.span = facts.span;
    this.by = facts.by;
    this.spanIds = facts.spanIds;
    this.severity = facts.severity;
    this.order = this.timeOrder(facts.clock);
  }

  get count(): number {
    return this.logs.length;
  }

  /**
   * Line indexes in corrected time order, lines of the same time in the order given (a stable sort). The
   * store gives lines in time order, so usually that is the order given; when clock corrections moved
   * some, each clock's lines are still in order among themselves, and merging those runs costs
   * n·log(clocks) where sorting from scratch costs n·log(n).
   */
  private timeOrder(clock: Int32Array | undefined): Uint32Array {
    const n = this.logs.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (this.before(i, i - 1)) sorted = false;
    if (sorted) return order;
    if (clock === undefined) return this.sortRun(order);
    let clocks = 0;
    for (let i = 0; i < n; i++) if (clock[i]! >= clocks) clocks = clock[i]! + 1;
    // Counting sort by clock keeps each clock's lines in the order given.
    const starts = new Uint32Array(clocks + 1);
    for (let i = 0; i < n; i++) starts[clock[i]! + 1]!++;
    for (let c = 0; c < clocks; c++) starts[c + 1]! += starts[c]!;
    const fill = starts.slice(0, clocks);
    for (let i = 0; i < n; i++) order[fill[clock[i]!]!++] = i;
    let runs: Uint32Array[] = [];
    for (let c = 0; c < clocks; c++) if (starts[c + 1]! > starts[c]!) runs.push(this.sortRun(order.subarray(starts[c]!, starts[c + 1]!)));
    while (runs.length > 1) {
      const next: Uint32Array[] = [];
      for (let r = 0; r + 1 < runs.length; r += 2) next.push(this.merge(runs[r]!, runs[r + 1]!));
      if (runs.length % 2 === 1) next.push(runs[runs.length - 1]!);
      runs = next;
    }
    return runs[0] ?? order;
  }

  /** The run itself when already in order (one clock's lines from the store), else sorted. */
  private sortRun(run: Uint32Array): Uint32Array {
    for (let k = 1; k < run.length; k++) {
      if (this.before(run[k]!, run[k - 1]!)) return Uint32Array.from(Array.from(run).sort((a, b) => this.times[a]! - this.times[b]! || a - b));
    }
    return run;
  }

  private merge(a: Uint32Array, b: Uint32Array): Uint32Array {
    const out = new Uint32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) out[k++] = this.before(b[j]!, a[i]!) ? b[j++]! : a[i++]!;
    while (i < a.length) out[k++] = a[i++]!;
    while (j < b.length) out[k++] = b[j++]!;
    return out;
  }

  /** Whether line `a` comes before line `b`: earlier, or as early and given first. */
  private before(a: number, b: number): boolean {
    const d = this.times[a]! - this.times[b]!;
    return d < 0 || (d === 0 && a < b);
  }

  /** The line at position `k` of the time order, as the view shows it. */
  at(k: number): ViewLog<L> {
    const i = this.order[k]!;
    const s = this.span[i]!;
    return viewLog(this.logs.at(i)!, this.times[i]!, s < 0 ? undefined : this.spanIds[s], ATTACHED_BY[this.by[i]!]!);
  }

  /** Every line, in time order. */
  all(): ViewLog<L>[] {
    const out = new Array<ViewLog<L>>(this.order.length);
    for (let k = 0; k < out.length; k++) out[k] = this.at(k);
    return out;
  }

  /** Lines under each span (index as in spanIds; the last entry counts lines under no span). */
  private spanCounts(): Int32Array {
    if (this.counts !== undefined) return this.counts;
    const counts = new Int32Array(this.spanIds.length + 1);
    const none = this.spanIds.length;
    for (let i = 0; i < this.span.length; i++) {
      const s = this.span[i]!;
      counts[s < 0 ? none : s]!++;
    }
    return (this.counts = counts);
  }

  /** How many lines sit under the span with this ID (0 for a span without lines or not in the trace). */
  countUnder(spanId: string): number {
    const s = this.indexOf(spanId);
    return s === undefined ? 0 : this.spanCounts()[s]!;
  }

  /** Lines under each span, in the order of the span IDs given to the constructor. */
  countsBySpan(): Int32Array {
    return this.spanCounts().subarray(0, this.spanIds.length);
  }

  private indexOf(spanId: string): number | undefined {
    if (this.spanIndex === undefined) {
      this.spanIndex = new Map();
      this.spanIds.forEach((id, i) => this.spanIndex!.set(id, i));
    }
    return this.spanIndex.get(spanId);
  }

  /**
   * At most `limit` lines, chosen so that nothing a reader looks for first is missing: every error line
   * (the earliest `limit` of them, if there are more), then each span's first lines in time order — the
   * same number for every span (`perSpan`, as many as fit; all of a span's lines when it has fewer), and
   * what room is left as one more line for the spans whose next line comes first. Lines under no span
   * count as one more span. All lines when the trace has no more than `limit`.
   */
  select(limit: number): LineSelection<L> {
    const n = this.order.length;
    if (n <= limit) return { logs: this.all(), perSpan: n, omitted: 0 };
    const chosen = new Uint8Array(n);
    let errors = 0;
    for (let k = 0; k < n && errors < limit; k++) {
      const i = this.order[k]!;
      if (isErrorSeverity(this.severity?.[i] ?? this.logs.at(i)!.severityNumber)) {
        chosen[i] = 1;
        errors++;
      }
    }
    // The largest share per span that fits the rest of the budget (error lines among a span's first
    // lines are counted twice: the budget is never overrun).
    const counts = this.spanCounts();
    const room = limit - errors;
    const cost = (q: number) => {
      let sum = 0;
      for (let g = 0; g < counts.length; g++) sum += Math.min(counts[g]!, q);
      return sum;
    };
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cost(mid) <= room) lo = mid;
      else hi = mid - 1;
    }
    const perSpan = lo;
    // What is left goes, one line each, to the spans whose next line comes first: with more spans than
    // room (perSpan 0), the earliest spans still show their first line.
    let spare = room - cost(perSpan);
    const none = this.spanIds.length;
    const seen = new Int32Array(counts.length);
    const logs: ViewLog<L>[] = [];
    for (let k = 0; k < n; k++) {
      const i = this.order[k]!;
      const s = this.span[i]!;
      const g = s < 0 ? none : s;
      const nth = seen[g]!++;
      if (nth < perSpan || chosen[i] === 1) logs.push(this.at(k));
      else if (nth === perSpan && spare > 0) {
        spare--;
        logs.push(this.at(k));
      }
    }
    return { logs, perSpan, omitted: n - logs.length };
  }

  /** A page of the lines in time order — of the whole trace, or of one span — after a cursor. */
  page(options: PageOptions): LinePage<L> {
    let group: number | undefined;
    if (options.spanId !== undefined) {
      group = this.indexOf(options.spanId);
      if (group === undefined) throw new CorrelateError('SPAN_NOT_IN_TRACE', `the trace has no span ${JSON.stringify(options.spanId)}: use a spanId from the trace view's spans, or leave span out for every line`);
    }
    const n = this.order.length;
    const k = options.cursor === undefined ? 0 : this.after(decodeCursor(options.cursor));
    const logs: ViewLog<L>[] = [];
    let more = false;
    let lastAt = -1;
    for (let p = k; p < n; p++) {
      const i = this.order[p]!;
      if (group !== undefined && this.span[i] !== group) continue;
      if (logs.length === options.limit) {
        more = true;
        break;
      }
      logs.push(this.at(p));
      lastAt = p;
    }
    const total = group === undefined ? n : this.spanCounts()[group]!;
    return { logs, total, ...(more ? { nextCursor: this.cursorAt(lastAt) } : {}) };
  }

  /** The first position of the time order with this time. */
  private firstAt(time: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[this.order[mid]!]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private cursorAt(p: number): string {
    const time = this.times[this.order[p]!]!;
    return encodeCursor(time, this.logs.at(this.order[p]!)!.id ?? '', p - this.firstAt(time));
  }

  /**
   * Where the page after a cursor starts: right after the cursor's line, found by its ID among the lines
   * of its time (the view may have been rebuilt since); by its place among them when it has no ID or is
   * gone. Lines are never skipped; after a rebuild, a line could at worst come twice.
   */
  private after(cursor: { time: number; tie: number; id: string }): number {
    const first = this.firstAt(cursor.time);
    let p = first;
    for (; p < this.order.length && this.times[this.order[p]!] === cursor.time; p++) {
      if (cursor.id !== '' && this.logs.at(this.order[p]!)!.id === cursor.id) return p + 1;
    }
    // Without an ID the place is all there is; with one that is gone, the lines after it moved up one.
    return Math.min(p, first + cursor.tie + (cursor.id === '' ? 1 : 0));
  }
}
