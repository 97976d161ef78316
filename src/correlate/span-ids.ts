// Deterministic span IDs for derived spans, so the same trace derives the same IDs every time it is read.
import { createHash } from 'node:crypto';

/** 16 lowercase hex from a hash of the parts; never the invalid all-zero ID. */
export function derivedSpanId(...parts: (string | number | undefined)[]): string {
  const id = createHash('sha256').update(parts.map((p) => (p === undefined ? '' : String(p))).join('\u0000')).digest('hex').slice(0, 16);
  return id === '0000000000000000' ? '0000000000000001' : id;
}
