// The ClickHouse store on a real ClickHouse server (one per file, started here on free ports in a temporary
// directory): the conformance suite, then what only this store promises — schema versions, options, users.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openClickHouseStore, type ClickHouseStoreOptions } from '../../src/store/clickhouse/index.js';
import { describeStoreConformance } from './conformance.js';
import { encodeBatch } from '../../src/store/clickhouse/encode.js';
import type { IngestBatch } from '../../src/store/types.js';
import { ClickHouseServer, freePort, HOW_TO_ENABLE, serverCommand, TEST_USER } from './clickhouse/server.js';
import { allPages, batch, bodies, log, plan, span, T0, traceId } from './fixtures.js';

// Every store call is an HTTP round trip to a server process (several ms each on a busy 2-core machine),
// so the conformance suite's longest tests (hundreds of searches) need more than the default 30 s.
vi.setConfig({ testTimeout: 120_000 });

const available = serverCommand() !== undefined;
if (!available) console.warn(`ClickHouse store tests skipped: ${HOW_TO_ENABLE}`);

let server: ClickHouseServer | undefined;
let databases = 0;
const options = (extra: Partial<ClickHouseStoreOptions> = {}): ClickHouseStoreOptions => ({ url: server!.url, database: `t${process.pid}_${databases++}`, ...TEST_USER, ...extra });

describe.skipIf(!available)('ClickHouse store', () => {
  beforeAll(async () => {
    server = await ClickHouseServer.start();
  }, 60_000);
  afterAll(async () => {
    await server?.remove();
  });

  describeStoreConformance('ClickHouse', () => openClickHouseStore(options()));

  describe('what only the ClickHouse store promises', () => {
    /** Rows as an indexer writes them for append `attempt`, put straight into the tables (as a crashed one leaves them). */
    async function writeRaw(database: string, attempt: string, sent: IngestBatch, state: { claim?: 1 | -1; commit?: string }) {
      const rows = encodeBatch(sent, attempt, Date.now() * 1000, Date.now() * 1000).rows;
      for (const [table, body] of Object.entries(rows)) {
        if (body.length === 0) continue;
        const query = `INSERT INTO ${database}.${table} FORMAT ${typeof body === 'string' ? 'JSONEachRow' : 'RowBinary'}`;
        const res = await fetch(`${server!.url}/?query=${encodeURIComponent(query)}`, { method: 'POST', body });
        expect(res.ok, await res.text()).toBe(true);
      }
      if (state.claim !== undefined) await server!.sql(`INSERT INTO ${database}.pending FORMAT JSONEachRow\n{"attempt":${attempt},"sign":${state.claim},"batch_id":"","claimed":${Date.now() * 1000}}`);
      if (state.commit !== undefined) await server!.sql(`INSERT INTO ${database}.batches FORMAT JSONEachRow\n{"batch_id":${JSON.stringify(state.commit)},"attempt":${attempt},"committed":${Date.now() * 1000}}`);
    }

    it('keeps its data and batch IDs across reopening, and records the schema version', async () => {
      const opts = options();
      const t = traceId();
      let store = await openClickHouseStore(opts);
      expect(store.serverVersion).toMatch(/^\d+\.\d+/);
      await store.append(batch({ batchId: 'kept', logs: [log({ traceId: t, body: 'survives' })], spans: [span({ traceId: t })], aliases: [{ alias: 'old-id', traceId: t }] }));
      await store.close();
      store = await openClickHouseStore(opts);
      expect(bodies((await store.trace('old-id'))!.logs)).toEqual(['survives']);
      expect((await store.append(batch({ batchId: 'kept', logs: [log()] }))).duplicate).toBe(true);
      await store.close();
      expect(await server!.sql(`SELECT max(version) FROM ${opts.database}.schema_version`)).toBe('1\n');
    });

    it('refuses a database whose schema is newer than it knows', async () => {
      const opts = options();
      await (await openClickHouseStore(opts)).close();
      await server!.sql(`INSERT INTO ${opts.database}.schema_version VALUES (99, 0)`);
      await expect(openClickHouseStore(opts)).rejects.toMatchObject({ code: 'STORE_INCOMPATIBLE', message: expect.stringMatching(/version 99/) });
    });

    it('says clearly what is wrong with its options or its server', async () => {
      await expect(openClickHouseStore({ url: '' })).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG', message: expect.stringMatching(/url/) });
      await expect(openClickHouseStore({ url: 'ftp://x' })).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG' });
      await expect(openClickHouseStore(options({ database: 'bad-name; DROP' }))).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG', message: expect.stringMatching(/database/) });
      await expect(openClickHouseStore(options({ password: 'wrong' }))).rejects.toMatchObject({ code: 'STORE_ENGINE_FAILED', message: expect.stringMatching(/password/) });
      await expect(openClickHouseStore(options({ cluster: 'nowhere' }))).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG', message: expect.stringMatching(/nowhere/) });
      const closed = `http://127.0.0.1:${await freePort()}`;
      await expect(openClickHouseStore({ url: closed })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining(closed) });
    });

    it('shows no row of an append that never committed, and one copy of a batch two appends raced on', async () => {
      const opts = options();
      const store = await openClickHouseStore({ ...opts, visibilityMaxAgeMs: 0 });
      await store.append(batch({ logs: [log({ body: 'committed normally' })] }));
      // A crashed indexer: claimed, wrote its rows, never committed.
      await writeRaw(opts.database!, '1001', batch({ batchId: 'crashed', logs: [log({ body: 'half written' })], spans: [span()] }), { claim: 1 });
      expect(bodies(await allPages(store, plan(), 100))).toEqual(['committed normally']);
      expect(await store.stats()).toMatchObject({ logs: 1, spans: 0 });
      // Its retry is stored (the claim left behind does not make it a duplicate) and shows once.
      expect((await store.append(batch({ batchId: 'crashed', logs: [log({ body: 'half written' })], spans: [span()] }))).duplicate).toBe(false);
      expect(bodies(await allPages(store, plan(), 100)).sort()).toEqual(['committed normally', 'half written']);
      // Two indexers that both committed one batch ID (a race): only the lower attempt is seen.
      await writeRaw(opts.database!, '2002', batch({ logs: [log({ body: 'raced, lower' })] }), { commit: 'raced' });
      await writeRaw(opts.database!, '3003', batch({ logs: [log({ body: 'raced, higher' })] }), { commit: 'raced' });
      await server!.sql(`INSERT INTO ${opts.database}.contested FORMAT JSONEachRow\n{"batch_id":"raced","at":0}`);
      expect(bodies(await allPages(store, plan(), 100)).sort()).toEqual(['committed normally', 'half written', 'raced, lower']);
      expect((await store.append(batch({ batchId: 'raced', logs: [log()] }))).duplicate).toBe(true);
      await store.close();
    });

    it('rounds a time with a fraction of a µs to a whole µs', async () => {
      const store = await openClickHouseStore(options());
      await store.append(batch({ logs: [log({ time: T0 + 0.6, body: 'fractional' })] }));
      expect((await allPages(store, plan(), 10))[0]!.time).toBe(T0 + 1);
      await store.close();
    });
  });
});

// Without a server, one skipped test says how to enable these (with one, nothing is skipped).
if (!available) {
  describe('ClickHouse store (skipped)', () => {
    it.skip(HOW_TO_ENABLE, () => {});
  });
}
