// The block: up to BLOCK_ROWS log records in time order, stored as one row — a binary column section
// (times, levels, service and host, IDs, lengths) beside the bodies and the remaining fields as text.
// Service and host are per row an index into the block's own short lists of names.
import type { Attributes, LogRecord } from '../../model/records.js';

/** Rows per block: enough that the full-text index holds one posting per term per block, few enough to scan fast. */
export const BLOCK_ROWS = 128;
/** A block spans at most this much record time, so a time bound finds the blocks that can hold it. */
export const BLOCK_SPAN_US = 5_000_000;
/** Block keys: (record time in ms of the block's newest row) × KEY_SLOTS + a sequence. Below 2^53 until 2109. */
export const KEY_SLOTS = 2048;

export const FLAG_TRACE = 1;
export const FLAG_SPAN = 2;
export const FLAG_DELETED = 4;
export const FLAG_OBSERVED = 8;
export const FLAG_TRACE_FLAGS = 16;
/** In the severity-text column: the record has none. */
export const NO_TEXT = 255;

/**
 * Bytes per row in the column section: time and observed time (f64), level, flags, service, host,
 * severity text (u8; the last three index the block's lists), trace flags (u8), trace ID (16), span ID (8),
 * body length and extras length (u32).
 */
export const ROW_BYTES = 54;

/** Where each column starts in a section of n rows. */
export function layout(n: number) {
  return {
    time: 0,
    observed: 8 * n,
    sev: 16 * n,
    flags: 17 * n,
    service: 18 * n,
    host: 19 * n,
    text: 20 * n,
    traceFlags: 21 * n,
    trace: 22 * n,
    span: 38 * n,
    bodyLen: 46 * n,
    extraLen: 50 * n,
    size: ROW_BYTES * n,
  };
}

/** The µs up to which a block with this key (and every block with a smaller key) can hold records. */
export function keyTimeBound(key: number): number {
  return (Math.floor(key / KEY_SLOTS) + 1) * 1000 - 1;
}

/** The smallest key a block whose newest record is at `timeUs` or later can have. */
export function firstKeyAt(timeUs: number): number {
  return Math.floor(timeUs / 1000) * KEY_SLOTS;
}

/** The largest key a block whose newest record is at `timeUs` or earlier can have (spilled keys aside). */
export function lastKeyAt(timeUs: number): number {
  return (Math.floor(timeUs / 1000) + 1) * KEY_SLOTS - 1;
}

/**
 * Buffer's own hex encoder (undocumented, present since Node 0.x), without toString's argument handling,
 * which cost as much as the encoding for an 8-byte ID; toString where it is missing.
 */
type Slice = (this: Buffer, start: number, end: number) => string;
const hexSlice: Slice = (Buffer.prototype as unknown as { hexSlice?: Slice }).hexSlice
  ?? function (this: Buffer, start: number, end: number) { return this.toString('hex', start, end); };

/** Between two bodies in a block's text: a separator to the full-text tokenizer and to the token scan. */
export const BODY_SEPARATOR = '\n';

/** The fields of a log record kept as JSON beside the body, under short names. */
export interface Extras {
  /** Trace flags that do not fit a byte. */
  f?: number;
  al?: string[];
  a?: Attributes;
  pe?: string;
  /** A trace or span ID that was not 32 (16) hex digits, kept as given. */
  tr?: string;
  sp?: string;
}

/** Read access to a stored block's rows. */
export class BlockView {
  readonly n: number;
  private readonly at: ReturnType<typeof layout>;
  private bodyStarts: Uint32Array | undefined;
  private extraStarts: Uint32Array | undefined;

  constructor(
    readonly key: number,
    private readonly cols: Buffer,
    private readonly bodies: string,
    private readonly extras: string,
    /** The block's severity texts, which rows name by index. */
    private readonly texts: readonly string[],
  ) {
    this.n = cols.length / ROW_BYTES;
    this.at = layout(this.n);
  }

  time(i: number): number {
    return this.cols.readDoubleLE(this.at.time + 8 * i);
  }

  severity(i: number): number {
    return this.cols[this.at.sev + i]!;
  }

  flags(i: number): number {
    return this.cols[this.at.flags + i]!;
  }

  /** Row i's index into the block's list of services. */
  serviceIndex(i: number): number {
    return this.cols[this.at.service + i]!;
  }

  hostIndex(i: number): number {
    return this.cols[this.at.host + i]!;
  }

  deleted(i: number): boolean {
    return (this.cols[this.at.flags + i]! & FLAG_DELETED) !== 0;
  }

  traceHex(i: number): string | undefined {
    if ((this.flags(i) & FLAG_TRACE) === 0) return undefined;
    const at = this.at.trace + 16 * i;
    return this.cols.toString('hex', at, at + 16);
  }

  /**
   * The rows, not deleted, whose trace ID is these 16 bytes, in block order. Compared four bytes at a time
   * in JavaScript: a native compare per row cost more than reading the rows (a 20,000-line trace: ~1.5 ms).
   */
  rowsOfTrace(id: Buffer, into: number[]): void {
    const w0 = id.readInt32LE(0);
    const w1 = id.readInt32LE(4);
    const w2 = id.readInt32LE(8);
    const w3 = id.readInt32LE(12);
    const cols = this.cols;
    const flags = this.at.flags;
    for (let i = 0, at = this.at.trace; i < this.n; i++, at += 16) {
      if ((cols[flags + i]! & (FLAG_TRACE | FLAG_DELETED)) !== FLAG_TRACE) continue;
      if (cols.readInt32LE(at) === w0 && cols.readInt32LE(at + 4) === w1 && cols.readInt32LE(at + 8) === w2 && cols.readInt32LE(at + 12) === w3) into.push(i);
    }
  }

  spanHex(i: number): string | undefined {
    if ((this.flags(i) & FLAG_SPAN) === 0) return undefined;
    const at = this.at.span + 8 * i;
    return hexSlice.call(this.cols, at, at + 8);
  }

  bodyRange(i: number): [string, number, number] {
    const starts = this.bodyOffsets();
    return [this.bodies, starts[i]!, starts[i + 1]! - 1];
  }

  /** All bodies, a new line between each two; row i's is at [bodyOffsets()[i], bodyOffsets()[i + 1] - 1). */
  get text(): string {
    return this.bodies;
  }

  bodyOffsets(): Uint32Array {
    return (this.bodyStarts ??= this.starts(this.at.bodyLen, 1));
  }

  body(i: number): string {
    const starts = this.bodyOffsets();
    return this.bodies.slice(starts[i], starts[i + 1]! - 1);
  }

  /** Whether row i keeps fields beside its body (attributes, aliases, a parse error, odd IDs). */
  hasExtra(i: number): boolean {
    return this.cols.readUInt32LE(this.at.extraLen + 4 * i) !== 0;
  }

  extra(i: number): Extras | undefined {
    const starts = (this.extraStarts ??= this.starts(this.at.extraLen, 0));
    const from = starts[i]!;
    const to = starts[i + 1]!;
    return from === to ? undefined : (JSON.parse(this.extras.slice(from, to)) as Extras);
  }

  /** Row i as a log record (service and host come from the block; `traceHex`, when given, is the hex of the trace ID its columns hold). */
  record(i: number, service: string | undefined, host: string | undefined, traceHex?: string): LogRecord {
    const record: LogRecord = { time: this.time(i), severityNumber: this.severity(i), body: this.body(i) };
    const flags = this.flags(i);
    const extra = this.extra(i);
    if ((flags & FLAG_OBSERVED) !== 0) record.observedTime = this.cols.readDoubleLE(this.at.observed + 8 * i);
    const text = this.cols[this.at.text + i]!;
    if (text !== NO_TEXT) record.severityText = this.texts[text]!;
    const trace = (traceHex !== undefined && (flags & FLAG_TRACE) !== 0 ? traceHex : this.traceHex(i)) ?? extra?.tr;
    if (trace !== undefined) record.traceId = trace;
    const span = this.spanHex(i) ?? extra?.sp;
    if (span !== undefined) record.spanId = span;
    if ((flags & FLAG_TRACE_FLAGS) !== 0) record.traceFlags = this.cols[this.at.traceFlags + i]!;
    else if (extra?.f !== undefined) record.traceFlags = extra.f;
    if (service !== undefined) record.service = service;
    if (host !== undefined) record.host = host;
    if (extra?.al !== undefined) record.aliases = extra.al;
    if (extra?.a !== undefined) record.attributes = extra.a;
    if (extra?.pe !== undefined) record.parseError = extra.pe;
    return record;
  }

  /** Where each row's text starts, `gap` characters apart (then the end of the last). */
  private starts(column: number, gap: number): Uint32Array {
    const starts = new Uint32Array(this.n + 1);
    for (let i = 0; i < this.n; i++) starts[i + 1] = starts[i]! + this.cols.readUInt32LE(column + 4 * i) + gap;
    return starts;
  }
}
