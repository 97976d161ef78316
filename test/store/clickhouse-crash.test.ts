// The ClickHouse server killed (SIGKILL) while batches are being written: senders retry what was not
// acknowledged, as the agent does; after the restart every acknowledged batch is there exactly once.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MinuteRollup } from '../../src/model/metrics.js';
import { openClickHouseStore, type ClickHouseStore } from '../../src/store/clickhouse/index.js';
import { ClickHouseServer, HOW_TO_ENABLE, serverCommand, TEST_USER } from './clickhouse/server.js';
import { batch, log, plan, span, spanId, T0, term, traceId } from './fixtures.js';

vi.setConfig({ testTimeout: 240_000 });
const available = serverCommand() !== undefined;

const BATCHES = 120;
const LINES = 300;
const SPANS = 30;
const MINUTE = 60_000_000;

function makeBatch(n: number) {
  const trace = traceId();
  const rollup: MinuteRollup = { service: 'crashy', minute: Math.floor(T0 / MINUTE) * MINUTE, requests: 1, errors: 0, lines: LINES, errorLines: 0, tracedLines: LINES, latency: { count: 1, sum: 5, min: 5, max: 5, buckets: { '5': 1 } } };
  return batch({
    batchId: `crash-${n}`,
    // Every line of batch n carries the token `batchN`, so a search counts the batch's lines.
    logs: Array.from({ length: LINES }, (_, j) => log({ traceId: trace, time: T0 + n * 1000 + j, body: `batch${n} line ${j} ${'x'.repeat(80)}`, service: 'crashy' })),
    spans: Array.from({ length: SPANS }, (_, j) => span({ traceId: trace, spanId: spanId(), start: T0 + n * 1000 + j, service: 'crashy' })),
    aliases: [{ alias: `req-${n}`, traceId: trace }],
    rollups: [rollup],
  });
}

describe.skipIf(!available)('ClickHouse store when the server is killed during ingest', () => {
  let server: ClickHouseServer | undefined;
  let store: ClickHouseStore | undefined;
  beforeAll(async () => {
    server = await ClickHouseServer.start();
  }, 60_000);
  // Closing the store and stopping a server that was killed and restarted can take over 30 s on a busy machine.
  afterAll(async () => {
    await store?.close();
    await server?.remove();
  }, 90_000);

  it('keeps every acknowledged batch exactly once, and loses none that a sender retried', async () => {
    store = await openClickHouseStore({ url: server!.url, database: 'crash', requestTimeoutMs: 15_000, ...TEST_USER });
    const s = store;
    const acked = new Set<number>();
    let failures = 0;
    let next = 0;
    const deadline = Date.now() + 180_000;
    // Four senders, as four agents would: each retries its batch until it is acknowledged.
    const sender = async () => {
      while (next < BATCHES) {
        const n = next++;
        const sent = makeBatch(n);
        for (;;) {
          if (Date.now() > deadline) throw new Error(`batch ${n} was never acknowledged`);
          try {
            await s.append(sent);
            acked.add(n);
            break;
          } catch {
            failures++;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
    };
    // Kill the server twice while the senders write, and start it again on the same data.
    const killer = async () => {
      for (const at of [20, 70]) {
        while (acked.size < at) await new Promise((resolve) => setTimeout(resolve, 5));
        await server!.kill();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server!.launch();
      }
    };
    await Promise.all([sender(), sender(), sender(), sender(), killer()]);
    expect(acked.size).toBe(BATCHES);
    // The kills did cut appends short (else this test would prove nothing).
    expect(failures).toBeGreaterThan(0);

    expect(await s.stats()).toMatchObject({ logs: BATCHES * LINES, spans: BATCHES * SPANS, aliases: BATCHES });
    for (let n = 0; n < BATCHES; n++) {
      const found = await s.search(plan([[term('msg', `batch${n}`)]]), { limit: 1000 });
      expect({ n, lines: found.logs.length }).toEqual({ n, lines: LINES });
      const trace = (await s.trace(`req-${n}`))!;
      expect({ n, lines: trace.logs.length, spans: trace.spans.length }).toEqual({ n, lines: LINES, spans: SPANS });
    }
    const [minute] = await s.rollups({ from: 0, to: Number.MAX_SAFE_INTEGER });
    expect(minute).toMatchObject({ requests: BATCHES, lines: BATCHES * LINES });
    // A retry now, of anything sent before, is a duplicate.
    expect((await s.append(makeBatch(7))).duplicate).toBe(true);
    // What the crashes left half-written is on disk but no read sees it; retention deletes it once the
    // appends are old enough to be taken for dead (here at once), and nothing visible changes.
    const raw = async () => Number(await server!.sql('SELECT count() FROM crash.logs'));
    expect(await raw()).toBeGreaterThanOrEqual(BATCHES * LINES);
    const janitor = await openClickHouseStore({ url: server!.url, database: 'crash', abandonedAfterUs: 1, ...TEST_USER });
    expect(await janitor.applyRetention({})).toEqual({ deletedLogs: 0, deletedSpans: 0 });
    await janitor.close();
    expect(await raw()).toBe(BATCHES * LINES);
    expect(await s.stats()).toMatchObject({ logs: BATCHES * LINES, spans: BATCHES * SPANS, aliases: BATCHES });
    expect((await s.append(makeBatch(3))).duplicate).toBe(true);
  });
});

// Without a server, one skipped test says how to enable these (with one, nothing is skipped).
if (!available) {
  describe('ClickHouse store when the server is killed during ingest (skipped)', () => {
    it.skip(HOW_TO_ENABLE, () => {});
  });
}
