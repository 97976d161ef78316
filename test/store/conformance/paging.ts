// Conformance: paging with cursors while lines arrive, and random plans checked against the model.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/model/records.js';
import type { SearchTerm } from '../../../src/model/search-plan.js';
import type { StoredLog } from '../../../src/store/types.js';
import { allPages, batch, bodies, log, plan, random, spanId, T0, term, traceId } from '../fixtures.js';
import { expectedSearch } from '../model.js';
import type { Suite } from './suite.js';

function isNewestFirst(logs: readonly StoredLog[]): boolean {
  return logs.every((l, i) => i === 0 || logs[i - 1]!.time >= l.time);
}

export function pagingTests(s: Suite): void {
  describe('paging', () => {
    it('pages through everything once, newest first, with ties in time', async () => {
      const logs = Array.from({ length: 157 }, (_, i) => log({ time: T0 + Math.floor(i / 4), body: `p${i}`, service: ['a', 'b', 'c'][i % 3]!, host: ['h1', 'h2'][i % 2]! }));
      await s.store.append(batch({ logs: logs.slice(0, 80) }));
      await s.store.append(batch({ logs: logs.slice(80) }));
      for (const limit of [1, 7, 50, 157, 500]) {
        const pages = await allPages(s.store, plan(), limit);
        expect(pages.map((l) => l.body).sort()).toEqual(logs.map((l) => l.body).sort());
        expect(isNewestFirst(pages)).toBe(true);
      }
    });

    it('stays correct while new lines arrive between pages: nothing twice, nothing that was there missed', async () => {
      const original = Array.from({ length: 60 }, (_, i) => log({ time: T0 + i * 1000, body: `orig ${i}`, service: i % 2 ? 'a' : 'b' }));
      await s.store.append(batch({ logs: original }));
      let k = 0;
      const seen = await allPages(s.store, plan([[term('msg', 'orig'), term('msg', 'late')]]), 7, async (page) => {
        // Newer lines, older lines, and lines at exactly the times being paged through.
        const at = T0 + (60 - (page + 1) * 7) * 1000;
        await s.store.append(batch({ logs: [log({ time: T0 + 10_000_000 + k++, body: `late newer ${k}` }), log({ time: T0 - 10_000_000 - k++, body: `late older ${k}` }), log({ time: at, body: `late same ${k++}`, service: 'c' })] }));
      });
      const got = seen.map((l) => l.body);
      expect(new Set(got).size).toBe(got.length);
      for (const l of original) expect(got).toContain(l.body);
      expect(got.some((b) => b.startsWith('late newer'))).toBe(false);
      expect(isNewestFirst(seen)).toBe(true);
    });

    it('pages a filtered search, and says when there is no more', async () => {
      await s.store.append(batch({ logs: Array.from({ length: 40 }, (_, i) => log({ time: T0 + i, body: i % 4 === 0 ? `match ${i}` : `skip ${i}` })) }));
      const first = await s.store.search(plan([[term('msg', 'match')]]), { limit: 4 });
      expect(bodies(first.logs)).toEqual(['match 36', 'match 32', 'match 28', 'match 24']);
      const second = await s.store.search(plan([[term('msg', 'match')]]), { limit: 6, cursor: first.nextCursor! });
      expect(bodies(second.logs)).toEqual(['match 20', 'match 16', 'match 12', 'match 8', 'match 4', 'match 0']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('rejects a cursor it did not make', async () => {
      await s.store.append(batch({ logs: [log()] }));
      await expect(s.store.search(plan(), { limit: 10, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    });
  });
  describe('against a model', () => {
    it('agrees with the plain meaning of random plans over random data', async () => {
      const rnd = random(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const words = ['alpha', 'beta', 'gamma', 'delta', 'Error', 'timeout', 'conn', 'connection', '42', 'über', 'naïve'];
      const traces = Array.from({ length: 12 }, traceId);
      const spans = Array.from({ length: 12 }, spanId);
      const times = Array.from({ length: 700 }, (_, i) => T0 + i * 37_000).sort(() => rnd() - 0.5);
      const logs: LogRecord[] = times.map((time, i) => {
        const record = log({
          time,
          body: Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pick(words)).join(pick([' ', ', ', '-', ': '])) + ` #${i}`,
          service: pick(['api', 'apigw', 'db', 'cart']),
          host: pick(['h1', 'h2', 'h3']),
          severityNumber: 1 + Math.floor(rnd() * 24),
        });
        if (rnd() < 0.7) record.traceId = pick(traces);
        if (rnd() < 0.5) record.spanId = pick(spans);
        if (rnd() < 0.6) record.attributes = { status: pick([200, 404, 500]), method: pick(['GET', 'POST']), route: { name: pick(['/a', '/b']) }, tags: [pick(['x', 'y']), pick(['y', 'z'])] };
        return record;
      });
      for (let at = 0; at < logs.length; ) {
        const size = 1 + Math.floor(rnd() * 200);
        await s.store.append(batch({ logs: logs.slice(at, at + size) }));
        at += size;
      }
      const randomTerm = (): SearchTerm => {
        const prefix = rnd() < 0.25;
        switch (pick(['msg', 'msg', 'service', 'host', 'level', 'trace', 'span', 'attr'])) {
          case 'msg':
            return term('msg', prefix ? [pick(words).slice(0, 3).toLowerCase()] : [pick(words), ...(rnd() < 0.3 ? [pick(words)] : [])], prefix ? 'prefix' : 'exact');
          case 'service':
            return term('service', prefix ? 'api' : pick(['api', 'db', 'cart', 'nope']), prefix ? 'prefix' : 'exact');
          case 'host':
            return term('host', pick(['h1', 'h2', 'h3']));
          case 'level':
            return term('level', [pick(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])]);
          case 'trace':
            return prefix ? term('trace', pick(traces).slice(0, 3), 'prefix') : term('trace', pick(traces));
          case 'span':
            return term('span', pick(spans));
          default:
            return pick([term('attr.status', pick(['200', '404', '500'])), term('attr.method', 'GET'), term('attr.route.name', '/a'), term('attr.tags', 'y')]);
        }
      };
      for (let round = 0; round < 120; round++) {
        const groups = Array.from({ length: Math.floor(rnd() * 3) }, () => Array.from({ length: 1 + Math.floor(rnd() * 2) }, randomTerm));
        const none = rnd() < 0.3 ? [randomTerm()] : [];
        const range: { from?: number; to?: number } = {};
        if (rnd() < 0.3) range.from = T0 + Math.floor(rnd() * 700) * 37_000;
        if (rnd() < 0.3) range.to = T0 + Math.floor(rnd() * 700) * 37_000;
        const p = plan(groups, none, range);
        const got = bodies(await allPages(s.store, p, 1 + Math.floor(rnd() * 60)));
        expect({ plan: p, got }).toEqual({ plan: p, got: bodies(expectedSearch(logs, p)) });
      }
    });
  });
}
