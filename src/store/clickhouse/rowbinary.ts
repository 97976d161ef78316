// Rows in ClickHouse's RowBinary format (every column in table order, little-endian numbers, strings and
// arrays prefixed by a LEB128 length): the per-line tables are written this way, since the server parses
// it in about half the time JSONEachRow takes and nothing needs escaping.

export class RowBinary {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(value: number): void {
    this.room(1);
    this.buf[this.at++] = value;
  }

  u16(value: number): void {
    this.room(2);
    this.at = this.buf.writeUInt16LE(value, this.at);
  }

  u32(value: number): void {
    this.room(4);
    this.at = this.buf.writeUInt32LE(value, this.at);
  }

  /** A whole number (safe in a JS number) as Int64. */
  i64(value: number): void {
    this.room(8);
    this.at = this.buf.writeBigInt64LE(BigInt(value), this.at);
  }

  /** Eight bytes as they are (a UInt64 encoded once, such as an append's key). */
  raw8(bytes: Buffer): void {
    this.room(8);
    this.at += bytes.copy(this.buf, this.at, 0, 8);
  }

  private length(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }

  str(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.length(bytes);
    this.room(bytes);
    this.at += this.buf.write(value, this.at, 'utf8');
  }

  strings(values: Iterable<string> & { length?: number; size?: number }): void {
    this.length(values.length ?? values.size ?? 0);
    for (const v of values) this.str(v);
  }

  get size(): number {
    return this.at;
  }

  /** RowBinary rows follow one another with no delimiter. */
  endRow(): void {}

  /** The rows written so far (a view: copy it before writing more). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** A UInt64 from its decimal text, as RowBinary's eight little-endian bytes. */
export function u64Bytes(decimal: string): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64LE(BigInt(decimal));
  return out;
}
