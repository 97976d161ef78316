// Conformance: per-service counts, vocabularies, and retention by age and by size.
import { describe, expect, it } from 'vitest';
import { batch, bodies, log, span, T0, traceId } from '../fixtures.js';
import type { Suite } from './suite.js';

const NOW = () => Math.floor(Date.now() * 1000);
const SEC = 1_000_000;

export function upkeepTests(s: Suite): void {
  describe('services and vocabulary', () => {
    it('counts logs, spans and error logs per service, with first and last seen', async () => {
      await s.store.append(batch({
        logs: [log({ service: 'api', time: T0 + 10, severityNumber: 17 }), log({ service: 'api', time: T0 + 30 }), log({ service: 'api', time: T0 + 20, severityNumber: 21 }), log({ service: 'db', time: T0 + 5 }), log({ time: T0, service: undefined })],
        spans: [span({ service: 'api', start: T0 + 1 }), span({ service: 'worker', start: T0 + 40 })],
      }));
      await s.store.append(batch({ logs: [log({ service: 'db', time: T0 + 50, severityNumber: 18 })] }));
      const services = await s.store.services();
      expect([...services].sort((a, b) => a.service.localeCompare(b.service))).toEqual([
        { service: 'api', logs: 3, spans: 1, errorLogs: 2, firstSeen: T0 + 1, lastSeen: T0 + 30 },
        { service: 'db', logs: 2, spans: 0, errorLogs: 1, firstSeen: T0 + 5, lastSeen: T0 + 50 },
        { service: 'worker', logs: 0, spans: 1, errorLogs: 0, firstSeen: T0 + 40, lastSeen: T0 + 40 },
      ]);
    });

    it('lists message tokens, services and hosts starting with a prefix, at most `limit`', async () => {
      await s.store.append(batch({ logs: [log({ body: 'Connection reset, connect again: CONNECTOR conveyor', service: 'checkout', host: 'web-1' }), log({ body: 'other words', service: 'cart', host: 'worker-9' })] }));
      expect(new Set(await s.store.vocabulary('msg', 'con', 100))).toEqual(new Set(['connection', 'connect', 'connector', 'conveyor']));
      expect(await s.store.vocabulary('msg', 'con', 2)).toHaveLength(2);
      expect(await s.store.vocabulary('msg', 'zzz', 10)).toEqual([]);
      expect(new Set(await s.store.vocabulary('service', 'c', 10))).toEqual(new Set(['checkout', 'cart']));
      expect(await s.store.vocabulary('service', 'ch', 10)).toEqual(['checkout']);
      expect(new Set(await s.store.vocabulary('host', 'w', 10))).toEqual(new Set(['web-1', 'worker-9']));
      const all = await s.store.vocabulary('msg', '', 1000);
      expect(all).toContain('reset');
      expect(all.every((t) => /^[\p{L}\p{N}]+$/u.test(t))).toBe(true);
    });
  });
  describe('retention', () => {
    it('deletes records older than the age kept, and leaves the rest', async () => {
      const now = NOW();
      const t = traceId();
      await s.store.append(batch({
        logs: [log({ time: now - 7200 * SEC, body: 'two hours old', traceId: t }), log({ time: now - 5400 * SEC, body: 'ninety minutes old', service: 'cart' }), log({ time: now - 60 * SEC, body: 'a minute old', traceId: t }), log({ time: now - SEC, body: 'fresh', service: 'cart' })],
        spans: [span({ start: now - 7200 * SEC, traceId: t }), span({ start: now - 30 * SEC })],
      }));
      const result = await s.store.applyRetention({ maxAgeUs: 3600 * SEC });
      expect(result).toEqual({ deletedLogs: 2, deletedSpans: 1 });
      expect(bodies(await s.everything())).toEqual(['fresh', 'a minute old']);
      expect(bodies((await s.store.trace(t))!.logs)).toEqual(['a minute old']);
      expect((await s.store.trace(t))!.spans).toEqual([]);
      const stats = await s.store.stats();
      expect([stats.logs, stats.spans]).toEqual([2, 1]);
      const cart = (await s.store.services()).find((s) => s.service === 'cart')!;
      expect(cart.logs).toBe(1);
      expect(cart.firstSeen).toBeGreaterThanOrEqual(now - 3600 * SEC);
      expect(await s.store.applyRetention({ maxAgeUs: 3600 * SEC })).toEqual({ deletedLogs: 0, deletedSpans: 0 });
    });

    it('deletes the oldest records until the data fits the size kept', async () => {
      const now = NOW();
      const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
      for (let b = 0; b < 20; b++) {
        const logs = Array.from({ length: 500 }, (_, i) => log({ time: now - (20 - b) * 60 * SEC + i * 1000, body: `batch ${b} line ${i} ${words[(b * i) % words.length]} ${'x'.repeat(300)} ${b * 1000 + i}` }));
        await s.store.append(batch({ logs }));
      }
      const before = await s.store.stats();
      expect(before.logs).toBe(10_000);
      const maxBytes = Math.floor(before.bytes / 2);
      const result = await s.store.applyRetention({ maxBytes });
      const after = await s.store.stats();
      expect(after.bytes).toBeLessThanOrEqual(maxBytes);
      expect(result.deletedLogs).toBeGreaterThan(0);
      expect(after.logs).toBe(10_000 - result.deletedLogs);
      expect(after.logs).toBeGreaterThan(0);
      const left = await s.everything();
      expect(left).toHaveLength(after.logs);
      // The newest stayed, the oldest went.
      expect(left[0]!.body).toMatch(/^batch 19 line 499 /);
      expect(left.some((l) => l.body.startsWith('batch 0 '))).toBe(false);
    });

    it('deletes everything when nothing may stay', async () => {
      await s.store.append(batch({ logs: [log(), log({ time: T0 + 1 })], spans: [span()] }));
      const result = await s.store.applyRetention({ maxAgeUs: 0 });
      expect(result).toEqual({ deletedLogs: 2, deletedSpans: 1 });
      expect(await s.everything()).toEqual([]);
      expect(await s.store.services()).toEqual([]);
    });
  });
}
