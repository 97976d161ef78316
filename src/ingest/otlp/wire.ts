// The protobuf wire format, read: varints, fixed 32/64-bit values and length-delimited fields, every length
// checked against the bytes that are left, so a hostile body ends in a WireError and never in a crash.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const WIRE_NAMES: Record<number, string> = {
  0: 'varint',
  1: 'fixed64',
  2: 'length-delimited',
  3: 'start-group',
  4: 'end-group',
  5: 'fixed32',
};

export function wireTypeName(wire: number): string {
  return WIRE_NAMES[wire] ?? `invalid (${wire})`;
}

/** The bytes do not follow the wire format (or not the message we expected). */
export class WireError extends Error {}

const TWO_32 = 4294967296;

/** Reads one message: `buf[pos, end)`. Sub-messages are new readers over a slice of the same buffer. */
export class WireReader {
  pos: number;
  readonly end: number;
  /** The field number and wire type of the tag `next()` read last. */
  field = 0;
  wire = 0;
  // The last varint, as two unsigned 32-bit halves (a JS number holds only 53 bits exactly).
  private lo = 0;
  private hi = 0;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Reads the next tag; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    this.varint();
    if (this.hi !== 0) throw new WireError('a field tag is out of range');
    this.field = this.lo >>> 3;
    this.wire = this.lo & 7;
    if (this.field === 0) throw new WireError('a field has number 0');
    if (this.wire === 3 || this.wire === 4) throw new WireError('groups (wire types 3 and 4) are not supported');
    if (this.wire > 5) throw new WireError(`a field has ${wireTypeName(this.wire)} wire type`);
    return true;
  }

  /** Checks that the current field has the wire type its schema says; `name` is the field's name. */
  expect(wire: number, name: string): void {
    if (this.wire !== wire) {
      throw new WireError(`${name} (field ${this.field}) has wire type ${wireTypeName(this.wire)}, expected ${wireTypeName(wire)}`);
    }
  }

  /** Skips the current field's value, whatever its wire type. */
  skip(): void {
    switch (this.wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      case WIRE_LEN:
        this.advance(this.length());
        return;
      default:
        throw new WireError(`cannot skip wire type ${wireTypeName(this.wire)}`);
    }
  }

  /** uint32, enum, int32 (negative int32 comes back as its two's complement, as proto3 truncates). */
  uint32(): number {
    this.varint();
    return this.lo;
  }

  int32(): number {
    this.varint();
    return this.lo | 0;
  }

  bool(): boolean {
    this.varint();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** int64 as a JSON-safe value: a number when it is exact, else its decimal string. */
  int64(): number | string {
    this.varint();
    if (this.hi < 0x200000) return this.hi * TWO_32 + this.lo;
    const value = BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }

  fixed32(): number {
    const at = this.advance(4);
    return this.buf.readUInt32LE(at);
  }

  fixed64(): bigint {
    const at = this.advance(8);
    return this.buf.readBigUInt64LE(at);
  }

  double(): number {
    const at = this.advance(8);
    return this.buf.readDoubleLE(at);
  }

  /** A length-delimited field's bytes, without copying. */
  bytes(): Buffer {
    const length = this.length();
    const at = this.advance(length);
    return this.buf.subarray(at, at + length);
  }

  /** A string field; invalid UTF-8 becomes U+FFFD, as Node's decoder does. */
  string(): string {
    const length = this.length();
    const at = this.advance(length);
    return this.buf.toString('utf8', at, at + length);
  }

  /** A bytes field as lowercase hex (trace and span IDs). */
  hex(): string {
    const length = this.length();
    const at = this.advance(length);
    return this.buf.toString('hex', at, at + length);
  }

  /** An embedded message: a reader over its bytes. */
  message(): WireReader {
    const length = this.length();
    const at = this.advance(length);
    return new WireReader(this.buf, at, at + length);
  }

  private length(): number {
    this.varint();
    const left = this.end - this.pos;
    if (this.hi !== 0 || this.lo > left) {
      throw new WireError(`a length of ${this.hi !== 0 ? 'over 4 GiB' : this.lo} points past the end (${left} bytes left)`);
    }
    return this.lo;
  }

  /** Moves past `n` bytes and returns where they start. */
  private advance(n: number): number {
    const at = this.pos;
    if (n > this.end - at) throw new WireError(`the message ends ${n - (this.end - at)} bytes early`);
    this.pos = at + n;
    return at;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireError('the message ends inside a varint');
    return this.buf[this.pos++] as number;
  }

  /**
   * Reads a varint into lo/hi. Bytes 1–4 carry bits 0–27, byte 5 bits 28–34 (split across the halves), bytes
   * 6–10 the rest; an 11th byte is an error.
   */
  private varint(): void {
    let lo = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    b = this.byte();
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x70) >> 4;
    if (b < 0x80) {
      this.lo = lo >>> 0;
      this.hi = hi;
      return;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      b = this.byte();
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new WireError('a varint is longer than 10 bytes');
  }
}
