// bench/ingest: lines/s through POST /ingest into the SQLite store (batches of 1,000 pino-style lines),
// beside the same path into a store that discards (the ceiling of HTTP and parsing), in one run. The
// indexer runs in a child process; the client posts pre-built batches, four in flight.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from './_measure.js';

const WORDS = 'checkout started reserving items quote ready payment authorised declined carrier timeout retry connection refused warehouse stock level updated cache miss order shipped user session renewed'.split(' ');

/** A batch of pino-style lines (~250 bytes each), 20 lines per trace. */
export function pinoBatch(size: number, start: number): Buffer {
  const lines: string[] = [];
  let traceId = '';
  for (let i = 0; i < size; i++) {
    if (i % 20 === 0) traceId = randomBytes(16).toString('hex');
    const n = start + i;
    const words = Array.from({ length: 12 }, (_, k) => WORDS[(n * 7 + k * 13) % WORDS.length]).join(' ');
    lines.push(JSON.stringify({ level: n % 50 === 0 ? 50 : 30, time: Date.now(), pid: 4242, hostname: `web-${n % 4}`, trace_id: traceId, span_id: randomBytes(8).toString('hex'), trace_flags: '01', service: `svc-${n % 6}`, order: n, msg: `${words} #${n}` }));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function run(kind: 'sqlite' | 'discard', batches: Buffer[], batchSize: number): Promise<{ linesPerSec: number; peakRssMb: number; seconds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'logstitch-bench-ingest-'));
  const child = fork(fileURLToPath(new URL('./_indexer-child.js', import.meta.url)), [kind, dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: childExecArgv() });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const body = batches[next++]!;
      const res = await fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-logstitch-batch-id': randomUUID() }, body });
      if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child);
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  return { linesPerSec: Math.round((batches.length * batchSize) / seconds), peakRssMb: rss, seconds: Math.round(seconds * 10) / 10 };
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 1_000_000);
  const batchSize = 1000;
  process.stdout.write(`building ${lines} pino-style lines in batches of ${batchSize}…\n`);
  const batches = Array.from({ length: Math.ceil(lines / batchSize) }, (_, b) => pinoBatch(batchSize, b * batchSize));
  const bytes = batches.reduce((sum, b) => sum + b.length, 0);
  process.stdout.write(`${(bytes / 1e6).toFixed(0)} MB of NDJSON, ${Math.round(bytes / lines)} bytes a line\n`);
  const discard = await run('discard', batches, batchSize);
  process.stdout.write(`discard store (HTTP + parsing only): ${discard.linesPerSec} lines/s, peak RSS ${discard.peakRssMb} MB\n`);
  const sqlite = await run('sqlite', batches, batchSize);
  process.stdout.write(`SQLite store (trace index + full text): ${sqlite.linesPerSec} lines/s in ${sqlite.seconds} s, peak RSS ${sqlite.peakRssMb} MB\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'ingest', lines, batch_size: batchSize, sqlite_lines_per_s: sqlite.linesPerSec, sqlite_peak_rss_mb: sqlite.peakRssMb, discard_lines_per_s: discard.linesPerSec, discard_peak_rss_mb: discard.peakRssMb, sqlite_share_of_ceiling: Math.round((sqlite.linesPerSec / discard.linesPerSec) * 100) / 100, target_lines_per_s: 100_000 })}\n`);
}
