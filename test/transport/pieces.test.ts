// The shipper's small parts on their own: backoff, Retry-After, line fitting, safe JSON, the line queue.
import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../adapters/shared/backoff.js';
import { fitLine } from '../../adapters/shared/line-limit.js';
import { LineQueue } from '../../adapters/shared/line-queue.js';
import { safeStringify } from '../../adapters/shared/safe-stringify.js';

describe('backoff', () => {
  it('draws from [0, min(cap, base·2^attempt)) with full jitter', () => {
    expect(backoffDelay(0, 200, 30_000, () => 0.999)).toBe(199);
    expect(backoffDelay(3, 200, 30_000, () => 0.5)).toBe(800);
    expect(backoffDelay(20, 200, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5000, 200, 30_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or a date, clamped, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('fitLine', () => {
  it('never splits a surrogate pair and always fits', () => {
    for (const max of [1024, 1025, 1026, 1027, 1500]) {
      const line = fitLine('😀'.repeat(2000), max);
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(max);
      const msg = JSON.parse(line).msg as string;
      expect(msg).toMatch(/^(😀)+$/u);
    }
  });

  it('fits even when the small fields alone would not', () => {
    const fields = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`field${i}`, 'v'.repeat(10)]));
    const line = fitLine(JSON.stringify({ ...fields, msg: 'm'.repeat(3000) }), 1024);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1024);
    expect(JSON.parse(line)).toMatchObject({ logstitch_truncated: true, field0: 'vvvvvvvvvv' });
  });

  it('re-serialises JSON spread over lines and wraps other multi-line text', () => {
    expect(fitLine('{"a":\n1}', 1024)).toBe('{"a":1}');
    expect(fitLine('one\ntwo', 1024)).toBe('{"msg":"one\\ntwo"}');
  });
});

describe('safeStringify', () => {
  it('survives whatever it is handed', () => {
    const hostile = {
      get boom(): never {
        throw new Error('getter exploded');
      },
      map: new Map<unknown, unknown>([['k', 1n]]),
      set: new Set([1, 2]),
      when: new Date(0),
      fn: () => 1,
      nested: { a: [undefined, Symbol('s')] },
    };
    expect(JSON.parse(safeStringify(hostile))).toEqual({
      boom: '[Unserializable: getter exploded]',
      map: { k: '1' },
      set: [1, 2],
      when: '1970-01-01T00:00:00.000Z',
      nested: { a: [null, null] },
    });
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 50; i++) deep = deep.next = {};
    expect(safeStringify(top)).toContain('"[Too deep]"');
    const shared = { x: 1 };
    expect(JSON.parse(safeStringify({ a: shared, b: shared }))).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});

describe('LineQueue', () => {
  it('drops from the head, takes in order and keeps sequence numbers contiguous', () => {
    const queue = new LineQueue();
    for (let i = 0; i < 3000; i++) queue.push(`l${i}`, 10);
    expect(queue.dropOldestBeyond(10 * 1000)).toBe(2000);
    expect(queue.headSeq).toBe(2000);
    const { lines, bytes } = queue.take(5, 1000);
    expect(lines).toEqual(['l2000', 'l2001', 'l2002', 'l2003', 'l2004']);
    expect(bytes).toBe(50);
    expect(queue.take(100, 25).lines).toEqual(['l2005', 'l2006']);
    expect([queue.length, queue.bytes, queue.headSeq, queue.nextSeq]).toEqual([993, 9930, 2007, 3000]);
    expect(queue.clear()).toBe(993);
    expect([queue.length, queue.headSeq, queue.nextSeq]).toEqual([0, 3000, 3000]);
  });
});
