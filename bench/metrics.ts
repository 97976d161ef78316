// bench/metrics: error rate per service for 24 hours at 1-minute steps over N log lines (default 10
// million) — GET /api/metrics/errors on per-minute rollups derived at ingest — beside the same question
// asked of the raw lines (a GROUP BY over a SQLite table of them, what a store without rollups would run).
// Also reports what deriving the rollups costs per line at ingest.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { MetricsRollup } from '../src/correlate/index.js';
import type { LogRecord, Span } from '../src/model/records.js';
import { defaultConfig } from '../src/server/config.js';
import { createIndexer } from '../src/server/indexer.js';
import { openStore } from '../src/store/index.js';

const MINUTE = 60_000_000;
const DAY = 24 * 60 * MINUTE;
const SERVICES = ['checkout', 'inventory', 'warehouse-db', 'shipping', 'payments', 'gateway', 'search', 'email'];
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    }).on('error', reject);
  });
}

async function timeQuery(fn: () => Promise<unknown> | unknown, rounds: number): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  await fn();
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: Math.round(percentile(ms, 50) * 100) / 100, p99: Math.round(percentile(ms, 99) * 100) / 100 };
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 10_000_000);
  const work = mkdtempSync(join(tmpdir(), 'logstitch-bench-metrics-'));
  const end = Math.floor(Date.now() * 1000 / MINUTE) * MINUTE;
  const start = end - DAY;
  const store = await openStore({ dataDir: join(work, 'store') });
  const raw = new Database(join(work, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.exec('CREATE TABLE lines (time INTEGER NOT NULL, service TEXT NOT NULL, severity INTEGER NOT NULL)');
  raw.exec('CREATE INDEX lines_time ON lines (time)');
  const insertRaw = raw.prepare('INSERT INTO lines (time, service, severity) VALUES (?, ?, ?)');
  try {
    // Lines spread evenly over the day, 1 in 10 a request (a span), 2% of lines and 3% of requests failing.
    const rollup = new MetricsRollup();
    const batch = 10_000;
    let rollupNs = 0n;
    const pending: Array<Promise<unknown>> = [];
    const loadStart = Date.now();
    for (let b = 0; b < lines / batch; b++) {
      const logs: LogRecord[] = [];
      const spans: Span[] = [];
      for (let i = 0; i < batch; i++) {
        const n = b * batch + i;
        const time = start + Math.floor((n / lines) * DAY);
        const service = SERVICES[n % SERVICES.length]!;
        const traceId = (n * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(4);
        logs.push({ time, severityNumber: n % 50 === 0 ? 17 : 9, body: 'x', service, traceId });
        if (n % 10 === 0) spans.push({ traceId, spanId: (n >>> 0).toString(16).padStart(16, '0'), name: 'GET /', kind: 'server', start: time - 5000, duration: 1000 + (n % 997) * 100, status: n % 33 === 0 ? 'error' : 'ok', service, origin: 'otlp' });
      }
      const t = process.hrtime.bigint();
      const rows = rollup.rollupBatch({ logs, spans });
      rollupNs += process.hrtime.bigint() - t;
      pending.push(store.append({ logs: [], spans: [], aliases: [], rollups: rows }));
      if (pending.length >= 8) await pending.shift();
      raw.transaction(() => {
        for (const l of logs) insertRaw.run(l.time, l.service!, l.severityNumber);
      })();
      if (b % 100 === 0 && b > 0) process.stdout.write(`  ${(b * batch).toLocaleString()} lines\n`);
    }
    await Promise.all(pending);
    const nsPerLine = Number(rollupNs) / lines;
    process.stdout.write(`derived rollups for ${lines.toLocaleString()} lines over 24 h (${SERVICES.length} services) in ${((Date.now() - loadStart) / 1000).toFixed(0)} s; deriving costs ${nsPerLine.toFixed(0)} ns a line at ingest\n`);

    const indexer = createIndexer({ config: { ...defaultConfig({}), port: 0, dataDir: work }, store, logger: pino({ level: 'warn' }) });
    await indexer.listen();
    const url = `${indexer.url}/api/metrics/errors?from=${start / 1000}&to=${end / 1000}&step=1m`;
    const answer = (await getJson(url)) as { series: Array<{ points: unknown[] }> };
    if (answer.series.length !== SERVICES.length || answer.series[0]!.points.length !== 1440) throw new Error('the answer does not hold 1,440 points per service');
    const rollups = await timeQuery(() => getJson(url), 30);
    process.stdout.write(`error rate per service, 24 h at 1-minute steps, over HTTP from rollups: p50 ${rollups.p50} ms, p99 ${rollups.p99} ms\n`);

    const groupBy = raw.prepare(`SELECT service, (time - ?) / ${MINUTE} AS minute, count(*) AS lines, sum(severity >= 17) AS errors FROM lines WHERE time >= ? AND time < ? GROUP BY service, minute`);
    const scan = await timeQuery(() => groupBy.all(start, start, end), 3);
    process.stdout.write(`the same from the raw lines (SQLite GROUP BY over ${lines.toLocaleString()} rows): p50 ${scan.p50} ms\n`);
    await indexer.close();
    process.stdout.write(`${JSON.stringify({
      bench: 'metrics', lines, services: SERVICES.length, points_per_service: 1440,
      errors_24h_1m_p50_ms: rollups.p50, errors_24h_1m_p99_ms: rollups.p99, raw_group_by_p50_ms: scan.p50,
      speedup: Math.round(scan.p50 / rollups.p50), rollup_ns_per_line: Math.round(nsPerLine), target_ms: 50,
    })}\n`);
  } finally {
    raw.close();
    rmSync(work, { recursive: true, force: true });
  }
}
