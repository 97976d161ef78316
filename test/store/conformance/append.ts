// Conformance: append — counts, idempotent batch IDs, all or nothing — and stats and close.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/model/records.js';
import { batch, bodies, log, plan, span, spanId, T0, traceId, withoutId } from '../fixtures.js';
import type { Suite } from './suite.js';

export function appendTests(s: Suite): void {
  describe('append', () => {
    it('stores logs, spans and aliases and says how many', async () => {
      const t = traceId();
      const result = await s.store.append(batch({ batchId: 'b-1', logs: [log({ body: 'one', traceId: t }), log({ body: 'two', traceId: t })], spans: [span({ traceId: t })], aliases: [{ alias: 'req-1', traceId: t }] }));
      expect(result).toEqual({ duplicate: false, logs: 2, spans: 1 });
      const stats = await s.store.stats();
      expect([stats.logs, stats.spans, stats.aliases]).toEqual([2, 1, 1]);
    });

    it('gives back every field of a log record as it was stored', async () => {
      const full: LogRecord = {
        time: T0 + 123,
        observedTime: T0 + 456,
        severityNumber: 13,
        severityText: 'WARN',
        body: 'disk almost full',
        traceId: traceId(),
        spanId: spanId(),
        traceFlags: 1,
        service: 'inventory',
        host: 'db-2',
        aliases: ['legacy-7'],
        attributes: { free: 0.05, mount: '/var', tags: ['a', 'b'], nested: { deep: true, none: null } },
        parseError: 'unexpected token at 17',
      };
      const minimal: LogRecord = { time: T0, severityNumber: 0, body: 'raw line' };
      await s.store.append(batch({ logs: [full, minimal] }));
      const stored = (await s.everything()).map(withoutId);
      expect(stored).toEqual([full, minimal]);
    });

    it('stores a batch ID once: a repeat returns duplicate and writes nothing, even with other content', async () => {
      expect((await s.store.append(batch({ batchId: 'retry-me', logs: [log({ body: 'first' })] }))).duplicate).toBe(false);
      const again = await s.store.append(batch({ batchId: 'retry-me', logs: [log({ body: 'second' }), log({ body: 'third' })], spans: [span()], aliases: [{ alias: 'x', traceId: traceId() }] }));
      expect(again).toEqual({ duplicate: true, logs: 0, spans: 0 });
      expect(bodies(await s.everything())).toEqual(['first']);
      const stats = await s.store.stats();
      expect([stats.logs, stats.spans, stats.aliases]).toEqual([1, 0, 0]);
    });

    it('stores the same batch ID once when retries race each other', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => s.store.append(batch({ batchId: 'racing', logs: [log({ body: 'raced' })] }))));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(bodies(await s.everything())).toEqual(['raced']);
    });

    it('stores batches without an ID every time they come', async () => {
      await s.store.append(batch({ logs: [log({ body: 'again' })] }));
      await s.store.append(batch({ logs: [log({ body: 'again' })] }));
      expect(bodies(await s.everything())).toEqual(['again', 'again']);
    });

    it('stores an empty batch, and remembers its ID', async () => {
      expect(await s.store.append(batch({ batchId: 'empty' }))).toEqual({ duplicate: false, logs: 0, spans: 0 });
      expect((await s.store.append(batch({ batchId: 'empty', logs: [log()] }))).duplicate).toBe(true);
      expect((await s.store.stats()).logs).toBe(0);
    });

    it('rejects a batch with a bad record and stores none of it, nor its ID', async () => {
      const bad = batch({ batchId: 'half-bad', logs: [log({ body: 'good line' })], spans: [span({ traceId: 'not-a-trace-id' })] });
      await expect(s.store.append(bad)).rejects.toThrow(/traceId/);
      await expect(s.store.append(batch({ batchId: 'bad-time', logs: [log({ body: 'also good' }), log({ time: Number.NaN })] }))).rejects.toThrow(/time/);
      expect((await s.store.stats()).logs).toBe(0);
      expect((await s.store.append(batch({ batchId: 'half-bad', logs: [log({ body: 'good line' })] }))).duplicate).toBe(false);
      expect(bodies(await s.everything())).toEqual(['good line']);
    });

    it('keeps batches that arrive together apart: one failing does not fail the others', async () => {
      const results = await Promise.allSettled([
        s.store.append(batch({ batchId: 'ok-1', logs: [log({ body: 'ok one' })] })),
        s.store.append(batch({ batchId: 'bad', logs: [log({ time: Number.POSITIVE_INFINITY })] })),
        s.store.append(batch({ batchId: 'ok-2', logs: [log({ body: 'ok two', time: T0 + 1 })] })),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(bodies(await s.everything())).toEqual(['ok two', 'ok one']);
    });
  });
  describe('stats and close', () => {
    it('counts logs, spans, aliases and bytes', async () => {
      const empty = await s.store.stats();
      expect([empty.logs, empty.spans, empty.aliases]).toEqual([0, 0, 0]);
      await s.store.append(batch({ logs: Array.from({ length: 100 }, (_, i) => log({ time: T0 + i, body: `line ${i} ${'y'.repeat(2000)}` })), spans: [span(), span()], aliases: [{ alias: 'a1', traceId: traceId() }] }));
      const stats = await s.store.stats();
      expect([stats.logs, stats.spans, stats.aliases]).toEqual([100, 2, 1]);
      expect(stats.bytes).toBeGreaterThan(empty.bytes);
    });

    it('finishes appends in progress before closing, closes once, and refuses work after', async () => {
      const pending = Array.from({ length: 5 }, (_, i) => s.store.append(batch({ logs: [log({ body: `closing ${i}` })] })));
      const closed = s.store.close();
      expect(s.store.close()).toBe(closed);
      const results = await Promise.all(pending);
      expect(results.every((r) => r.logs === 1)).toBe(true);
      await closed;
      await s.store.close();
      await expect(s.store.append(batch({ logs: [log()] }))).rejects.toThrow();
      await expect(s.store.search(plan(), { limit: 1 })).rejects.toThrow();
    });
  });
}
