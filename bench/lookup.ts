// bench/lookup: load N pino-style lines (default 10 million, ~500k traces) through the indexer, writing
// the same NDJSON to files on disk; then time trace lookups by ID over HTTP (p50/p99) against
// `rg -F TRACE_ID` over those files — how people search today — and a full-text query with a service
// filter; report the server's peak RSS. Lookups and rg are timed twice: with everything in the page cache
// (warm), and with the files dropped from it first (cold, as for logs nobody has read lately).
// ripgrep comes from Debian: apt-get install ripgrep.
import { execFileSync, fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from './_measure.js';
import { pinoBatch } from './ingest.js';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

// A lean keep-alive client, as curl or a UI's browser would hold a connection: undici's fetch adds
// ~0.3 ms of its own per request on this VM, which is the client's cost, not the indexer's.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function getJsonTimed(url: string): Promise<{ body: any; storeMs: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const storeMs = Number(/(?:store|view);dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
        resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), storeMs });
      });
    }).on('error', reject);
  });
}

/**
 * Drops files from the OS page cache (after writing out what is dirty), as if nothing had read them since
 * boot: the state of last week's logs when someone greps them. `dd iflag=nocache` asks the kernel to
 * forget the pages (POSIX_FADV_DONTNEED) and needs no privileges.
 */
function evict(dirs: string[]): void {
  execFileSync('sync');
  for (const dir of dirs) for (const name of readdirSync(dir)) spawnSync('dd', [`if=${join(dir, name)}`, 'iflag=nocache', 'count=0', 'status=none']);
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 10_000_000);
  const batchSize = 1000;
  const hasRg = spawnSync('rg', ['--version']).status === 0;
  if (!hasRg) process.stdout.write('ripgrep (rg) is not installed: apt-get install ripgrep — the comparison will be skipped\n');
  const work = mkdtempSync(join(tmpdir(), 'logstitch-bench-lookup-'));
  const files = join(work, 'ndjson');
  mkdirSync(files);
  const child = fork(fileURLToPath(new URL('./_indexer-child.js', import.meta.url)), ['sqlite', join(work, 'data')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: childExecArgv() });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
  try {
    // Load: generate each batch, append it to one of 10 files, post it; 4 posts in flight.
    const sample: string[] = [];
    // Traces not looked up before the caches are dropped: the middle line's trace of each sampled batch.
    const coldSample: string[] = [];
    let next = 0;
    const batches = Math.ceil(lines / batchSize);
    const loadStart = Date.now();
    let lastReport = Date.now();
    const loader = async (): Promise<void> => {
      while (next < batches) {
        const b = next++;
        const body = pinoBatch(batchSize, b * batchSize);
        appendFileSync(join(files, `service-${b % 10}.ndjson`), body);
        if (b % Math.max(1, Math.floor(batches / 400)) === 0) {
          sample.push(/"trace_id":"([0-9a-f]{32})"/.exec(body.toString('utf8', 0, 400))![1]!);
          coldSample.push((JSON.parse(body.toString('utf8').split('\n')[batchSize / 2]!) as { trace_id: string }).trace_id);
        }
        const res = await fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-logstitch-batch-id': randomUUID() }, body });
        if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          process.stdout.write(`loaded ${(b * batchSize).toLocaleString()} lines (${Math.round((b * batchSize) / ((Date.now() - loadStart) / 1000)).toLocaleString()} lines/s)\n`);
        }
      }
    };
    await Promise.all([loader(), loader(), loader(), loader()]);
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const ndjsonBytes = Number(execFileSync('du', ['-sb', files]).toString().split('\t')[0]);
    process.stdout.write(`loaded ${lines.toLocaleString()} lines (${(ndjsonBytes / 1e9).toFixed(2)} GB NDJSON) in ${loadSeconds.toFixed(0)} s\n`);

    // Trace lookups over HTTP, each answer checked to hold its 20 lines.
    const lookups: number[] = [];
    const storeTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const id of sample) {
        const { ms, value } = await timed(() => getJsonTimed(`${url}/api/traces/${id}`));
        if (value.body.logs.length !== 20) throw new Error(`trace ${id} came back with ${value.body.logs.length} lines, not 20`);
        if (round > 0) {
          lookups.push(ms);
          storeTimes.push(value.storeMs);
        }
      }
    }
    lookups.sort((a, b) => a - b);
    storeTimes.sort((a, b) => a - b);
    const p50 = percentile(lookups, 50);
    const p99 = percentile(lookups, 99);
    const storeP50 = percentile(storeTimes, 50);
    const storeP99 = percentile(storeTimes, 99);
    process.stdout.write(`trace lookup over HTTP: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${lookups.length} lookups); in the store (Server-Timing): p50 ${storeP50.toFixed(2)} ms, p99 ${storeP99.toFixed(2)} ms\n`);

    // The same lookups with ripgrep, the way people search today (page cache warm after the first).
    const rgTimes: number[] = [];
    if (hasRg) {
      for (const id of sample.slice(0, 5)) {
        const start = process.hrtime.bigint();
        const out = spawnSync('rg', ['-F', '--no-messages', id, files], { maxBuffer: 64 * 1024 * 1024 });
        rgTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (out.stdout.toString().split('\n').filter(Boolean).length !== 20) throw new Error(`rg found a different count for ${id}`);
      }
      rgTimes.sort((a, b) => a - b);
      process.stdout.write(`rg -F TRACE_ID over the files: median ${(percentile(rgTimes, 50) / 1000).toFixed(2)} s\n`);
    }

    // Cold: the store's files and the NDJSON files dropped from the OS page cache first, as for logs
    // nobody has read lately. Each trace is looked up once; rg reads every file from disk again.
    evict([join(work, 'data')]);
    const coldLookups: number[] = [];
    for (const id of coldSample) {
      const { ms, value } = await timed(() => getJsonTimed(`${url}/api/traces/${id}`));
      if (value.body.logs.length !== 20) throw new Error(`trace ${id} came back with ${value.body.logs.length} lines, not 20`);
      coldLookups.push(ms);
    }
    coldLookups.sort((a, b) => a - b);
    const coldP50 = percentile(coldLookups, 50);
    const coldP99 = percentile(coldLookups, 99);
    process.stdout.write(`trace lookup, page cache dropped first: p50 ${coldP50.toFixed(2)} ms, p99 ${coldP99.toFixed(2)} ms (${coldLookups.length} lookups)\n`);
    const rgCold: number[] = [];
    if (hasRg) {
      for (const id of coldSample.slice(0, 3)) {
        evict([files]);
        const start = process.hrtime.bigint();
        const out = spawnSync('rg', ['-F', '--no-messages', id, files], { maxBuffer: 64 * 1024 * 1024 });
        rgCold.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (out.stdout.toString().split('\n').filter(Boolean).length !== 20) throw new Error(`rg found a different count for ${id}`);
      }
      rgCold.sort((a, b) => a - b);
      process.stdout.write(`rg -F TRACE_ID, page cache dropped first: median ${(percentile(rgCold, 50) / 1000).toFixed(2)} s\n`);
    }

    // Full text with a service filter.
    const words = ['timeout', 'refused', 'declined', 'miss', 'renewed', 'shipped', 'quote', 'stock'];
    const fts: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, word] of words.entries()) {
        const q = encodeURIComponent(`service:svc-${i % 6} ${word}`);
        const { ms, value: reply } = await timed(() => getJsonTimed(`${url}/api/search?q=${q}&limit=100`));
        const value = reply.body as { logs: unknown[] };
        if (value.logs.length === 0) throw new Error(`no results for ${decodeURIComponent(q)}`);
        if (round > 0) fts.push(ms);
      }
    }
    fts.sort((a, b) => a - b);
    const ftsP50 = percentile(fts, 50);
    process.stdout.write(`full text + service filter (first page of 100): p50 ${ftsP50.toFixed(1)} ms\n`);

    const rss = Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
    const rgMedianMs = rgTimes.length > 0 ? percentile(rgTimes, 50) : undefined;
    process.stdout.write(`server peak RSS ${rss} MB\n`);
    process.stdout.write(`${JSON.stringify({
      bench: 'lookup', lines, traces: lines / 20, ndjson_gb: Math.round(ndjsonBytes / 1e7) / 100, load_lines_per_s: Math.round(lines / loadSeconds),
      lookup_p50_ms: Math.round(p50 * 100) / 100, lookup_p99_ms: Math.round(p99 * 100) / 100,
      lookup_store_p50_ms: Math.round(storeP50 * 100) / 100, lookup_store_p99_ms: Math.round(storeP99 * 100) / 100,
      rg_median_ms: rgMedianMs === undefined ? null : Math.round(rgMedianMs), speedup_vs_rg_p50: rgMedianMs === undefined ? null : Math.round(rgMedianMs / p50),
      lookup_cold_p50_ms: Math.round(coldP50 * 100) / 100, lookup_cold_p99_ms: Math.round(coldP99 * 100) / 100,
      rg_cold_median_ms: rgCold.length > 0 ? Math.round(percentile(rgCold, 50)) : null, speedup_vs_rg_cold_p50: rgCold.length > 0 ? Math.round(percentile(rgCold, 50) / coldP50) : null,
      fts_service_p50_ms: Math.round(ftsP50 * 10) / 10, server_peak_rss_mb: rss,
      targets: { lookup_p99_ms: 5, speedup_vs_rg: 1000, fts_service_p50_ms: 100, server_peak_rss_mb: 500 },
    })}\n`);
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(work, { recursive: true, force: true });
  }
}
