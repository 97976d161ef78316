// Conformance: what the correlation engine reads back — alias links (with the line that made them),
// aliases naming several traces, spans by time, and per-minute metric rollups.
import { describe, expect, it } from 'vitest';
import type { LatencyHistogram, MinuteRollup } from '../../../src/model/metrics.js';
import { batch, log, span, T0, traceId } from '../fixtures.js';
import type { Suite } from './suite.js';

const MINUTE = 60_000_000;
const M0 = Math.floor(T0 / MINUTE) * MINUTE;

/** A histogram of values, each counted in the bucket named by the value itself (enough for a store, which only adds). */
function hist(values: Record<string, number>): LatencyHistogram {
  const keys = Object.keys(values).map(Number);
  const count = Object.values(values).reduce((a, b) => a + b, 0);
  return { count, sum: keys.reduce((a, k) => a + k * values[k]!, 0), min: Math.min(...keys), max: Math.max(...keys), buckets: values };
}

function rollup(overrides: Partial<MinuteRollup> = {}): MinuteRollup {
  return { service: 'checkout', minute: M0, requests: 10, errors: 1, lines: 40, errorLines: 2, tracedLines: 30, latency: hist({ '10': 6, '20': 4 }), ...overrides };
}

export function derivedTests(s: Suite): void {
  describe('alias links', () => {
    it('lists the links of traces and of aliases, with the line that joined them', async () => {
      const [t1, t2] = [traceId(), traceId()];
      await s.store.append(batch({
        logs: [log({ body: 'order placed', service: 'checkout', time: T0 + 5, traceId: t1, aliases: ['abc-123'] })],
        aliases: [{ alias: 'order-9', traceId: t1 }, { alias: 'order-9', traceId: t2 }],
      }));
      const ofTrace = await s.store.aliasLinks({ traceIds: [t1] }, 100);
      expect(ofTrace.map((l) => l.alias).sort()).toEqual(['abc-123', 'order-9']);
      expect(ofTrace.find((l) => l.alias === 'abc-123')).toMatchObject({ traceId: t1, joinedBy: { service: 'checkout', time: T0 + 5, body: 'order placed' } });
      expect(ofTrace.find((l) => l.alias === 'order-9')!.joinedBy).toBeUndefined();
      expect(ofTrace.every((l) => Number.isSafeInteger(l.linked) && l.linked > 0)).toBe(true);
      const ofAlias = await s.store.aliasLinks({ aliases: ['order-9'] }, 100);
      expect(ofAlias.map((l) => l.traceId).sort()).toEqual([t1, t2].sort());
      expect(await s.store.aliasLinks({ aliases: ['nobody'], traceIds: [traceId()] }, 100)).toEqual([]);
      expect(await s.store.aliasLinks({ traceIds: [t1] }, 1)).toHaveLength(1);
    });

    it('names the aliases that more than one trace claims', async () => {
      const [t1, t2, t3] = [traceId(), traceId(), traceId()];
      await s.store.append(batch({ aliases: [{ alias: 'shared', traceId: t1 }, { alias: 'shared', traceId: t2 }, { alias: 'shared', traceId: t3 }, { alias: 'pair', traceId: t1 }, { alias: 'pair', traceId: t2 }, { alias: 'alone', traceId: t3 }] }));
      expect(await s.store.ambiguousAliases(10)).toEqual([
        { alias: 'shared', traceIds: [t1, t2, t3].sort() },
        { alias: 'pair', traceIds: [t1, t2].sort() },
      ]);
      expect(await s.store.ambiguousAliases(1)).toHaveLength(1);
    });
  });

  describe('spans by time', () => {
    it('returns the spans that started in a range, oldest first, each once', async () => {
      const t = traceId();
      const a = span({ traceId: t, start: T0 + 100, name: 'a', origin: 'span-end-line' });
      const b = span({ traceId: t, start: T0 + 50, name: 'b' });
      const c = span({ traceId: t, start: T0 + 900, name: 'c' });
      await s.store.append(batch({ spans: [a, b, c] }));
      await s.store.append(batch({ spans: [{ ...a, name: 'a received', origin: 'otlp' }] }));
      const found = await s.store.spans({ from: T0, to: T0 + 500, limit: 100 });
      expect(found.map((x) => x.name)).toEqual(['b', 'a received']);
      expect(await s.store.spans({ from: T0, to: T0 + 1000, limit: 1 })).toHaveLength(1);
    });
  });

  describe('metric rollups', () => {
    it('adds up the rollups of many batches per service and minute, histograms bucket by bucket', async () => {
      await s.store.append(batch({ rollups: [rollup(), rollup({ service: 'inventory', requests: 3, errors: 0, latency: hist({ '5': 3 }) })] }));
      await s.store.append(batch({ rollups: [rollup({ requests: 5, errors: 4, lines: 1, errorLines: 1, tracedLines: 0, latency: hist({ '20': 1, '30': 4 }) }), rollup({ minute: M0 + MINUTE, requests: 1, errors: 0, latency: hist({ '1': 1 }) })] }));
      const all = await s.store.rollups({ from: M0, to: M0 + 2 * MINUTE });
      expect(all).toEqual([
        { service: 'checkout', minute: M0, requests: 15, errors: 5, lines: 41, errorLines: 3, tracedLines: 30, latency: { count: 15, sum: 6 * 10 + 5 * 20 + 4 * 30, min: 10, max: 30, buckets: { '10': 6, '20': 5, '30': 4 } } },
        { service: 'inventory', minute: M0, requests: 3, errors: 0, lines: 40, errorLines: 2, tracedLines: 30, latency: hist({ '5': 3 }) },
        rollup({ minute: M0 + MINUTE, requests: 1, errors: 0, latency: hist({ '1': 1 }) }),
      ]);
      expect((await s.store.rollups({ from: M0 + MINUTE, to: M0 + 2 * MINUTE })).map((r) => r.minute)).toEqual([M0 + MINUTE]);
      expect((await s.store.rollups({ from: M0, to: M0 + 2 * MINUTE, services: ['inventory'] })).map((r) => r.service)).toEqual(['inventory']);
      // Counts alone, without the histograms.
      const counts = await s.store.rollups({ from: M0, to: M0 + 2 * MINUTE, latency: false });
      expect(counts.map((r) => [r.service, r.requests])).toEqual([['checkout', 15], ['inventory', 3], ['checkout', 1]]);
      expect(counts.every((r) => r.latency.count === 0)).toBe(true);
      // Hours add up their minutes (M0 and M0 + 1 min may straddle an hour; sum whatever hours hold them).
      const H = 60 * MINUTE;
      const hours = await s.store.rollups({ from: Math.floor(M0 / H) * H, to: Math.floor(M0 / H) * H + 2 * H, resolution: 'hour' });
      const checkout = hours.filter((r) => r.service === 'checkout');
      expect(checkout.reduce((n, r) => n + r.requests, 0)).toBe(16);
      expect(checkout.reduce((n, r) => n + r.latency.count, 0)).toBe(15 + 1);
      expect(hours.every((r) => r.minute % H === 0)).toBe(true);
    });

    it('counts a retried batch once, and stores nothing of a batch that fails', async () => {
      await s.store.append(batch({ batchId: 'r-1', logs: [log()], rollups: [rollup()] }));
      expect((await s.store.append(batch({ batchId: 'r-1', logs: [log()], rollups: [rollup()] }))).duplicate).toBe(true);
      await expect(s.store.append(batch({ logs: [log()], spans: [span({ traceId: 'nope' })], rollups: [rollup({ requests: 1000 })] }))).rejects.toThrow();
      expect((await s.store.rollups({ from: M0, to: M0 + MINUTE }))[0]!.requests).toBe(10);
    });

    it('refuses a rollup that is not a minute or not counts', async () => {
      await expect(s.store.append(batch({ rollups: [rollup({ minute: M0 + 1 })] }))).rejects.toThrow(/minute/);
      await expect(s.store.append(batch({ rollups: [rollup({ errors: -1 })] }))).rejects.toThrow(/errors/);
      expect(await s.store.rollups({ from: 0, to: Number.MAX_SAFE_INTEGER })).toEqual([]);
    });

    it('drops the minutes retention by age no longer keeps', async () => {
      const now = Math.floor(Date.now() / 60_000) * MINUTE;
      await s.store.append(batch({ rollups: [rollup({ minute: now - 120 * MINUTE }), rollup({ minute: now - MINUTE })] }));
      await s.store.applyRetention({ maxAgeUs: 60 * MINUTE });
      expect((await s.store.rollups({ from: 0, to: Number.MAX_SAFE_INTEGER })).map((r) => r.minute)).toEqual([now - MINUTE]);
    });
  });
}
