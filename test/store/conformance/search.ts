// Conformance: every search field and their combinations, none-terms, time ranges, and values that are SQL or FTS syntax.
import { beforeEach, describe, expect, it } from 'vitest';
import { traceIdFromLegacy } from '../../../src/model/ids.js';
import type { LogRecord } from '../../../src/model/records.js';
import type { SearchTerm } from '../../../src/model/search-plan.js';
import { batch, log, plan, span, spanId, T0, term, traceId, withoutId } from '../fixtures.js';
import type { Suite } from './suite.js';

export function searchTests(s: Suite): void {
  describe('search', () => {
    const t1 = traceId();
    const s1 = spanId();
    const lines = (): LogRecord[] => [
      log({ time: T0 + 1, body: 'Connection refused by upstream', service: 'checkout', host: 'web-1', severityNumber: 17, traceId: t1, spanId: s1, attributes: { status: 503, method: 'POST', retry: true } }),
      log({ time: T0 + 2, body: 'connection pool exhausted', service: 'checkout', host: 'web-2', severityNumber: 13, attributes: { status: 200, 'http.route': '/pay', http: { method: 'GET' } } }),
      log({ time: T0 + 3, body: 'conn reset; retrying', service: 'cart', host: 'web-1', severityNumber: 9, traceId: t1 }),
      log({ time: T0 + 4, body: 'order 12345 placed', service: 'cart', host: 'web-2', severityNumber: 5, attributes: { order: '12345', tags: ['vip', 'eu'] } }),
      log({ time: T0 + 5, body: 'payment timeout after 30s', service: 'payment', host: 'pay-1', severityNumber: 21, traceId: traceId() }),
      log({ time: T0 + 6, body: 'trace level chatter', service: 'payment', host: 'pay-1', severityNumber: 1 }),
    ];
    beforeEach(async () => {
      await s.store.append(batch({ logs: lines() }));
    });

    it('returns everything newest first for an empty plan', async () => {
      expect(await s.find(plan())).toEqual(lines().reverse().map((l) => l.body));
    });

    it('matches message tokens exactly, whatever their case, and not parts of words', async () => {
      expect(await s.find(plan([[term('msg', 'connection')]]))).toEqual(['connection pool exhausted', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('msg', 'CONNECTION')]]))).toHaveLength(2);
      expect(await s.find(plan([[term('msg', 'conn')]]))).toEqual(['conn reset; retrying']);
      expect(await s.find(plan([[term('msg', '12345')]]))).toEqual(['order 12345 placed']);
      expect(await s.find(plan([[term('msg', 'nothing-like-this')]]))).toEqual([]);
    });

    it('finds a trace by an alias of it and by the legacy value it was derived from', async () => {
      const legacy = traceIdFromLegacy('order-778')!.traceId;
      await s.store.append(batch({
        logs: [log({ time: T0 + 7, body: 'legacy line', service: 'shipping', traceId: legacy }), log({ time: T0 + 8, body: 'aliased line', traceId: t1 })],
        aliases: [{ alias: 'req-42', traceId: t1 }],
      }));
      expect(await s.find(plan([[term('trace', 'order-778')]]))).toEqual(['legacy line']);
      expect(await s.find(plan([[term('trace', 'req-42')]]))).toEqual(['aliased line', 'conn reset; retrying', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('trace', 'no-such-alias')]]))).toEqual([]);
    });

    it('matches message prefixes', async () => {
      expect(await s.find(plan([[term('msg', 'conn', 'prefix')]]))).toEqual(['conn reset; retrying', 'connection pool exhausted', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('msg', 'retr', 'prefix')]]))).toEqual(['conn reset; retrying']);
    });

    it('holds a term when any of its values does, and a value of several tokens when all of them are there', async () => {
      expect(await s.find(plan([[term('msg', ['timeout', 'placed'])]]))).toEqual(['payment timeout after 30s', 'order 12345 placed']);
      expect(await s.find(plan([[term('msg', 'connection-refused')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('msg', 'refused-pool')]]))).toEqual([]);
    });

    it('filters by service, host and level', async () => {
      expect(await s.find(plan([[term('service', 'cart')]]))).toEqual(['order 12345 placed', 'conn reset; retrying']);
      expect(await s.find(plan([[term('service', 'pay', 'prefix')]]))).toHaveLength(2);
      expect(await s.find(plan([[term('service', 'pay')]]))).toEqual([]);
      expect(await s.find(plan([[term('host', 'web-1')]]))).toEqual(['conn reset; retrying', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('host', 'pay', 'prefix')]]))).toHaveLength(2);
      const level = async (name: string) => s.find(plan([[term('level', name)]]));
      expect(await level('error')).toEqual(['Connection refused by upstream']);
      expect(await level('warn')).toEqual(['connection pool exhausted']);
      expect(await level('info')).toEqual(['conn reset; retrying']);
      expect(await level('debug')).toEqual(['order 12345 placed']);
      expect(await level('fatal')).toEqual(['payment timeout after 30s']);
      expect(await level('trace')).toEqual(['trace level chatter']);
      expect(await s.find(plan([[term('level', ['error', 'fatal'])]]))).toHaveLength(2);
    });

    it('maps every SeverityNumber to its level', async () => {
      await s.store.append(batch({ logs: Array.from({ length: 24 }, (_, i) => log({ time: T0 + 100 + i, severityNumber: i + 1, body: `sev ${i + 1}`, service: 'levels' })) }));
      const ranges: Record<string, number[]> = { trace: [1, 4], debug: [5, 8], info: [9, 12], warn: [13, 16], error: [17, 20], fatal: [21, 24] };
      for (const [name, [lo, hi]] of Object.entries(ranges)) {
        const got = await s.find(plan([[term('level', name)], [term('service', 'levels')]]));
        expect(got.sort()).toEqual(Array.from({ length: hi! - lo! + 1 }, (_, i) => `sev ${lo! + i}`).sort());
      }
    });

    it('filters by trace and span ID, exactly or by prefix', async () => {
      expect(await s.find(plan([[term('trace', t1)]]))).toEqual(['conn reset; retrying', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('trace', t1.toUpperCase())]]))).toHaveLength(2);
      expect(await s.find(plan([[term('trace', t1.slice(0, 6), 'prefix')]]))).toEqual(['conn reset; retrying', 'Connection refused by upstream']);
      expect(await s.find(plan([[term('trace', t1.slice(0, 20), 'prefix')]]))).toHaveLength(2);
      expect(await s.find(plan([[term('span', s1)]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('span', s1.slice(0, 5), 'prefix')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('trace', traceId())]]))).toEqual([]);
    });

    it('filters by attribute value: strings, numbers, booleans, array elements, dotted and nested names', async () => {
      expect(await s.find(plan([[term('attr.status', '503')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('attr.method', 'POST')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('attr.retry', 'true')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('attr.tags', 'vip')]]))).toEqual(['order 12345 placed']);
      expect(await s.find(plan([[term('attr.http.route', '/pay')]]))).toEqual(['connection pool exhausted']);
      expect(await s.find(plan([[term('attr.http.method', 'GET')]]))).toEqual(['connection pool exhausted']);
      expect(await s.find(plan([[term('attr.order', '123', 'prefix')]]))).toEqual(['order 12345 placed']);
      expect(await s.find(plan([[term('attr.status', '50')]]))).toEqual([]);
      expect(await s.find(plan([[term('attr.missing', 'x')]]))).toEqual([]);
    });

    it('needs every group and any term within a group, across fields', async () => {
      expect(await s.find(plan([[term('msg', 'connection')], [term('host', 'web-2')]]))).toEqual(['connection pool exhausted']);
      expect(await s.find(plan([[term('msg', 'timeout'), term('service', 'cart')]]))).toEqual(['payment timeout after 30s', 'order 12345 placed', 'conn reset; retrying']);
      expect(await s.find(plan([[term('level', 'error'), term('level', 'fatal')], [term('msg', 'conn', 'prefix'), term('attr.status', '503')]]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('service', 'checkout')], [term('trace', t1)], [term('msg', 'upstream')]]))).toEqual(['Connection refused by upstream']);
    });

    it('excludes what a none-term holds for', async () => {
      expect(await s.find(plan([[term('msg', 'connection')]], [term('msg', 'pool')]))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([], [term('service', 'checkout'), term('level', 'trace')]))).toEqual(['payment timeout after 30s', 'order 12345 placed', 'conn reset; retrying']);
      expect(await s.find(plan([], [term('attr.status', '200')]))).toHaveLength(5);
      expect(await s.find(plan([[term('service', 'cart')]], [term('trace', t1)]))).toEqual(['order 12345 placed']);
    });

    it('keeps to the time range, both ends included', async () => {
      expect(await s.find(plan([], [], { from: T0 + 2, to: T0 + 4 }))).toEqual(['order 12345 placed', 'conn reset; retrying', 'connection pool exhausted']);
      expect(await s.find(plan([], [], { from: T0 + 5 }))).toHaveLength(2);
      expect(await s.find(plan([], [], { to: T0 + 1 }))).toEqual(['Connection refused by upstream']);
      expect(await s.find(plan([[term('msg', 'connection')]], [], { from: T0 + 2 }))).toEqual(['connection pool exhausted']);
      expect(await s.find(plan([], [], { from: T0 + 7, to: T0 + 100 }))).toEqual([]);
    });

    it('finds nothing for values no record has, and for values without a token', async () => {
      expect(await s.find(plan([[term('service', 'unknown-service')]]))).toEqual([]);
      expect(await s.find(plan([[term('msg', '--')]]))).toEqual([]);
      expect(await s.find(plan([[term('msg', '')]]))).toEqual([]);
      expect(await s.find(plan([[term('service', 'cart')]], [term('msg', '')]))).toHaveLength(2);
    });

    it('rejects a field it does not know, naming it', async () => {
      await expect(s.store.search(plan([[term('colour' as SearchTerm['field'], 'red')]]), { limit: 10 })).rejects.toThrow(/colour/);
    });

    it('gives each record one ID, the same in search and trace', async () => {
      const all = await s.everything();
      expect(new Set(all.map((l) => l.id)).size).toBe(all.length);
      const again = await s.everything();
      expect(again.map((l) => l.id)).toEqual(all.map((l) => l.id));
      const viaTrace = (await s.store.trace(t1))!.logs.map((l) => l.id).sort();
      expect(viaTrace).toEqual(all.filter((l) => l.traceId === t1).map((l) => l.id).sort());
    });
  });
  describe('tricky values', () => {
    const nasty = ['"', "'; DROP TABLE logs; --", 'NEAR(a b)', 'a OR b', '*', 'AND', '\\', '%_', 'ça coûte 10€', '日本語のログ', 'emoji 🎉 party', ''];

    it('stores and finds values that are SQL or FTS syntax, unicode, or empty', async () => {
      const logs = nasty.map((text, i) => log({ time: T0 + i, body: `value ${text} end`, service: `svc ${text}`, host: text, attributes: { [`key ${text}`]: text, plain: text } }));
      await s.store.append(batch({ logs, aliases: [{ alias: `alias ${nasty[1]}`, traceId: traceId() }] }));
      expect((await s.everything()).map(withoutId).reverse()).toEqual(logs);
      for (const text of nasty) {
        expect(await s.find(plan([[term('service', `svc ${text}`)]]))).toEqual([`value ${text} end`]);
        expect(await s.find(plan([[term('attr.plain', text)]]))).toEqual([`value ${text} end`]);
        expect(await s.find(plan([[term(`attr.key ${text}`, text)]]))).toEqual([`value ${text} end`]);
        if (text !== '') expect(await s.find(plan([[term('host', text)]]))).toEqual([`value ${text} end`]);
        // The message as a query: its tokens, all of them.
        const hits = await s.find(plan([[term('msg', `value ${text} end`)]]));
        expect(hits).toContain(`value ${text} end`);
      }
      expect(await s.find(plan([[term('msg', "'; DROP TABLE logs; --")]]))).toEqual([`value ${nasty[1]} end`]);
      expect(await s.find(plan([[term('msg', 'NEAR(')]]))).toEqual(['value NEAR(a b) end']);
      expect(await s.find(plan([[term('msg', 'coûte')]]))).toEqual(['value ça coûte 10€ end']);
      expect(await s.find(plan([[term('msg', '日本語のログ')]]))).toEqual(['value 日本語のログ end']);
      expect((await s.store.trace(`alias ${nasty[1]}`))?.aliases).toEqual([`alias ${nasty[1]}`]);
      expect((await s.store.stats()).logs).toBe(nasty.length);
    });

    it('stores an empty message and a huge one', async () => {
      const huge = `${'lorem ipsum dolor sit amet '.repeat(40_000)}needle-at-the-end`;
      const t = traceId();
      await s.store.append(batch({ logs: [log({ body: '', traceId: t, time: T0 }), log({ body: huge, traceId: t, time: T0 + 1 })] }));
      const found = (await s.store.trace(t))!;
      expect(found.logs.map((l) => l.body.length)).toEqual([0, huge.length]);
      expect(found.logs[1]!.body).toBe(huge);
      expect(await s.find(plan([[term('msg', 'needle')]]))).toHaveLength(1);
      expect(await s.find(plan([[term('msg', 'lorem')], [term('msg', 'at')]]))).toHaveLength(1);
    });

    it('keeps control characters and new lines in messages', async () => {
      const body = 'line one\nline two\r\n\ttabbed\u0000nul\u001b[31mred';
      await s.store.append(batch({ logs: [log({ body })] }));
      expect((await s.everything())[0]!.body).toBe(body);
      expect(await s.find(plan([[term('msg', 'tabbed')]]))).toEqual([body]);
      expect(await s.find(plan([[term('msg', 'nul')], [term('msg', '31mred')]]))).toEqual([body]);
    });
  });
}
