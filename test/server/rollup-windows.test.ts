// The figures a trace view shows beside a trace come from minute rollups remembered for a few seconds:
// views of traces from the same quarter hour share one read, and nothing shown is older than the TTL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MinuteRollup } from '../../src/model/metrics.js';
import { RollupWindows, ROLLUP_WINDOW_TTL_US } from '../../src/server/rollup-windows.js';
import { SqliteStore } from '../../src/store/index.js';

const MINUTE = 60_000_000;
const T0 = 28_866_000 * MINUTE; // a whole minute in 2024
const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function store(): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-windows-'));
  dirs.push(dir);
  const s = await SqliteStore.open({ dataDir: dir, threads: 'inline' });
  stores.push(s);
  return s;
}

function rollup(service: string, minute: number, requests: number, errors: number): MinuteRollup {
  return { service, minute, requests, errors, lines: requests, errorLines: errors, tracedLines: requests, latency: { count: 0, sum: 0, min: 0, max: 0, buckets: {} } };
}

const totals = (rows: MinuteRollup[], from: number, to: number) =>
  rows.filter((r) => r.minute >= from && r.minute < to).reduce((sum, r) => ({ requests: sum.requests + r.requests, errors: sum.errors + r.errors }), { requests: 0, errors: 0 });

describe('rollup windows for trace views', () => {
  it('answers what the store holds, shows new figures once the remembered ones are older than the TTL, and never older ones', async () => {
    const s = await store();
    let now = T0 + 40 * MINUTE;
    const windows = new RollupWindows(s, () => now);
    await s.append({ logs: [], spans: [], aliases: [], rollups: [rollup('checkout', T0, 10, 1), rollup('checkout', T0 + 5 * MINUTE, 10, 0), rollup('shipping', T0 + 20 * MINUTE, 4, 4)] });

    const from = T0 - 15 * MINUTE;
    const to = T0 + 15 * MINUTE;
    expect(totals(await windows.read(from, to), from, to)).toEqual({ requests: 20, errors: 1 });
    expect(totals(await windows.read(from, to), from, to)).toEqual(totals(await s.rollups({ from, to }), from, to));

    // More errors arrive in a minute of the window: within the TTL the view may show the figures it read.
    await s.append({ logs: [], spans: [], aliases: [], rollups: [rollup('checkout', T0 + 5 * MINUTE, 10, 10)] });
    now += ROLLUP_WINDOW_TTL_US / 2;
    expect(totals(await windows.read(from, to), from, to)).toEqual({ requests: 20, errors: 1 });
    // Past it, the store is read again.
    now += ROLLUP_WINDOW_TTL_US;
    expect(totals(await windows.read(from, to), from, to)).toEqual({ requests: 30, errors: 11 });

    // A window reaching past what was remembered is read whole: the shipping minute is there.
    const wider = await windows.read(from, to + 10 * MINUTE);
    expect(totals(wider, from, to + 10 * MINUTE)).toEqual({ requests: 34, errors: 15 });
  });
});
