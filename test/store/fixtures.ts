// Builders for store tests: log records, spans and batches with sensible defaults, IDs from a seeded source.
import { expect } from 'vitest';
import type { LogRecord, Span } from '../../src/model/records.js';
import type { SearchPlan, SearchTerm } from '../../src/model/search-plan.js';
import type { IngestBatch, Store, StoredLog } from '../../src/store/types.js';

/** A seeded PRNG (xorshift32), so a failing randomized test fails the same way again. */
export function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const idSource = random(20240601);
const hex = (bytes: number) => Array.from({ length: bytes }, () => Math.floor(idSource() * 256).toString(16).padStart(2, '0')).join('');

export const traceId = (): string => hex(16);
export const spanId = (): string => hex(8);

/** An hour ago, in µs: recent enough for any retention the suite does not ask for. */
export const T0 = Math.floor(Date.now() / 1000) * 1_000_000 - 3_600_000_000;

export function log(overrides: Partial<LogRecord> = {}): LogRecord {
  return { time: T0, severityNumber: 9, body: 'request handled', service: 'checkout', host: 'web-1', ...overrides };
}

export function span(overrides: Partial<Span> = {}): Span {
  return { traceId: traceId(), spanId: spanId(), name: 'GET /orders', kind: 'server', start: T0, duration: 1000, status: 'ok', service: 'checkout', ...overrides };
}

export function batch(parts: Partial<IngestBatch> = {}): IngestBatch {
  return { logs: [], spans: [], aliases: [], ...parts };
}

export function term(field: SearchTerm['field'], values: string | string[], match: SearchTerm['match'] = 'exact'): SearchTerm {
  return { field, values: Array.isArray(values) ? values : [values], match };
}

/** A plan from groups of terms (each inner array is one OR group) and none-terms. */
export function plan(all: SearchTerm[][] = [], none: SearchTerm[] = [], range: { from?: number; to?: number } = {}): SearchPlan {
  return { all, none, ...range };
}

/** Every page of a search, following cursors; `between` runs after each page (to append meanwhile). */
export async function allPages(store: Store, p: SearchPlan, limit: number, between?: (page: number) => Promise<void>): Promise<StoredLog[]> {
  const out: StoredLog[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const result = await store.search(p, { limit, ...(cursor !== undefined ? { cursor } : {}) });
    expect(result.logs.length).toBeLessThanOrEqual(limit);
    out.push(...result.logs);
    cursor = result.nextCursor;
    if (cursor === undefined) return out;
    expect(result.logs.length).toBe(limit);
    await between?.(page);
  }
  throw new Error('search never ended');
}

/** A log record as the store gives it back, without its store ID. */
export function withoutId(stored: StoredLog): LogRecord {
  const { id: _id, ...record } = stored;
  return record;
}

export const bodies = (logs: readonly LogRecord[]): string[] => logs.map((l) => l.body);
