// The per-line tables' rows as JSONCompactEachRow text (one JSON array a row, columns in table order), for
// connections that carry insert bodies as text: RowBinary's bytes would not survive being decoded as UTF-8.
import type { RowBinary } from './rowbinary.js';

/** What encoding a row takes: RowBinary's writers, column by column, and the end of each row. */
export type RowSink = Pick<RowBinary, 'u8' | 'u16' | 'u32' | 'i64' | 'raw8' | 'str' | 'strings' | 'endRow'>;

export class JsonRows implements RowSink {
  private out = '';
  private row: string[] = [];

  u8(value: number): void {
    this.row.push(String(value));
  }

  u16(value: number): void {
    this.row.push(String(value));
  }

  u32(value: number): void {
    this.row.push(String(value));
  }

  i64(value: number): void {
    this.row.push(String(value));
  }

  /** A UInt64 given as RowBinary's eight bytes, as its decimal digits (JSON numbers carry all 64 bits here). */
  raw8(bytes: Buffer): void {
    this.row.push(bytes.readBigUInt64LE().toString());
  }

  str(value: string): void {
    this.row.push(JSON.stringify(value));
  }

  strings(values: Iterable<string>): void {
    this.row.push(JSON.stringify([...values]));
  }

  endRow(): void {
    this.out += `[${this.row.join(',')}]\n`;
    this.row = [];
  }

  text(): string {
    return this.out;
  }
}
