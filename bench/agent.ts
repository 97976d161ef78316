// bench/agent: 1 million pino-style JSON lines (~250 bytes) tailed, parsed and shipped by the agent —
// to a discard sink (a 127.0.0.1 server that reads each request and acknowledges it), and to the real
// indexer on SQLite — beside a bare Node loop over the same file (read 64 KiB chunks, split lines on the
// Buffer, JSON.parse each): the ceiling for this work in Node. The agent runs in a child process, so its
// peak RSS is its own.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markedLine } from '../src/agent/marked.js';
import { createRedactor } from '../src/model/redact.js';
import { createJsonLineReader, createLineParser } from '../src/parse/index.js';

const WORDS = 'checkout started reserving items quote ready payment authorised declined carrier timeout retry connection refused warehouse stock level updated cache miss order shipped'.split(' ');

function writeLines(path: string, count: number): void {
  const parts: string[] = [];
  const base = Date.now() - count;
  let traceId = '';
  for (let i = 0; i < count; i++) {
    if (i % 20 === 0) traceId = randomBytes(16).toString('hex');
    const words = Array.from({ length: 6 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(' ');
    parts.push(JSON.stringify({ level: i % 50 === 0 ? 50 : 30, time: base + i, pid: 4242, hostname: `web-${i % 4}`, trace_id: traceId, span_id: randomBytes(8).toString('hex'), trace_flags: '01', service: `svc-${i % 6}`, order: i, msg: `${words} #${i}` }));
  }
  writeFileSync(path, `${parts.join('\n')}\n`);
}

interface BareRun {
  linesPerSec: number;
  /** CPU time per line (µs): steadier than lines/s on a shared machine. */
  cpuUsPerLine: number;
}

/** The ceiling: read, split on the Buffer, decode each line, JSON.parse it. */
function bareLoop(path: string): BareRun {
  const cpu = process.cpuUsage();
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let carry: Buffer | undefined;
  let lines = 0;
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    let chunk = buffer.subarray(0, n);
    if (carry !== undefined) {
      chunk = Buffer.concat([carry, chunk]);
      carry = undefined;
    }
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const obj = JSON.parse(chunk.toString('utf8', start, nl)) as { order: number };
      checksum += obj.order;
      lines++;
      start = nl + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  if (checksum < 0) throw new Error('unreachable');
  return { linesPerSec: Math.round(lines / seconds), cpuUsPerLine: round2((used.user + used.system) / lines) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Where an agent's time per line goes, measured in this process on the file's first lines (µs per line). */
function stageCosts(path: string): Record<string, number> {
  const lines = readFileSync(path, 'utf8').split('\n', 100_000).filter((l) => l !== '');
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const parse = createLineParser({});
  const reader = createJsonLineReader({})!;
  const redactor = createRedactor({});
  const time = (fn: () => void): number => {
    fn();
    const started = process.hrtime.bigint();
    fn();
    return Math.round(Number(process.hrtime.bigint() - started) / lines.length / 10) / 100;
  };
  const parsed = lines.map((l) => parse(l, 1).log);
  return {
    json_parse_us: time(() => lines.forEach((l) => JSON.parse(l))),
    // The as-written check over the bytes (src/parse/json-scan.ts), which stands in for JSON.parse.
    scan_us: time(() => {
      for (let start = 0, nl = bytes.indexOf(10); nl !== -1; start = nl + 1, nl = bytes.indexOf(10, start)) reader.scan(bytes, start, nl);
    }),
    parser_us: time(() => lines.forEach((l) => parse(l, 1))),
    redact_us: time(() => parsed.forEach((log) => {
      redactor.redactString(log.body);
      redactor.redactInPlace((log.attributes ?? {}) as Record<string, unknown>, false);
    })),
    marked_line_us: time(() => parsed.forEach((log) => markedLine(log, undefined))),
  };
}

/** Reads every request body and acknowledges it; counts nothing (the agent counts what was acknowledged). */
async function discardSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startIndexerChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./_indexer-child.js', import.meta.url)), ['sqlite', dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
  return { child, url };
}

interface AgentRun {
  linesPerSec: number;
  seconds: number;
  peakRssMb: number;
  /** Share of the run during which reading was paused, waiting for the sink to acknowledge. */
  pausedShare: number;
  /** The agent process's CPU time per line (µs), all threads; and its main thread's alone. */
  cpuUsPerLine: number;
  mainCpuUsPerLine: number;
  /** This process's CPU time per line meanwhile: the sink's (the discard sink runs here), on the same cores. */
  sinkCpuUsPerLine: number;
}

/** BENCH_AGENT_PROFILE=DIR: each agent child writes a V8 CPU profile there (open it in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_AGENT_PROFILE;
/** BENCH_AGENT_QUICK=1: only the bare loop and one run of each agent setup → discard sink (no indexer). */
const QUICK = process.env.BENCH_AGENT_QUICK === '1';

async function runAgent(file: string, url: string, lines: number, threads: number): Promise<AgentRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'logstitch-bench-agent-'));
  const execArgv = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];
  const child = fork(fileURLToPath(new URL('./_agent-child.js', import.meta.url)), [file, url, dataDir, String(threads)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const sinkCpu = process.cpuUsage();
  type Progress = { recordsSent?: number; seconds?: number; cpuMs?: number; mainCpuMs?: number };
  const done = await new Promise<Progress>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('the agent did not ship every line within 10 minutes')), 600_000);
    child.on('message', (m: Progress) => {
      if (m.recordsSent !== undefined && m.recordsSent >= lines) {
        clearTimeout(deadline);
        resolve(m);
      }
    });
  });
  const seconds = done.seconds!;
  const sinkUsed = process.cpuUsage(sinkCpu);
  child.send('stop');
  const { peakRssMb, pausedShare } = await new Promise<{ peakRssMb: number; pausedShare: number }>((resolve) => child.on('message', (m: { peakRssMb?: number; pausedShare?: number }) => m.peakRssMb !== undefined && resolve({ peakRssMb: m.peakRssMb, pausedShare: m.pausedShare ?? 0 })));
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  return {
    linesPerSec: Math.round(lines / seconds), seconds: round2(seconds), peakRssMb, pausedShare,
    cpuUsPerLine: round2(((done.cpuMs ?? 0) * 1000) / lines), mainCpuUsPerLine: round2(((done.mainCpuMs ?? 0) * 1000) / lines),
    sinkCpuUsPerLine: round2((sinkUsed.user + sinkUsed.system) / lines),
  };
}

/** The run with the median lines/s, the upper one of an even count (the machine is shared: one run can be unlucky). */
function medianRun<T extends { linesPerSec: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.linesPerSec - b.linesPerSec)[Math.floor(runs.length / 2)]!;
}

function describe(run: AgentRun, bare: number): string {
  return `${run.linesPerSec} lines/s in ${run.seconds} s (${Math.round((run.linesPerSec / bare) * 100)}% of the bare loop), peak RSS ${run.peakRssMb} MB, CPU ${run.cpuUsPerLine} µs a line (main thread ${run.mainCpuUsPerLine}; the sink meanwhile ${run.sinkCpuUsPerLine})`;
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-bench-agent-file-'));
  const file = join(dir, 'app.log');
  process.stdout.write(`writing ${lines} pino-style lines…\n`);
  writeLines(file, lines);
  const bytes = statSync(file).size;
  process.stdout.write(`${(bytes / 1e6).toFixed(0)} MB, ${Math.round(bytes / lines)} bytes a line\n`);
  readFileSync(file); // into the page cache, for every contender alike

  // The machine is shared: the bare loop runs before, between and after the agent runs, and its median is
  // the ceiling; each agent setup runs twice (QUICK: once), alternating, and its median run counts.
  const bareRuns = [bareLoop(file), bareLoop(file)];
  process.stdout.write(`bare loop (read 64 KiB, split, JSON.parse): ${bareRuns.map((r) => r.linesPerSec).join(', ')} lines/s\n`);
  const sink = await discardSink();
  const plainRuns: AgentRun[] = [];
  const threadedRuns: AgentRun[] = [];
  for (let round = 0; round < (QUICK ? 1 : 2); round++) {
    plainRuns.push(await runAgent(file, sink.url, lines, 0));
    bareRuns.push(bareLoop(file));
    threadedRuns.push(await runAgent(file, sink.url, lines, 1));
    bareRuns.push(bareLoop(file));
  }
  await sink.close();
  const bareRun = medianRun(bareRuns);
  const bare = bareRun.linesPerSec;
  const discard = medianRun(plainRuns);
  const threaded = medianRun(threadedRuns);
  process.stdout.write(`bare loop runs ${bareRuns.map((r) => r.linesPerSec).join(', ')}: median ${bare} lines/s, CPU ${bareRun.cpuUsPerLine} µs a line\n`);
  process.stdout.write(`agent (parse_threads: 0) → discard sink: ${plainRuns.map((r) => r.linesPerSec).join(', ')} lines/s; median ${describe(discard, bare)}\n`);
  process.stdout.write(`agent with a parsing thread (parse_threads: 1, the default on 2+ cores) → discard sink: ${threadedRuns.map((r) => r.linesPerSec).join(', ')} lines/s; median ${describe(threaded, bare)}\n`);
  const figures = {
    bench: 'agent', lines, bytes_per_line: Math.round(bytes / lines), load_average: loadavg()[0],
    bare_loop_lines_per_s: bare, bare_loop_runs: bareRuns.map((r) => r.linesPerSec), bare_loop_cpu_us_per_line: bareRun.cpuUsPerLine,
    discard_lines_per_s: discard.linesPerSec, discard_runs: plainRuns.map((r) => r.linesPerSec), discard_share_of_bare: round2(discard.linesPerSec / bare),
    discard_peak_rss_mb: discard.peakRssMb, discard_paused_share: discard.pausedShare, discard_cpu_us_per_line: discard.cpuUsPerLine, discard_sink_cpu_us_per_line: discard.sinkCpuUsPerLine,
    threaded_discard_lines_per_s: threaded.linesPerSec, threaded_runs: threadedRuns.map((r) => r.linesPerSec), threaded_share_of_bare: round2(threaded.linesPerSec / bare),
    threaded_peak_rss_mb: Math.max(...threadedRuns.map((r) => r.peakRssMb)), threaded_cpu_us_per_line: threaded.cpuUsPerLine, threaded_main_cpu_us_per_line: threaded.mainCpuUsPerLine,
  };
  if (QUICK) {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ ...figures, quick: true })}\n`);
    return;
  }

  const costs = stageCosts(file);
  process.stdout.write(`per line, in this process: JSON.parse ${costs.json_parse_us} µs, the as-written scan ${costs.scan_us} µs, the parser (src/parse) ${costs.parser_us} µs, redaction ${costs.redact_us} µs, the marked line ${costs.marked_line_us} µs\n`);

  const storeDir = mkdtempSync(join(tmpdir(), 'logstitch-bench-agent-store-'));
  const indexer = await startIndexerChild(storeDir);
  const real = await runAgent(file, indexer.url, lines, 0);
  process.stdout.write(`agent (parse_threads: 0) → real indexer (SQLite, child process): ${real.linesPerSec} lines/s in ${real.seconds} s, agent peak RSS ${real.peakRssMb} MB\n`);
  indexer.child.send('stop');
  await new Promise((resolve) => indexer.child.once('exit', resolve));
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(`${JSON.stringify({
    ...figures, indexer_lines_per_s: real.linesPerSec, indexer_agent_peak_rss_mb: real.peakRssMb, ...costs,
    target_share_of_bare: 0.6, target_peak_rss_mb: 150,
  })}\n`);
}
