// A trace's lines left in the SQLite store's blocks (`traceOfLines`): each column says what the line's
// record says, lines come in the order `trace` gives them, and the trace view built over the columns is
// the view built over the records — inline, and from the compiled store running worker threads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTraceView } from '../../src/correlate/index.js';
import { lineArray, lineColumns } from '../../src/model/line-list.js';
import type { LogRecord, Span } from '../../src/model/records.js';
import { openStore } from '../../src/store/index.js';
import { stableTimeOrder } from '../../src/store/sqlite/block-lines.js';
import type { Store } from '../../src/store/types.js';
import { importBuiltStore } from './build.js';
import { batch, log, random, span, T0, traceId } from './fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-lines-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const built = await importBuiltStore();

/**
 * One trace of three services over several batches, interleaved with another trace's lines in the same
 * blocks: ties in time within and across services, access-log lines (derived spans), a span ID that is
 * not 16 hex digits, aliases, a parse error, trace flags, a line with no service or host.
 */
function story(seed: number): { trace: string; batches: Array<{ logs: LogRecord[]; spans: Span[] }> } {
  const rand = random(seed);
  const trace = traceId();
  const other = traceId();
  const root = span({ traceId: trace, name: 'GET /checkout', service: 'checkout', start: T0, duration: 900_000 });
  const call = span({ traceId: trace, parentSpanId: root.spanId, kind: 'client', name: 'GET inventory', service: 'checkout', start: T0 + 100_000, duration: 500_000 });
  const served = span({ traceId: trace, parentSpanId: call.spanId, name: 'GET /stock', service: 'inventory', start: T0 + 120_000, duration: 460_000 });
  const spans = [root, call, served];
  const batches: Array<{ logs: LogRecord[]; spans: Span[] }> = [];
  for (let b = 0; b < 4; b++) {
    const logs: LogRecord[] = [];
    for (let i = 0; i < 150; i++) {
      const k = b * 150 + i;
      const service = ['checkout', 'inventory', 'legacy'][k % 3]!;
      // Times on a coarse grid: many lines share a time.
      const time = T0 + Math.floor(rand() * 90) * 10_000;
      const line = log({ traceId: rand() < 0.85 ? trace : other, time, service, body: `step ${k} of ${service}`, severityNumber: rand() < 0.05 ? 17 : 9 });
      if (service === 'checkout') line.spanId = rand() < 0.5 ? root.spanId : call.spanId;
      if (service === 'inventory' && k % 2 === 0) line.spanId = served.spanId;
      if (k % 41 === 0) line.attributes = { duration_us: 20_000, 'http.method': 'GET', 'http.target': '/legacy/x', 'http.status_code': k % 82 === 0 ? 503 : 200 };
      if (k % 53 === 0) line.spanId = 'not-a-hex-span';
      if (k % 59 === 0) line.aliases = [`req-${k}`];
      if (k % 61 === 0) line.parseError = 'no parser matched';
      if (k % 67 === 0) line.traceFlags = 1;
      // Text that is not ASCII in some blocks (bodies and attributes): those blocks are decoded whole.
      if (b === 2 && k % 29 === 0) line.body += ' café 😀 naïve';
      if (b === 2 && k % 31 === 0) line.attributes = { ...line.attributes, note: 'überweisung ✓' };
      if (k % 71 === 0) {
        delete line.service;
        delete line.host;
      }
      logs.push(line);
    }
    batches.push({ logs, spans: b === 0 ? spans : [] });
  }
  return { trace, batches };
}

async function filled(store: Store, seed: number): Promise<string> {
  return (await filledWith(store, seed)).trace;
}

async function filledWith(store: Store, seed: number): Promise<{ trace: string; logs: LogRecord[] }> {
  const { trace, batches } = story(seed);
  for (const part of batches) await store.append(batch(part));
  return { trace, logs: batches.flatMap((b) => b.logs).filter((l) => l.traceId === trace) };
}

describe.each([
  ['inline', () => openStore({ dataDir: tempDir(), threads: 'inline' })],
  ['worker threads (compiled)', () => built.openStore({ dataDir: tempDir(), threads: 'worker' })],
] as const)('SQLite traceOfLines (%s)', (_mode, open) => {
  it('gives the lines trace() gives, in the same order, each column agreeing with its record', async () => {
    const store = await open();
    try {
      const { trace: id, logs: given } = await filledWith(store, 7);
      const records = (await store.trace(id))!;
      // What was stored comes back, text that is not ASCII included (compared without order or the store's ID).
      const key = (l: LogRecord) => JSON.stringify([l.time, l.body, l.service ?? null, l.spanId ?? null, l.attributes ?? null, l.aliases ?? null, l.parseError ?? null]);
      expect(records.logs.map(key).sort()).toEqual(given.map(key).sort());
      expect(records.logs.some((l) => l.body.includes('😀'))).toBe(true);
      const lines = (await store.traceOfLines!(id))!;
      expect(lines.traceId).toBe(records.traceId);
      expect(lines.spans).toEqual(records.spans);
      expect(lines.aliases).toEqual(records.aliases);
      expect(lines.logs.length).toBe(records.logs.length);
      expect(lines.logs.length).toBeGreaterThan(400);
      expect(lineArray(lines.logs)).toEqual(records.logs);
      // Time order, and every line is the trace's.
      for (let i = 1; i < records.logs.length; i++) expect(records.logs[i]!.time).toBeGreaterThanOrEqual(records.logs[i - 1]!.time);
      expect(records.logs.every((l) => l.traceId === id)).toBe(true);
      const columns = lineColumns(lines.logs)!;
      expect(columns).toBeDefined();
      let attributed = 0;
      records.logs.forEach((r, i) => {
        expect(columns.time(i)).toBe(r.time);
        expect(columns.severity(i)).toBe(r.severityNumber);
        expect(columns.service(i)).toBe(r.service);
        expect(columns.host(i)).toBe(r.host);
        expect(columns.spanId(i)).toBe(r.spanId);
        if (r.attributes !== undefined) {
          attributed++;
          expect(columns.mayHaveAttributes(i)).toBe(true);
        }
        if (r.attributes === undefined && r.aliases === undefined && r.parseError === undefined && r.spanId !== 'not-a-hex-span') expect(columns.mayHaveAttributes(i)).toBe(false);
      });
      expect(attributed).toBeGreaterThan(5);
      expect(lines.logs.at(-1)).toBeUndefined();
      expect(lines.logs.at(lines.logs.length)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('keeps the earliest lines at the limit', async () => {
    const store = await open();
    try {
      const id = await filled(store, 11);
      const all = (await store.trace(id))!.logs;
      const first = (await store.traceOfLines!(id, { limit: 37 }))!;
      expect(first.logs.length).toBe(37);
      expect(lineArray(first.logs)).toEqual(all.slice(0, 37));
    } finally {
      await store.close();
    }
  });

  it('builds the same trace view over the columns as over the records (derived spans, attachment, counts, lines sent)', async () => {
    const store = await open();
    try {
      const id = await filled(store, 13);
      const records = (await store.trace(id))!;
      const lines = (await store.traceOfLines!(id))!;
      for (const logLimit of [undefined, 100]) {
        const options = logLimit === undefined ? {} : { logLimit };
        const overRecords = buildTraceView(records, options);
        const overColumns = buildTraceView(lines, options);
        expect(overColumns).toEqual(overRecords);
        expect(overColumns.spans.filter((s) => s.derived).length).toBeGreaterThan(3);
        if (logLimit !== undefined) expect(overColumns.logsOmitted).toBeGreaterThan(0);
      }
    } finally {
      await store.close();
    }
  });
});

describe('stableTimeOrder', () => {
  const byComparator = (times: Float64Array) => Array.from({ length: times.length }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);

  it.each([
    ['ties in µs times of one trace', (r: () => number) => T0 + Math.floor(r() * 50) * 1000],
    ['fractional times', (r: () => number) => T0 + Math.floor(r() * 50) + 0.5 * Math.floor(r() * 2)],
    ['times far apart (past what packs into one number)', (r: () => number) => (r() < 0.5 ? 0 : T0) + Math.floor(r() * 5)],
    ['negative times', (r: () => number) => -T0 + Math.floor(r() * 20)],
  ])('orders %s by time, ties in index order', (_what, time) => {
    const r = random(99);
    const times = Float64Array.from({ length: 3000 }, () => time(r));
    expect(Array.from(stableTimeOrder(times))).toEqual(byComparator(times));
  });

  it('orders no times and one', () => {
    expect(Array.from(stableTimeOrder(new Float64Array(0)))).toEqual([]);
    expect(Array.from(stableTimeOrder(Float64Array.of(T0)))).toEqual([0]);
  });
});
