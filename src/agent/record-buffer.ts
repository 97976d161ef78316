// A batch's records as bytes, written one after another as they arrive: joining thousands of strings
// and encoding the result at send time cost more than parsing the lines did.

const INITIAL_BYTES = 16 * 1024;

export class RecordBuffer {
  private buf: Buffer | undefined;
  /** Bytes written. */
  used = 0;
  /** Records written. */
  count = 0;
  /** Where each record starts, kept only when the sink needs records one by one (OTLP). */
  readonly offsets: number[] | undefined;

  constructor(keepOffsets: boolean) {
    this.offsets = keepOffsets ? [] : undefined;
  }

  /** Appends a record already encoded, newline included: `src[start, end)`. */
  appendBytes(src: Buffer, start: number, end: number): void {
    const need = this.used + (end - start);
    if (this.buf === undefined || need > this.buf.length) this.grow(need);
    this.offsets?.push(this.used);
    src.copy(this.buf!, this.used, start, end);
    this.used = need;
    this.count++;
  }

  /** The bytes written, in a buffer of their own size (the working buffer may be much larger). */
  bytes(): Buffer {
    return this.buf === undefined ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(0, this.used));
  }

  private grow(need: number): void {
    const size = Math.max(need, INITIAL_BYTES, (this.buf?.length ?? 0) * 2);
    const next = Buffer.allocUnsafe(size);
    if (this.buf !== undefined) this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
