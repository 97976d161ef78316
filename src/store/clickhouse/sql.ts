// Values as ClickHouse SQL literals. 18.16 has no query parameters, so every value is quoted here and
// nowhere else: strings escaped byte-safely, numbers checked to be what the column holds.
import { StoreError } from '../errors.js';

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'" };

/** A string literal: quotes and backslashes escaped, control characters as \xHH, everything else as UTF-8. */
export function str(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${value.replace(/[\\'\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** A whole number literal (Int64 range, as far as a JS number reaches exactly). */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new StoreError('STORE_BAD_QUERY', `expected a whole number, got ${String(value)}`);
  return String(value);
}

/** A UInt64 held as decimal text (attempt keys exceed 2^53). */
export function u64(value: string): string {
  if (!/^\d{1,20}$/.test(value)) throw new StoreError('STORE_BAD_QUERY', `expected an unsigned 64-bit number, got ${JSON.stringify(value)}`);
  return value;
}

export const strList = (values: readonly string[]): string => values.map(str).join(', ');
