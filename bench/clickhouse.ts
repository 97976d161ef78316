// bench/clickhouse: the bench/ingest and bench/lookup workloads (pino-style lines posted to /ingest in
// batches of 1,000, four in flight; then trace lookups over HTTP) against the SQLite store and against
// ClickHouse — one shard, then two shards (two servers, Distributed tables, one indexer per server behind
// a round-robin "load balancer") — in one run; plus the error-rate query (/api/metrics/errors) and a
// full-text search with a service filter. Indexers run in child processes, as `logstitch serve` would.
// BENCH_LINES (default 200,000) scales the load; BENCH_CLICKHOUSE=url uses a running server (one shard).
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClickHouseServer, HOW_TO_ENABLE, serverCommand } from '../test/store/clickhouse/server.js';
import { pinoBatch } from './ingest.js';

const BATCH = 1000;
const CLUSTER = 'bench_pair';

interface Target {
  name: string;
  /** How each indexer child opens its store. */
  stores: Array<{ kind: 'sqlite'; dataDir: string } | { kind: 'clickhouse'; options: Record<string, unknown> }>;
  /** Processes whose memory is reported (ClickHouse servers). */
  serverPids: number[];
}

interface Figures {
  lines_per_s: number;
  lookup_p50_ms: number;
  lookup_p99_ms: number;
  lookup_store_p50_ms: number;
  errors_query_p50_ms: number;
  fts_service_p50_ms: number;
  indexer_peak_rss_mb: number;
  server_peak_rss_mb: number | null;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
};

const peakRssMb = (pid: number | undefined): number => (pid === undefined ? 0 : Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024));

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function getJson(url: string): Promise<{ body: any; ms: number; storeMs: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`${url} answered ${res.statusCode}: ${text.slice(0, 300)}`));
        const storeMs = Number(/(?:store|view);dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
        resolve({ body: JSON.parse(text), ms: Number(process.hrtime.bigint() - start) / 1e6, storeMs });
      });
    }).on('error', reject);
  });
}

async function startIndexer(store: Target['stores'][number]): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--indexer-child', JSON.stringify(store)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the indexer child exited with ${code} before listening`)));
  });
  return { child, url };
}

async function measure(target: Target, lines: number): Promise<Figures> {
  const indexers = await Promise.all(target.stores.map(startIndexer));
  try {
    const urls = indexers.map((i) => i.url);
    const batches = Math.ceil(lines / BATCH);
    const sample: string[] = [];
    let next = 0;
    const minuteFrom = Date.now() * 1000;
    const started = process.hrtime.bigint();
    // Four posts in flight, spread over the indexers round-robin as a load balancer would.
    const loader = async () => {
      while (next < batches) {
        const b = next++;
        const body = pinoBatch(BATCH, b * BATCH);
        if (b % Math.max(1, Math.floor(batches / 300)) === 0) sample.push(/"trace_id":"([0-9a-f]{32})"/.exec(body.toString('utf8', 0, 400))![1]!);
        const res = await fetch(`${urls[b % urls.length]}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-logstitch-batch-id': randomUUID() }, body });
        if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all([loader(), loader(), loader(), loader()]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const minuteTo = Date.now() * 1000 + 60_000_000;

    // Trace lookups (each answer checked to hold its 20 lines), a warm-up round first.
    const lookups: number[] = [];
    const lookupStore: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, id] of sample.entries()) {
        const { body, ms, storeMs } = await getJson(`${urls[i % urls.length]}/api/traces/${id}`);
        const found = (body.logs ?? body.trace?.logs ?? []) as unknown[];
        if (found.length !== 20) throw new Error(`${target.name}: trace ${id} came back with ${found.length} lines, not 20`);
        if (round > 0) lookups.push(ms), lookupStore.push(storeMs);
      }
    }
    // The error rate per service per minute over the load (what the UI's error chart asks for).
    const errorsQuery: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { body, ms } = await getJson(`${urls[i % urls.length]}/api/metrics/errors?from=${Math.floor(minuteFrom / 1000) - 60_000}&to=${Math.ceil(minuteTo / 1000)}`);
      const requests = (body.totals as Array<{ lines: number }>).reduce((sum, t) => sum + t.lines, 0);
      if (requests !== batches * BATCH) throw new Error(`${target.name}: the error metrics count ${requests} lines, not ${batches * BATCH}`);
      if (i >= 2) errorsQuery.push(ms);
    }
    const words = ['timeout', 'refused', 'declined', 'miss', 'renewed', 'shipped', 'quote', 'stock'];
    const fts: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, word] of words.entries()) {
        const { body, ms } = await getJson(`${urls[i % urls.length]}/api/search?q=${encodeURIComponent(`service:svc-${i % 6} ${word}`)}&limit=100`);
        if ((body.logs as unknown[]).length === 0) throw new Error(`${target.name}: no results for service:svc-${i % 6} ${word}`);
        if (round > 0) fts.push(ms);
      }
    }
    return {
      lines_per_s: Math.round((batches * BATCH) / seconds),
      lookup_p50_ms: percentile(lookups, 50),
      lookup_p99_ms: percentile(lookups, 99),
      lookup_store_p50_ms: percentile(lookupStore.filter(Number.isFinite), 50),
      errors_query_p50_ms: percentile(errorsQuery, 50),
      fts_service_p50_ms: percentile(fts, 50),
      indexer_peak_rss_mb: Math.max(...indexers.map((i) => peakRssMb(i.child.pid))),
      server_peak_rss_mb: target.serverPids.length === 0 ? null : target.serverPids.reduce((sum, pid) => sum + peakRssMb(pid), 0),
    };
  } finally {
    for (const { child } of indexers) {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

function report(name: string, f: Figures): void {
  process.stdout.write(
    `${name.padEnd(22)} ${String(f.lines_per_s).padStart(7)} lines/s   lookup p50 ${f.lookup_p50_ms} ms p99 ${f.lookup_p99_ms} ms (store ${f.lookup_store_p50_ms} ms)   ` +
      `error rate query p50 ${f.errors_query_p50_ms} ms   full text + service p50 ${f.fts_service_p50_ms} ms   indexer RSS ${f.indexer_peak_rss_mb} MB${f.server_peak_rss_mb === null ? '' : `, ClickHouse RSS ${f.server_peak_rss_mb} MB`}\n`,
  );
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 200_000);
  const external = process.env.BENCH_CLICKHOUSE;
  if (external === undefined && serverCommand() === undefined) {
    process.stdout.write(`${HOW_TO_ENABLE}\n${JSON.stringify({ bench: 'clickhouse', skipped: HOW_TO_ENABLE })}\n`);
    return;
  }
  const figures: Record<string, unknown> = { bench: 'clickhouse', lines, batch_size: BATCH, in_flight: 4 };
  const work = mkdtempSync(join(tmpdir(), 'logstitch-bench-clickhouse-'));
  const servers: ClickHouseServer[] = [];
  try {
    process.stdout.write(`${lines.toLocaleString()} pino-style lines (20 per trace) per store, posted in batches of ${BATCH}, 4 in flight\n`);
    const targets: Array<() => Promise<Target>> = [
      async () => ({ name: 'sqlite', stores: [{ kind: 'sqlite', dataDir: join(work, 'sqlite') }], serverPids: [] }),
      async () => {
        const url = external ?? (servers.push(await ClickHouseServer.start()), servers.at(-1)!.url);
        return { name: 'clickhouse_1_shard', stores: [{ kind: 'clickhouse', options: { url, database: `bench_${Date.now()}` } }], serverPids: external === undefined ? [servers.at(-1)!.pid!] : [] };
      },
    ];
    if (external === undefined) {
      targets.push(async () => {
        const pair = await ClickHouseServer.startCluster(CLUSTER, 2);
        servers.push(...pair);
        const nodes = pair.map((s) => s.url);
        return { name: 'clickhouse_2_shards', stores: pair.map((s) => ({ kind: 'clickhouse' as const, options: { url: s.url, cluster: CLUSTER, nodes, database: 'bench' } })), serverPids: pair.map((s) => s.pid!) };
      });
    }
    for (const make of targets) {
      const target = await make();
      const f = await measure(target, lines);
      report(target.name, f);
      for (const [key, value] of Object.entries(f)) figures[`${target.name}_${key}`] = value;
    }
    process.stdout.write(`machine: ${(await import('node:os')).cpus().length} cores, shared by the indexers, ClickHouse and this client\n`);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await Promise.allSettled(servers.map((s) => s.remove()));
    rmSync(work, { recursive: true, force: true });
  }
}

/** The indexer child: the real indexer on the store its argument names, until told to stop. */
async function runIndexerChild(spec: Target['stores'][number]): Promise<void> {
  const [{ pino }, { defaultConfig }, { createIndexer }, { openStore }, { openClickHouseStore }] = await Promise.all([
    import('pino'),
    import('../src/server/config.js'),
    import('../src/server/indexer.js'),
    import('../src/store/index.js'),
    import('../src/store/clickhouse/index.js'),
  ]);
  const store = spec.kind === 'sqlite' ? await openStore({ dataDir: spec.dataDir }) : await openClickHouseStore(spec.options as unknown as Parameters<typeof openClickHouseStore>[0]);
  const indexer = createIndexer({ config: { ...defaultConfig({}), port: 0, dataDir: spec.kind === 'sqlite' ? spec.dataDir : '' }, store, logger: pino({ level: 'warn' }) });
  await indexer.listen();
  process.send?.({ url: indexer.url });
  process.on('message', (message) => {
    if (message === 'stop') void indexer.close().then(() => process.exit(0));
  });
}

if (process.argv[2] === '--indexer-child') await runIndexerChild(JSON.parse(process.argv[3]!) as Target['stores'][number]);
