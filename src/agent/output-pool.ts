// Reused memory for the record stage's output: a stage output is written into a buffer from a pool, and the
// buffer goes back to the pool once every batch holding a view of it was acknowledged. Fresh memory from the
// kernel cost ~0.5 µs a line in page faults (more than copying the lines into it), and at full speed the
// agent wrote about 250 MB of output for a 250 MB file.

/**
 * The size of a pooled buffer: the stage output of 256 KiB of lines (STAGE_BYTES in tailer.ts) plus what
 * the agent adds to lines that go out as written (a file path: ~20%) fits; an output that does not (lines
 * that go out marked, about twice their size) gets fresh memory.
 */
export const POOLED_BYTES = 384 * 1024;
/** Free buffers kept: enough for everything in flight at the default limit (16 MiB) and the stage's chunks. */
const MAX_FREE = 64;

/** Buffers of POOLED_BYTES to write stage outputs into (on the thread that runs the stage). */
export class OutputPool {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of at least `bytes`: a pooled one when that size fits, else fresh (not pooled). */
  take(bytes: number): ArrayBuffer {
    if (bytes > POOLED_BYTES) return new ArrayBuffer(bytes);
    // Not zero-filled: every byte handed out is written before it is read.
    return this.free.pop() ?? Buffer.allocUnsafeSlow(POOLED_BYTES).buffer as ArrayBuffer;
  }

  /** A buffer nobody reads any more (its views were sent and acknowledged). */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === POOLED_BYTES && this.free.length < MAX_FREE) this.free.push(buffer);
  }

  get size(): number {
    return this.free.length;
  }
}

/** Whether `buffer` is one the pool hands out (anything else is left to the garbage collector). */
export function isPooled(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && buffer.byteLength === POOLED_BYTES;
}

/**
 * Who still reads each pooled output buffer, on the main thread: the file pipeline while it applies an
 * output, and every batch with a view of it. The last release hands the buffer back to where it came from.
 * A buffer never released (a batch left unacknowledged at stop) is simply never reused.
 */
export class BufferLedger {
  private readonly holders = new Map<ArrayBuffer, number>();
  private readonly recycle: (buffer: ArrayBuffer) => void;

  constructor(recycle: (buffer: ArrayBuffer) => void) {
    this.recycle = recycle;
  }

  /** Starts tracking a pooled stage output, held once by the caller. */
  adopt(buffer: ArrayBufferLike): void {
    if (isPooled(buffer)) this.holders.set(buffer, 1);
  }

  retain(buffer: ArrayBufferLike): void {
    const n = this.holders.get(buffer as ArrayBuffer);
    if (n !== undefined) this.holders.set(buffer as ArrayBuffer, n + 1);
  }

  release(buffer: ArrayBufferLike): void {
    const n = this.holders.get(buffer as ArrayBuffer);
    if (n === undefined) return;
    if (n > 1) {
      this.holders.set(buffer as ArrayBuffer, n - 1);
      return;
    }
    this.holders.delete(buffer as ArrayBuffer);
    this.recycle(buffer as ArrayBuffer);
  }

  /** Buffers still held (for tests). */
  get held(): number {
    return this.holders.size;
  }
}
