// A batch's records as bytes. Records that come in runs (the record stage's output, sinks that do not
// regroup) are kept as views of the stage's buffers, with no copy; records that come one by one with
// their offsets (OTLP) are copied into one growing buffer. Joining thousands of strings and encoding the
// result at send time cost more than parsing the lines did; copying them cost a third of it.

import type { BufferLedger } from './output-pool.js';

const INITIAL_BYTES = 16 * 1024;

export class RecordBuffer {
  private buf: Buffer | undefined;
  /** Views of the record stage's output, in order (runs only). */
  private readonly views: Buffer[] = [];
  /** Bytes written. */
  used = 0;
  /** Records written. */
  count = 0;
  /** Where each record starts, kept only when the sink needs records one by one (OTLP). */
  readonly offsets: number[] | undefined;
  /** The stage outputs the views are of, each held once in the ledger until the batch is done. */
  readonly held: ArrayBufferLike[] = [];
  private readonly ledger: BufferLedger | undefined;

  constructor(keepOffsets: boolean, ledger?: BufferLedger) {
    this.offsets = keepOffsets ? [] : undefined;
    this.ledger = ledger;
  }

  /** Appends a record already encoded, newline included: `src[start, end)`, copied. */
  appendBytes(src: Buffer, start: number, end: number): void {
    this.offsets?.push(this.used);
    const need = this.used + (end - start);
    if (this.buf === undefined || need > this.buf.length) this.grow(need);
    src.copy(this.buf!, this.used, start, end);
    this.used = need;
    this.count++;
  }

  /**
   * Appends `records` consecutive records, `src[start, end)`, as a view: `src` must not change afterwards
   * (each stage output is a buffer of its own). Not for a buffer that keeps offsets.
   */
  appendRun(src: Buffer, start: number, end: number, records: number): void {
    const last = this.views[this.views.length - 1];
    if (this.ledger !== undefined && (last === undefined || last.buffer !== src.buffer)) {
      this.ledger.retain(src.buffer);
      this.held.push(src.buffer);
    }
    if (last !== undefined && last.buffer === src.buffer && last.byteOffset + last.length === src.byteOffset + start) {
      this.views[this.views.length - 1] = Buffer.from(src.buffer, last.byteOffset, last.length + (end - start));
    } else {
      this.views.push(src.subarray(start, end));
    }
    this.used += end - start;
    this.count += records;
  }

  /** The bytes written, as pieces to send one after another. */
  pieces(): Buffer[] {
    if (this.buf !== undefined) return [Buffer.from(this.buf.subarray(0, this.used))];
    return this.views;
  }

  private grow(need: number): void {
    const size = Math.max(need, INITIAL_BYTES, (this.buf?.length ?? 0) * 2);
    const next = Buffer.allocUnsafe(size);
    if (this.buf !== undefined) this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
