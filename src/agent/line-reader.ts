// Turns the bytes of one file, read in small chunks, into lines with the file offset each ends at:
// split on the Buffer (decoding whole chunks as text is several times slower), CRLF and LF alike, a line
// longer than the limit cut and flagged, invalid UTF-8 kept (as U+FFFD) and flagged, and a last line
// without its newline held until it is completed or flushed.
import { isUtf8 } from 'node:buffer';

/** The line was longer than the limit: the first `maxLineBytes` bytes are kept. */
export const LINE_CUT = 1;
/** The line was not valid UTF-8: invalid bytes became U+FFFD. */
export const LINE_INVALID_UTF8 = 2;
/** The line had no newline: it was flushed after waiting (or because its file went away). */
export const LINE_UNTERMINATED = 4;

/**
 * Receives each line: its text (without the line ending), the file offset just after it, and LINE_* flags;
 * for a line read straight out of a chunk, also the chunk and where in it the line's bytes begin (valid
 * only during the call that consumes the chunk). With `lazy` consumption, a line read straight out of a
 * chunk, not cut and known to be valid UTF-8, comes without its text (undefined): its `originalBytes`
 * bytes at `start` are the text, to be decoded by whoever needs it (a parsing thread).
 */
export type LineSink = (text: string | undefined, end: number, flags: number, originalBytes: number, bytes?: Buffer, start?: number) => void;

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Backs `end` off so that `buf[start, end)` does not stop inside a UTF-8 sequence. */
function charBoundary(buf: Buffer, start: number, end: number): number {
  let p = end - 1;
  // Continuation bytes are 10xxxxxx: find the byte that starts the last character.
  while (p > start && p > end - 4 && (buf[p]! & 0xc0) === 0x80) p--;
  const lead = buf[p]!;
  const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return p + length > end ? p : end;
}

function decode(buf: Buffer, start: number, end: number): [string, number] {
  const text = buf.toString('utf8', start, end);
  // U+FFFD may also be in the file as it is; only then check the bytes themselves.
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(buf.subarray(start, end))) return [text, LINE_INVALID_UTF8];
  return [text, 0];
}

export class LineReader {
  /** The next file offset to read. */
  offset: number;
  private readonly maxLineBytes: number;
  /** The pending line's bytes so far (at most maxLineBytes), copied out of the chunks they came in. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes of the pending line beyond maxLineBytes: counted, not kept. */
  private dropped = 0;
  /** The chunk being consumed is valid UTF-8 up to its last newline, and its lines may go undecoded. */
  private defer = false;

  constructor(offset: number, maxLineBytes: number) {
    this.offset = offset;
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes of a line begun but not yet ended. */
  get pendingBytes(): number {
    return this.partsBytes + this.dropped;
  }

  /** Where the pending line began (the offset itself when nothing is pending). */
  get lineStart(): number {
    return this.offset - this.pendingBytes;
  }

  /** Restarts at `offset`, forgetting any pending line (after a truncation). */
  reset(offset: number): void {
    this.offset = offset;
    this.parts = [];
    this.partsBytes = 0;
    this.dropped = 0;
  }

  /**
   * Splits `chunk[0, length)`, the bytes at `this.offset`, calling `sink` for each complete line; `lazy`
   * leaves lines undecoded where it can (see LineSink).
   */
  consume(chunk: Buffer, length: number, sink: LineSink, lazy = false): void {
    const base = this.offset;
    let pos = 0;
    // Newlines are never inside a UTF-8 sequence: when the bytes up to the last one are valid, so is every
    // line that ends there. (One check for the chunk, not one per line.)
    let defer = false;
    if (lazy) {
      const last = chunk.lastIndexOf(NEWLINE, length - 1);
      defer = last > 0 && isUtf8(chunk.subarray(0, last));
    }
    this.defer = defer;
    while (pos < length) {
      let nl = chunk.indexOf(NEWLINE, pos);
      if (nl >= length) nl = -1;
      if (nl === -1) {
        this.hold(chunk, pos, length);
        break;
      }
      if (this.pendingBytes === 0) this.emitDirect(chunk, pos, nl, base + nl + 1, sink);
      else {
        this.hold(chunk, pos, nl);
        this.emitHeld(base + nl + 1, 0, sink);
      }
      pos = nl + 1;
    }
    this.offset = base + length;
  }

  /** Emits the pending line as it is (flagged unterminated); false when nothing was pending. */
  flushPending(sink: LineSink): boolean {
    if (this.pendingBytes === 0) return false;
    this.emitHeld(this.offset, LINE_UNTERMINATED, sink);
    return true;
  }

  private emitDirect(chunk: Buffer, start: number, nl: number, end: number, sink: LineSink): void {
    let stop = nl > start && chunk[nl - 1] === CR ? nl - 1 : nl;
    const original = stop - start;
    let flags = 0;
    if (original > this.maxLineBytes) {
      stop = charBoundary(chunk, start, start + this.maxLineBytes);
      flags = LINE_CUT;
    }
    if (this.defer && flags === 0) return sink(undefined, end, 0, original, chunk, start);
    const [text, utf8Flag] = decode(chunk, start, stop);
    sink(text, end, flags | utf8Flag, original, chunk, start);
  }

  private emitHeld(end: number, extraFlags: number, sink: LineSink): void {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    const original = this.partsBytes + this.dropped;
    let flags = extraFlags;
    let stop = buf.length;
    if (this.dropped > 0) {
      flags |= LINE_CUT;
      stop = charBoundary(buf, 0, stop);
    } else if (stop > 0 && buf[stop - 1] === CR && (extraFlags & LINE_UNTERMINATED) === 0) {
      stop--;
    }
    const [text, utf8Flag] = decode(buf, 0, stop);
    this.parts = [];
    this.partsBytes = 0;
    this.dropped = 0;
    sink(text, end, flags | utf8Flag, original);
  }

  /** Keeps `chunk[start, end)` as part of the pending line, up to the limit. */
  private hold(chunk: Buffer, start: number, end: number): void {
    const room = this.maxLineBytes - this.partsBytes;
    const keep = Math.max(0, Math.min(room, end - start));
    if (keep > 0) {
      this.parts.push(Buffer.from(chunk.subarray(start, start + keep)));
      this.partsBytes += keep;
    }
    this.dropped += end - start - keep;
  }
}
