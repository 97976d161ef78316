// The SQLite store: the conformance suite on a real database file (in the caller's thread, and in worker
// threads as the compiled indexer runs it), then what only SQLite promises: reopening, surviving kill -9.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/store/sqlite/encode.js';
import { openDatabase } from '../../src/store/sqlite/schema.js';
import { Writer } from '../../src/store/sqlite/writer.js';
import { openStore, SqliteStore, StoreError } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { buildStore, importBuiltStore } from './build.js';
import { describeStoreConformance } from './conformance.js';
import { allPages, batch, bodies, log, plan, span, T0, term, traceId } from './fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-store-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const built = await importBuiltStore();

describeStoreConformance('SQLite, inline', () => openStore({ dataDir: tempDir(), threads: 'inline' }));
describeStoreConformance('SQLite, worker threads', () => built.openStore({ dataDir: tempDir(), threads: 'worker' }));

describe('SQLite store', () => {
  const everything = async (store: Store) => allPages(store, plan(), 1000);

  it('runs in worker threads from compiled code and inline from source', async () => {
    const compiled = (await built.openStore({ dataDir: tempDir() })) as SqliteStore;
    expect(compiled.threads).toBe('worker');
    await compiled.close();
    const source = (await openStore({ dataDir: tempDir() })) as SqliteStore;
    expect(source.threads).toBe('inline');
    await source.close();
    await expect(openStore({ dataDir: tempDir(), threads: 'worker' })).rejects.toThrow(/compiled/);
  });

  it.each([
    ['inline', (dataDir: string) => openStore({ dataDir, threads: 'inline' })],
    ['worker', (dataDir: string) => built.openStore({ dataDir, threads: 'worker', synchronous: 'full' })],
  ] as const)('keeps everything across close and reopen (%s)', async (_mode, open) => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const t = traceId();
    let store = await open(dataDir);
    await store.append(batch({ batchId: 'kept', logs: [log({ traceId: t, body: 'survives' })], spans: [span({ traceId: t })], aliases: [{ alias: 'old-id', traceId: t }] }));
    await store.close();
    expect(existsSync(join(dataDir, 'logstitch.db'))).toBe(true);
    store = await open(dataDir);
    expect(bodies((await store.trace('old-id'))!.logs)).toEqual(['survives']);
    expect((await store.append(batch({ batchId: 'kept', logs: [log()] }))).duplicate).toBe(true);
    expect(await store.stats()).toMatchObject({ logs: 1, spans: 1, aliases: 1 });
    await store.close();
    const db = new Database(join(dataDir, 'logstitch.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('leaves every acknowledged batch exactly once after the writer is killed with SIGKILL', async () => {
    const dataDir = tempDir();
    const storeModule = pathToFileURL(join(buildStore(), 'src/store/index.js')).href;
    const acked = new Set<number>();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'writer-child.mjs'), storeModule, dataDir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let buffered = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
        if (acked.size >= 60) resolve();
      });
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const last = Math.max(...acked) + 8;

    const store = await openStore({ dataDir });
    const perBatch = async () => {
      const counts = new Map<string, number>();
      for (const l of await everything(store)) {
        const id = l.body.split(' ')[1]!;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    const counts = await perBatch();
    for (const n of acked) expect(counts.get(`b${n}`), `acknowledged batch b${n}`).toBe(200);
    for (const [id, count] of counts) expect(count, `batch ${id} is all or nothing`).toBe(200);
    // The sender retries what it never heard back about: the stored ones are duplicates.
    for (let n = 0; n <= last; n++) {
      const logs = Array.from({ length: 200 }, (_, j) => log({ time: 1_700_000_000_000_000 + n * 1000 + j, body: `batch b${n} line ${j} ${'filler '.repeat(20)}`, service: `svc${n % 3}` }));
      const result = await store.append(batch({ batchId: `b${n}`, logs }));
      expect(result.duplicate).toBe(counts.has(`b${n}`));
    }
    const after = await perBatch();
    expect(after.size).toBe(last + 1);
    expect([...after.values()].every((c) => c === 200)).toBe(true);
    await store.close();
  }, 60_000);

  it.each(['close', 'leave'])('lets the process end by itself when the store is idle (%s)', async (how) => {
    const dataDir = tempDir();
    const storeModule = pathToFileURL(join(buildStore(), 'src/store/index.js')).href;
    const child = spawn(process.execPath, [join(import.meta.dirname, 'idle-child.mjs'), storeModule, dataDir, how], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect([code, out]).toEqual([0, `done ${how}\n`]);
    const store = await openStore({ dataDir });
    expect(bodies(await everything(store))).toEqual(['still here']);
    await store.close();
  });

  it('fails one batch of a group alone, and keeps the names of the others', () => {
    const db = openDatabase({ dataDir: tempDir() }, 'writer');
    const writer = new Writer(db);
    const good = (service: string, body: string) => encodeBatch(batch({ logs: [log({ service, body })] }));
    const broken = encodeBatch(batch({ logs: [log({ service: 'broken-svc' })] }));
    (broken.blocks[0] as { bodies: unknown }).bodies = { not: 'text' };
    const results = writer.appendGroup([good('svc-a', 'a'), broken, good('svc-b', 'b'), good('broken-svc', 'c')]);
    expect(results.map((r) => r instanceof Error)).toEqual([false, true, false, false]);
    expect(db.prepare('SELECT count(*) FROM blocks').pluck().get()).toBe(3);
    expect(db.prepare('SELECT name FROM names ORDER BY name').pluck().all()).toEqual(['broken-svc', 'svc-a', 'svc-b', 'web-1']);
    db.close();
  });

  it('keeps a span stored twice once in its trace even when the copies arrive a restart apart', async () => {
    const dataDir = tempDir();
    const derived = span({ origin: 'span-end-line', name: 'from the log line' });
    const received = { ...derived, origin: 'otlp' as const, name: 'from the SDK' };
    let store = await openStore({ dataDir });
    await store.append(batch({ spans: [received] }));
    await store.close();
    store = await openStore({ dataDir });
    await store.append(batch({ spans: [derived] }));
    expect((await store.trace(derived.traceId))!.spans).toEqual([received]);
    await store.close();
  });

  it('forgets, with a rolled-back batch, the spans it would have stored', () => {
    const db = openDatabase({ dataDir: tempDir() }, 'writer');
    const writer = new Writer(db);
    const s = span();
    const broken = encodeBatch(batch({ spans: [s], aliases: [{ alias: 'a', traceId: s.traceId }] }));
    (broken.aliases as unknown[])[0] = { not: 'text' };
    expect(writer.appendGroup([broken])[0]).toBeInstanceOf(Error);
    expect(writer.appendGroup([encodeBatch(batch({ spans: [{ ...s, origin: 'log-extent' }] }))])[0]).toMatchObject({ spans: 1 });
    expect(db.prepare('SELECT origin FROM spans').pluck().all()).toEqual([5]);
    db.close();
  });

  it('trims the rows before the age cutoff from a block that straddles it, and cursors stay valid', async () => {
    const store = await openStore({ dataDir: tempDir() });
    const now = Date.now() * 1000;
    const age = 600_000_000;
    // One block: the same service and host, within five seconds.
    const logs = Array.from({ length: 40 }, (_, i) => log({ time: now - age - 2_000_000 + i * 100_000, body: `edge ${i}`, severityNumber: i % 2 ? 17 : 9 }));
    await store.append(batch({ logs }));
    const page = await store.search(plan(), { limit: 5 });
    const result = await store.applyRetention({ maxAgeUs: age });
    expect(result.deletedLogs).toBeGreaterThanOrEqual(19);
    expect(result.deletedLogs).toBeLessThanOrEqual(21);
    const left = await everything(store);
    expect(left.length).toBe(40 - result.deletedLogs);
    expect(left.every((l) => l.time >= now - age)).toBe(true);
    const rest = await allPages(store, plan(), 5);
    expect(bodies(rest)).toEqual(bodies(left));
    const next = await store.search(plan(), { limit: 100, cursor: page.nextCursor! });
    expect(bodies(next.logs)).toEqual(bodies(left).slice(5));
    const [service] = await store.services();
    expect(service!.logs).toBe(left.length);
    expect(service!.errorLogs).toBe(left.filter((l) => l.severityNumber === 17).length);
    await store.close();
  });

  it('forgets batch IDs older than their time to live', async () => {
    const store = await openStore({ dataDir: tempDir(), batchIdTtlUs: 1 });
    await store.append(batch({ batchId: 'short-lived', logs: [log()] }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.applyRetention({});
    expect((await store.append(batch({ batchId: 'short-lived', logs: [log()] }))).duplicate).toBe(false);
    await store.close();
  });

  it('links the aliases a log line carries to its trace', async () => {
    const store = await openStore({ dataDir: tempDir() });
    const t = traceId();
    await store.append(batch({ logs: [log({ traceId: t, aliases: ['X-REQ-9', 'job-77'], body: 'carried' })] }));
    expect((await store.trace('job-77'))?.traceId).toBe(t);
    expect((await store.trace(t))!.aliases).toEqual(['X-REQ-9', 'job-77']);
    await store.close();
  });

  it('stores a lone surrogate as U+FFFD without disturbing the records beside it', async () => {
    const store = await openStore({ dataDir: tempDir() });
    await store.append(batch({ logs: [log({ body: 'before', time: T0 }), log({ body: 'bad \ud800 half', time: T0 + 1 }), log({ body: 'after 😀', time: T0 + 2 })] }));
    expect(bodies(await everything(store))).toEqual(['after 😀', 'bad \ufffd half', 'before']);
    await store.close();
  });

  it('keeps a trace ID that is not 32 hex digits as given, and finds it by search', async () => {
    const store = await openStore({ dataDir: tempDir() });
    await store.append(batch({ logs: [log({ traceId: 'legacy-trace-1', spanId: 'xyz', body: 'odd ids' })] }));
    const [stored] = await everything(store);
    expect([stored!.traceId, stored!.spanId]).toEqual(['legacy-trace-1', 'xyz']);
    expect(bodies(await allPages(store, plan([[term('trace', 'legacy-trace-1')]]), 10))).toEqual(['odd ids']);
    await store.close();
  });

  it('refuses a database of another schema version, saying what to do', async () => {
    const dataDir = tempDir();
    await (await openStore({ dataDir })).close();
    const db = new Database(join(dataDir, 'logstitch.db'));
    db.prepare("UPDATE meta SET value = 999 WHERE key = 'schema'").run();
    db.close();
    const error = await openStore({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'STORE_INCOMPATIBLE', message: expect.stringMatching(/schema 999/) });
    // From a worker thread the error arrives the same.
    expect(await built.openStore({ dataDir, threads: 'worker' }).catch((e: unknown) => e)).toMatchObject({ code: 'STORE_INCOMPATIBLE' });
  });

  it('makes appends wait, not fail, beyond maxPendingAppends', async () => {
    for (const open of [openStore, built.openStore]) {
      const store = await open({ dataDir: tempDir(), maxPendingAppends: 2 });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => store.append(batch({ batchId: `p${i}`, logs: [log({ body: `pending ${i}`, time: T0 + i })] }))));
      expect(results.every((r) => !r.duplicate && r.logs === 1)).toBe(true);
      expect((await store.stats()).logs).toBe(25);
      await store.close();
    }
  });

  it('needs a data directory', async () => {
    await expect(openStore({ dataDir: '' })).rejects.toMatchObject({ code: 'STORE_BAD_CONFIG' });
  });

  it('pages newest first through blocks that overlap in time', async () => {
    const store = await openStore({ dataDir: tempDir() });
    const logs = Array.from({ length: 1000 }, (_, i) => log({ time: T0 + ((i * 7919) % 1000) * 10_000, body: `o${i}`, service: `s${i % 5}`, host: `h${i % 3}` }));
    for (let i = 0; i < 1000; i += 130) await store.append(batch({ logs: logs.slice(i, i + 130) }));
    const got = await allPages(store, plan(), 33);
    expect(got.map((l) => l.time)).toEqual(logs.map((l) => l.time).sort((a, b) => b - a));
    await store.close();
  });
});

describe('SQLite store, message matching', () => {
  it('matches tokens the same way whether the text is plain ASCII or needs full Unicode case mapping', async () => {
    const store = await openStore({ dataDir: tempDir() });
    const lines = ['ΟΔΟΣ ΣΟΦΙΑΣ closed', 'İstanbul office', 'plain Office hours', 'ŞEHİR merkezi', 'Straße gesperrt', 'x'.repeat(70) + ' long', 'y'.repeat(64) + ' exact'];
    await store.append(batch({ logs: lines.map((body, i) => log({ body, time: T0 + i })) }));
    const find = async (value: string, match: 'exact' | 'prefix' = 'exact') => bodies(await allPages(store, plan([[term('msg', value, match)]]), 100));
    expect(await find('ΟΔΟΣ')).toEqual(['ΟΔΟΣ ΣΟΦΙΑΣ closed']);
    expect(await find('σοφιας')).toEqual(['ΟΔΟΣ ΣΟΦΙΑΣ closed']);
    expect(await find('σοφια\u03c3')).toEqual([]);
    expect(await find('ΣΟΦΙΑΣ')).toEqual(['ΟΔΟΣ ΣΟΦΙΑΣ closed']);
    expect(await find('office')).toEqual(['plain Office hours', 'İstanbul office']);
    expect(await find('İstanbul')).toEqual(['İstanbul office']);
    expect(await find('straße')).toEqual(['Straße gesperrt']);
    expect(await find('stra', 'prefix')).toEqual(['Straße gesperrt']);
    expect(await find('x'.repeat(70))).toEqual(['x'.repeat(70) + ' long']);
    expect(await find('x'.repeat(64))).toEqual(['x'.repeat(70) + ' long']);
    expect(await find('y'.repeat(64))).toEqual(['y'.repeat(64) + ' exact']);
    expect(await find('y'.repeat(63))).toEqual([]);
    await store.close();
  });
});
