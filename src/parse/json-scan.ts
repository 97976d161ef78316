// Decides over a JSON line's bytes, without JSON.parse, whether it may go out as written — for lines of the
// plain shape pino and its kin write: one flat object, no whitespace, no escapes, no exponents. It gives the
// verdict and the facts json-verbatim.ts's reader gives, and says "not sure" (undefined) for anything else,
// which then takes that reader's path. Parsing the line was half of the agent's time per line.
import { isUtf8 } from 'node:buffer';
import { Severity, severityFromPinoLevel, severityFromText } from '../model/severity.js';
import type { VerbatimFacts } from './json-verbatim.js';
import { isHexDigit, KeyClass, KeyClassifier, messageNamesId } from './verbatim-keys.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Inside a string: 0 a plain ASCII byte, 1 the closing quote, 2 a byte the scanner leaves to JSON.parse (escape, control), 3 a byte of a non-ASCII character. */
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_BYTE[c] = 2;
STRING_BYTE[QUOTE] = 1;
STRING_BYTE[0x5c /* \ */] = 2;
for (let c = 0x80; c < 256; c++) STRING_BYTE[c] = 3;

// Four bytes at a time (read little-endian from a DataView): a word holds a byte that is not plain string
// text — a quote, a backslash, a control byte or a byte of a non-ASCII character — when SPECIAL(word) is
// not 0. It may also say so for a plain byte above a special one (the borrow of the subtraction): a word it
// flags is then read byte by byte, which decides. Twice as fast as reading every byte.
const ONES = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;
const SPACES = 0x20202020;

function special(w: number): number {
  const q = w ^ QUOTES;
  const s = w ^ BACKSLASHES;
  return (((q - ONES) & ~q) | ((s - ONES) & ~s) | ((w - SPACES) & ~w) | w) & HIGH_BITS;
}

/**
 * The high bit of each byte of `w` that is at least `n` (each byte below 0x80: adding 0x80 - n sets its
 * high bit exactly then, and never carries into the next byte).
 */
function atLeast(w: number, n: number): number {
  return (w + ONES * (0x80 - n)) & HIGH_BITS;
}

/** Whether the four bytes of `w` are lowercase hex digits. */
function isLowerHexWord(w: number): boolean {
  if ((w & HIGH_BITS) !== 0) return false;
  const digits = atLeast(w, 0x30) & ~atLeast(w, 0x3a);
  const letters = atLeast(w, 0x61) & ~atLeast(w, 0x67);
  return (digits | letters) === HIGH_BITS;
}

/** Four zero digits. */
const ZEROS = 0x30303030;

/**
 * Buffer's own Latin-1 decoder (undocumented, present since Node 0.x), which skips toString's argument
 * handling — a third of the cost of decoding a short string; toString where it is missing.
 */
type Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice: Slice = (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice
  ?? function (this: Buffer, start: number, end: number) { return this.toString('latin1', start, end); };

/** Integers of at most this many digits are read digit by digit, exactly; longer numbers by Number(). */
const EXACT_DIGITS = 15;
const MAX_FINITE_DIGITS = 308;
/** Distinct keys remembered; past this many, the memory starts again (at the start of a line). */
const MAX_KEYS = 4096;

interface KeyEntry {
  key: string;
  /** The key as the line writes it, quotes and colon included: `"key":`. */
  bytes: Uint8Array;
  /** The same bytes four at a time (little-endian), as far as they fill words, then the last four (overlapping). */
  words: Int32Array;
  kind: KeyClass;
  /** The last line that named the key: named again in the same line, it is a duplicate. */
  line: number;
}

/** `value` here: what readValue found (for an attribute the caller is asked about). */
type Scalar = string | number | boolean | null;

/**
 * One per parser config (it remembers the keys it has met). `scan` returns an object it reuses: read its
 * fields before the next call.
 */
export class JsonLineScanner {
  private readonly classifier: KeyClassifier;
  /** One entry per distinct key: within a line the same key is always the same entry (duplicates are found by it). */
  private readonly entries = new Map<string, KeyEntry>();
  /** The previous line's keys in order: lines of one logger share their keys, so a key is first compared with the one at its place. */
  private readonly lastEntries: KeyEntry[] = [];
  private lines = 0;
  private readonly out: VerbatimFacts = { body: '', severityNumber: 0, hasHost: false, hasService: false };
  // What the last string or number read held (no object per value).
  private ascii = true;
  private sawNonAscii = false;
  private number = 0;
  /** The buffer last scanned, and a view of it for reading words. */
  private buffer: Buffer | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** The last trace ID found valid, as words: the lines of one request follow each other and share it. */
  private readonly traceId = new Int32Array(8);

  constructor(traceFields: readonly string[]) {
    this.classifier = new KeyClassifier(traceFields);
  }

  /**
   * The facts of the line `b[start, end)` when it may go out as written, or undefined when that is not
   * settled here. `keep` sees each field that would become an attribute; the line is not as written if it
   * says no. A line this accepts is one JSON.parse accepts, read as the indexer would read it.
   */
  scan(b: Buffer, start: number, end: number, keep?: (key: string, value: unknown) => boolean): VerbatimFacts | undefined {
    if (end - start < 2 || b[start] !== OPEN_BRACE || b[end - 1] !== CLOSE_BRACE) return undefined;
    if (b !== this.buffer) {
      this.buffer = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    if (this.entries.size >= MAX_KEYS) {
      this.entries.clear();
      this.lastEntries.length = 0;
    }
    const line = ++this.lines;
    this.sawNonAscii = false;
    let body: string | undefined;
    let severityNumber: number = Severity.UNSPECIFIED;
    let hasHost = false;
    let hasService = false;
    let hasTraceId = false;
    let hasTime = false;
    let p = start + 1;
    for (let index = 0; ; index++) {
      const entry = this.keyAt(index, b, p, end);
      if (entry === undefined || entry.line === line) return undefined;
      entry.line = line;
      const v = p + entry.bytes.length;
      if (v >= end) return undefined;
      switch (entry.kind) {
        case KeyClass.Level:
          if (b[v] === QUOTE) {
            p = this.stringEnd(b, v + 1, end);
            if (p <= v + 1) return undefined;
            severityNumber = severityFromText(this.text(b, v + 1, p++));
          } else {
            p = this.numberEnd(b, v, end, true);
            if (p < 0) return undefined;
            severityNumber = severityFromPinoLevel(this.number);
          }
          break;
        case KeyClass.Time:
          p = this.numberEnd(b, v, end, false);
          if (p < 0) return undefined;
          hasTime = true;
          break;
        case KeyClass.Msg:
          if (b[v] !== QUOTE || (p = this.stringEnd(b, v + 1, end)) < 0) return undefined;
          body = this.text(b, v + 1, p++);
          break;
        case KeyClass.Hostname:
        case KeyClass.Service:
          if (b[v] !== QUOTE || (p = this.stringEnd(b, v + 1, end)) <= v + 1) return undefined;
          p++;
          if (entry.kind === KeyClass.Hostname) hasHost = true;
          else hasService = true;
          break;
        case KeyClass.TraceId:
          if (!this.isTraceId(b, v, end)) return undefined;
          p = v + 34;
          hasTraceId = true;
          break;
        case KeyClass.SpanId:
          if (v + 17 >= end || b[v] !== QUOTE || b[v + 17] !== QUOTE || !this.isHexId(v + 1, 16)) return undefined;
          p = v + 18;
          break;
        case KeyClass.TraceFlags:
          if (b[v] === QUOTE) {
            if (v + 3 >= end || b[v + 3] !== QUOTE || !isHexDigit(b[v + 1]!) || !isHexDigit(b[v + 2]!)) return undefined;
            p = v + 4;
          } else if ((p = this.numberEnd(b, v, end, false)) < 0) return undefined;
          break;
        case KeyClass.Attribute: {
          p = keep === undefined ? this.valueEnd(b, v, end) : this.valueEnd(b, v, end, entry.key, keep);
          if (p < 0) return undefined;
          break;
        }
        default:
          // A field the model takes or ignores other than those above, or one naming an ID: see json-verbatim.ts.
          return undefined;
      }
      if (p >= end) return undefined;
      if (b[p] === COMMA) {
        p++;
        continue;
      }
      if (p === end - 1) break;
      return undefined;
    }
    // The time must come from the line: the indexer's own clock would otherwise stand in for the agent's.
    if (!hasTime || body === undefined) return undefined;
    // Strings were taken whole between their quotes; whatever is not UTF-8 is JSON.parse's to judge.
    if (this.sawNonAscii && !isUtf8(b.subarray(start, end))) return undefined;
    if (!hasTraceId && messageNamesId(body)) return undefined;
    const out = this.out;
    out.body = body;
    out.severityNumber = severityNumber;
    out.hasHost = hasHost;
    out.hasService = hasService;
    return out;
  }

  /** Where the string whose text starts at `p` closes (its quote), or -1 when it has an escape, a control byte, or no end. */
  private stringEnd(b: Buffer, p: number, end: number): number {
    const view = this.view;
    while (p + 4 <= end && special(view.getInt32(p, true)) === 0) p += 4;
    let ascii = true;
    for (; p < end; p++) {
      const kind = STRING_BYTE[b[p]!]!;
      if (kind === 0) continue;
      if (kind === 1) {
        this.ascii = ascii;
        return p;
      }
      if (kind === 2) return -1;
      ascii = false;
      this.sawNonAscii = true;
    }
    return -1;
  }

  /** The text of a string just read by stringEnd. */
  private text(b: Buffer, start: number, end: number): string {
    return this.ascii ? latin1Slice.call(b, start, end) : b.toString('utf8', start, end);
  }

  /** Whether the `length` bytes at `p` (a multiple of 4) are lowercase hex digits, not all zero: a valid ID. */
  private isHexId(p: number, length: number): boolean {
    const view = this.view;
    let zeros = 0;
    for (let k = p; k < p + length; k += 4) {
      const w = view.getInt32(k, true);
      if (!isLowerHexWord(w)) return false;
      if (w === ZEROS) zeros++;
    }
    return zeros !== length >> 2;
  }

  /** A quoted trace ID at `p`: 32 lowercase hex digits, not all zero. */
  private isTraceId(b: Buffer, p: number, end: number): boolean {
    if (p + 33 >= end || b[p] !== QUOTE || b[p + 33] !== QUOTE) return false;
    const view = this.view;
    const known = this.traceId;
    let same = true;
    for (let k = 0; k < 8 && same; k++) same = view.getInt32(p + 1 + 4 * k, true) === known[k];
    if (same) return true;
    if (!this.isHexId(p + 1, 32)) return false;
    for (let k = 0; k < 8; k++) known[k] = view.getInt32(p + 1 + 4 * k, true);
    return true;
  }

  /**
   * Where the number at `p` ends; -1 when it is not a number in JSON's grammar without an exponent
   * (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`), is not finite, or is minus zero. With `read`, its value is put in
   * `this.number` (a time needs no value: only to be a number).
   */
  private numberEnd(b: Buffer, p: number, end: number, read: boolean): number {
    let q = p;
    const negative = b[q] === MINUS;
    if (negative) q++;
    if (q >= end) return -1;
    let c = b[q]!;
    if (c < ZERO || c > NINE) return -1;
    const first = q;
    if (c === ZERO) q++;
    else while (q < end && (c = b[q]!) >= ZERO && c <= NINE) q++;
    const digits = q - first;
    const integer = q;
    if (q < end && b[q] === DOT) {
      const from = ++q;
      while (q < end && (c = b[q]!) >= ZERO && c <= NINE) q++;
      if (q === from) return -1;
    }
    // An exponent, or a digit after a leading zero (`01`), is left to JSON.parse.
    if (q < end && ((c = b[q]!) === 0x65 || c === 0x45 || (c >= ZERO && c <= NINE))) return -1;
    // Without an exponent, a number of up to 308 digits is finite; one without a minus is not minus zero.
    if (!read && !negative && digits <= MAX_FINITE_DIGITS) return q;
    let number: number;
    if (digits <= EXACT_DIGITS && integer === q) {
      number = 0;
      for (let i = first; i < q; i++) number = number * 10 + (b[i]! - ZERO);
      if (negative) number = -number;
    } else number = Number(latin1Slice.call(b, p, q));
    // Minus zero reads back as 0 once the parsed path has written it out: left to that path.
    if (!Number.isFinite(number) || (number === 0 && negative)) return -1;
    this.number = number;
    return q;
  }

  /**
   * Where the attribute value at `p` ends (a string, number, true, false or null; -1 for anything else,
   * nested values included); with `keep`, asked whether the value may stay as it is.
   */
  private valueEnd(b: Buffer, p: number, end: number, key?: string, keep?: (key: string, value: unknown) => boolean): number {
    const c = b[p]!;
    let q: number;
    let value: Scalar;
    if (c === QUOTE) {
      q = this.stringEnd(b, p + 1, end);
      if (q < 0) return -1;
      if (keep === undefined) return q + 1;
      value = this.text(b, p + 1, q++);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      q = this.numberEnd(b, p, end, keep !== undefined);
      if (q < 0 || keep === undefined) return q;
      value = this.number;
    } else if (c === 0x74 /* t */ && p + 4 <= end && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) {
      q = p + 4;
      value = true;
    } else if (c === 0x66 /* f */ && p + 5 <= end && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) {
      q = p + 5;
      value = false;
    } else if (c === 0x6e /* n */ && p + 4 <= end && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
      q = p + 4;
      value = null;
    } else return -1;
    return keep === undefined || keep(key!, value) ? q : -1;
  }

  /** Whether `b[p, end)` begins with the key of `entry`, quotes and colon included. */
  private startsWith(b: Buffer, p: number, end: number, entry: KeyEntry): boolean {
    const bytes = entry.bytes;
    const n = bytes.length;
    if (p + n > end) return false;
    const words = entry.words;
    const whole = words.length - 1;
    if (whole < 0) return b[p] === bytes[0] && b[p + 1] === bytes[1] && b[p + 2] === bytes[2];
    const view = this.view;
    for (let k = 0; k < whole; k++) if (view.getInt32(p + 4 * k, true) !== words[k]) return false;
    return view.getInt32(p + n - 4, true) === words[whole];
  }

  /**
   * The `index`th key of its line, written at `p` (`"key":`); undefined when there is none there. The previous line's key at the same place is tried first: it was
   * checked when it was first met, so bytes equal to it need no other check.
   */
  private keyAt(index: number, b: Buffer, p: number, end: number): KeyEntry | undefined {
    const last = this.lastEntries[index];
    if (last !== undefined && this.startsWith(b, p, end, last)) return last;
    if (p >= end || b[p] !== QUOTE) return undefined;
    const close = this.stringEnd(b, p + 1, end);
    if (close < 0 || close + 1 >= end || b[close + 1] !== COLON) return undefined;
    const key = this.text(b, p + 1, close);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const bytes = Uint8Array.prototype.slice.call(b, p, close + 2);
      // Every key is at least 4 bytes with its quotes and colon, but the empty one.
      const whole = bytes.length >> 2;
      const words = new Int32Array(whole === 0 ? 0 : whole + 1);
      const view = new DataView(bytes.buffer);
      for (let k = 0; k < whole; k++) words[k] = view.getInt32(4 * k, true);
      if (whole > 0) words[whole] = view.getInt32(bytes.length - 4, true);
      entry = { key, bytes, words, kind: this.classifier.classOf(key), line: 0 };
      this.entries.set(key, entry);
    }
    this.lastEntries[index] = entry;
    return entry;
  }
}
