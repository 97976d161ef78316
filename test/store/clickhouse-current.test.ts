// The ClickHouse store on a current ClickHouse engine — chDB's libchdb, run in this process and reached
// through @clickhouse/client's `connection` hook, so the store's own client code runs unchanged — with the
// conformance suite the 18.16 server passes (test/store/clickhouse.test.ts), and what differs between them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainPending } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import { createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeBatch } from '../../src/store/clickhouse/encode.js';
import { openClickHouseStore, type ClickHouseStoreOptions } from '../../src/store/clickhouse/index.js';
import type { ClientConnection } from '../../src/store/clickhouse/options.js';
import { describeStoreConformance } from './conformance.js';
import { allPages, batch, bodies, log, plan, span, T0, traceId, withoutId } from './fixtures.js';

vi.setConfig({ testTimeout: 120_000 });

// libchdb binds one data directory per process; vitest runs each test file in a process of its own.
const dir = mkdtempSync(join(tmpdir(), 'logstitch-chdb-'));
const dataPath = join(dir, 'data');

/**
 * A chDB connection (a session on the one data directory) whose close waits for the statements still
 * running on it: closing a chDB session under a running statement aborts the engine for the whole process.
 */
function chdbConnection(): ClientConnection {
  // chDB declares the hook's contract with @clickhouse/client-common's types, the client with its own
  // bundled copy of them: one contract, two declarations that differ in detail (the settings' type).
  const inner = createChdbConnection({ path: dataPath }) as unknown as ClientConnection;
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  };
  return {
    ping: (params) => track(inner.ping(params)),
    query: (params) => track(inner.query(params)),
    insert: (params) => track(inner.insert(params)),
    command: (params) => track(inner.command(params)),
    exec: (params) => track(inner.exec(params)),
    close: async () => {
      await Promise.allSettled([...running]);
      await inner.close();
    },
  };
}

let databases = 0;
const options = (extra: Partial<ClickHouseStoreOptions> = {}): ClickHouseStoreOptions => ({ url: `chdb://${dataPath}`, connection: chdbConnection, database: `c${process.pid}_${databases++}`, ...extra });

afterAll(async () => {
  await drainPending();
  rmSync(dir, { recursive: true, force: true });
});

describe('ClickHouse store on a current ClickHouse (chDB)', () => {
  it('runs on a current engine, not on 18.16', async () => {
    const store = await openClickHouseStore(options());
    const [major] = store.serverVersion.split('.').map(Number);
    expect(major).toBeGreaterThanOrEqual(24);
    await store.close();
  });

  describeStoreConformance('ClickHouse (current, chDB)', () => openClickHouseStore(options()));

  describe('what only the ClickHouse store promises, on a current engine', () => {
    it('keeps its data and batch IDs across reopening', async () => {
      const opts = options();
      const t = traceId();
      let store = await openClickHouseStore(opts);
      await store.append(batch({ batchId: 'kept', logs: [log({ traceId: t, body: 'survives' })], spans: [span({ traceId: t })], aliases: [{ alias: 'old-id', traceId: t }] }));
      await store.close();
      store = await openClickHouseStore(opts);
      expect(bodies((await store.trace('old-id'))!.logs)).toEqual(['survives']);
      expect((await store.append(batch({ batchId: 'kept', logs: [log()] }))).duplicate).toBe(true);
      await store.close();
    });

    it('rounds a time with a fraction of a µs to a whole µs', async () => {
      const store = await openClickHouseStore(options());
      await store.append(batch({ logs: [log({ time: T0 + 0.6, body: 'fractional' })] }));
      expect((await allPages(store, plan(), 10))[0]!.time).toBe(T0 + 1);
      await store.close();
    });

    it('reads the RowBinary rows the HTTP path sends exactly as the rows this connection sends as text', async () => {
      // chDB's connection hands insert bodies over as UTF-8 text, so a store on it writes JSONCompactEachRow;
      // the engine's RowBinary parser is reached here through format() with the bytes escaped in the query.
      const opts = options({ visibilityMaxAgeMs: 0 });
      const store = await openClickHouseStore(opts);
      const t = traceId();
      const sent = batch({
        logs: [
          log({ traceId: t, spanId: 'b7ad6b7169203331', time: T0 + 5, body: 'tab\there, ünïcode ✓, nul \u0000 and 😀', severityNumber: 17, severityText: 'ERROR', observedTime: T0 + 9, traceFlags: 1, attributes: { user: { id: 42, tags: ['a', 'b'] }, 'http.status': 500 } }),
          log({ time: T0 + 6, body: 'no trace', host: undefined, service: undefined }),
        ],
      });
      await store.append(sent);
      const raw = createClient({ connection: chdbConnection() });
      try {
        const binary = encodeBatch(sent, '18446744073709551557', T0, T0, true).rows;
        for (const table of ['logs', 'trace_index'] as const) {
          const body = binary[table] as Buffer;
          const columns = await (await raw.query({ query: `SELECT name, type FROM system.columns WHERE database = '${opts.database}' AND table = '${table}' ORDER BY position`, format: 'JSONEachRow' })).json<{ name: string; type: string }>();
          const structure = columns.map((c) => `${c.name} ${c.type}`).join(', ');
          const bytes = [...body].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
          await raw.command({ query: `INSERT INTO ${opts.database}.${table} SELECT * FROM format(RowBinary, '${structure}', '${bytes}')` });
        }
      } finally {
        await raw.close();
      }
      const found = await allPages(store, plan(), 10);
      expect(found).toHaveLength(4);
      // Newest first: the two copies of each line side by side, equal in every field but the store's ID.
      expect(withoutId(found[0]!)).toEqual(withoutId(found[1]!));
      expect(withoutId(found[2]!)).toEqual(withoutId(found[3]!));
      expect(found[2]!.body).toBe(sent.logs![0]!.body);
      expect(new Set(found.map((l) => l.id.split(':')[0]))).toContain('18446744073709551557');
      // Both copies are in the trace index too.
      expect(bodies((await store.trace(t))!.logs)).toEqual([sent.logs![0]!.body, sent.logs![0]!.body]);
      await store.close();
    });

    it('stores one batch of old lines spread over 150 days (150 partitions in one insert)', async () => {
      // Current servers refuse an insert into more than 100 partitions by default (18.16 had no such limit).
      const store = await openClickHouseStore(options());
      const day = 86_400_000_000;
      const logs = Array.from({ length: 150 }, (_, i) => log({ time: T0 - i * day, body: `day ${i}` }));
      expect(await store.append(batch({ logs }))).toMatchObject({ duplicate: false, logs: 150 });
      expect(await store.stats()).toMatchObject({ logs: 150 });
      expect((await allPages(store, plan(), 1000)).at(-1)!.body).toBe('day 149');
      await store.close();
    });

    it('refuses a cluster on a connection of its own, saying why', async () => {
      await expect(openClickHouseStore(options({ cluster: 'two' }))).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG', message: expect.stringMatching(/one node/) });
    });
  });
});
