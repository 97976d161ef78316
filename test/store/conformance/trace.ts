// Conformance: traces by ID and alias, logs in time order, spans in start order and stored once.
import { describe, expect, it } from 'vitest';
import { batch, bodies, log, span, T0, traceId } from '../fixtures.js';
import type { Suite } from './suite.js';

export function traceTests(s: Suite): void {
  describe('trace', () => {
    it('finds a trace by ID: logs in time order across batches, spans in start order, its aliases', async () => {
      const t = traceId();
      await s.store.append(batch({ logs: [log({ body: 'third', traceId: t, time: T0 + 300 }), log({ body: 'first', traceId: t, time: T0 + 100, service: 'cart' })] }));
      await s.store.append(batch({ logs: [log({ body: 'second', traceId: t, time: T0 + 200 }), log({ body: 'other trace', traceId: traceId(), time: T0 + 150 })] }));
      const root = span({ traceId: t, name: 'root', start: T0 + 50 });
      const child = span({ traceId: t, name: 'child', start: T0 + 120, parentSpanId: root.spanId, kind: 'client', status: 'error', attributes: { 'http.status_code': 503 } });
      await s.store.append(batch({ spans: [child, root], aliases: [{ alias: 'REQ-42', traceId: t }] }));
      const found = await s.store.trace(t);
      expect(found?.traceId).toBe(t);
      expect(bodies(found!.logs)).toEqual(['first', 'second', 'third']);
      expect(found!.spans).toEqual([root, child]);
      expect(found!.aliases).toEqual(['REQ-42']);
      expect(found!.logs.every((l) => typeof l.id === 'string' && l.id.length > 0)).toBe(true);
    });

    it('finds a trace by any of its aliases, with all of them', async () => {
      const t = traceId();
      await s.store.append(batch({ logs: [log({ traceId: t, body: 'aliased' })], aliases: [{ alias: 'abc-123', traceId: t }, { alias: 'JIRA-7', traceId: t }] }));
      for (const key of ['abc-123', 'JIRA-7']) {
        const found = await s.store.trace(key);
        expect(found?.traceId).toBe(t);
        expect([...found!.aliases].sort()).toEqual(['JIRA-7', 'abc-123']);
        expect(bodies(found!.logs)).toEqual(['aliased']);
      }
    });

    it('returns the most recently linked trace when an alias names several', async () => {
      const older = traceId();
      const newer = traceId();
      await s.store.append(batch({ logs: [log({ traceId: older, body: 'older' })], aliases: [{ alias: 'shared', traceId: older }, { alias: 'only-old', traceId: older }] }));
      await s.store.append(batch({ logs: [log({ traceId: newer, body: 'newer' })], aliases: [{ alias: 'shared', traceId: newer }] }));
      const found = await s.store.trace('shared');
      expect(found?.traceId).toBe(newer);
      expect(found!.aliases).toEqual(['shared']);
      expect((await s.store.trace('only-old'))?.traceId).toBe(older);
    });

    it('accepts the ID in upper case or as a UUID', async () => {
      const t = traceId();
      await s.store.append(batch({ logs: [log({ traceId: t })] }));
      expect((await s.store.trace(t.toUpperCase()))?.traceId).toBe(t);
      const uuid = `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
      expect((await s.store.trace(uuid))?.traceId).toBe(t);
    });

    it('finds a trace that has only spans, and none that is unknown', async () => {
      const only = span();
      await s.store.append(batch({ spans: [only] }));
      expect((await s.store.trace(only.traceId))?.spans).toEqual([only]);
      expect(await s.store.trace(traceId())).toBeUndefined();
      expect(await s.store.trace('never-seen-alias')).toBeUndefined();
      expect(await s.store.trace('')).toBeUndefined();
    });

    it('keeps a span stored twice once, preferring the received copy over the one derived from logs', async () => {
      const derived = span({ name: 'GET /orders (from log)', origin: 'span-end-line', duration: 900 });
      const received = { ...derived, name: 'GET /orders', origin: 'otlp' as const, duration: 1000, attributes: { 'http.route': '/orders' } };
      await s.store.append(batch({ spans: [derived] }));
      await s.store.append(batch({ spans: [received] }));
      await s.store.append(batch({ spans: [derived] }));
      expect((await s.store.trace(derived.traceId))!.spans).toEqual([received]);
      const other = span({ origin: 'otlp' });
      await s.store.append(batch({ spans: [other, { ...other, origin: 'log-extent', name: 'guess' }, other] }));
      expect((await s.store.trace(other.traceId))!.spans).toEqual([other]);
      expect((await s.store.stats()).spans).toBe(2);
      expect((await s.store.services()).find((s) => s.service === 'checkout')?.spans).toBe(2);
    });

    it('gives at most `limit` logs, the earliest', async () => {
      const t = traceId();
      await s.store.append(batch({ logs: [5, 1, 4, 2, 3].map((i) => log({ traceId: t, time: T0 + i, body: `l${i}` })) }));
      expect(bodies((await s.store.trace(t, { limit: 2 }))!.logs)).toEqual(['l1', 'l2']);
    });

    it('finds the lines of a trace among many', async () => {
      const t = traceId();
      const logs = Array.from({ length: 3000 }, (_, i) => log({ time: T0 + i, traceId: i % 500 === 7 ? t : traceId(), body: `line ${i}` }));
      await s.store.append(batch({ logs: logs.slice(0, 1500) }));
      await s.store.append(batch({ logs: logs.slice(1500) }));
      expect(bodies((await s.store.trace(t))!.logs)).toEqual(['line 7', 'line 507', 'line 1007', 'line 1507', 'line 2007', 'line 2507']);
    });
  });
}
