// A trace with more lines than one view carries, through the indexer's API: the view says what it left
// out, and GET /api/traces/:id/logs pages every line in, for the trace or one span.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_LOG_LIMIT } from '../../src/server/correlation.js';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

const hex = (seed: string, chars: number) => createHash('sha256').update(seed).digest('hex').slice(0, chars);
const TRACE = hex('many lines', 32);
const SPANS = 40;
const LINES_PER_SPAN = 75;
/** A minute boundary a little in the past, µs. */
const BASE = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000_000;
const spanId = (i: number) => hex(`span ${i}`, 16);

interface Line {
  id: string;
  time: number;
  body: string;
  severityNumber: number;
  attachedSpanId?: string;
}
interface View {
  truncated?: boolean;
  logCount: number;
  logsOmitted: number;
  logsPerSpan?: number;
  logs: Line[];
  spans: Array<{ spanId: string; logCount: number }>;
  services: Array<{ service: string; logs: number }>;
}
interface Page {
  traceId: string;
  spanId?: string;
  total: number;
  logs: Line[];
  nextCursor?: string;
}

let indexer: TestIndexer;
let lineCount = 0;

/** 40 server spans (span-end lines) under a root, 75 lines each, every 10th line of span 7 an error; an alias on the root. */
function traceLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < SPANS; i++) {
    const start = BASE + i * 10_000;
    const duration = i === 0 ? SPANS * 10_000 + 5_000 : 8_000;
    for (let j = 0; j < LINES_PER_SPAN; j++) {
      const error = i === 7 && j % 10 === 9;
      lines.push(JSON.stringify({ level: error ? 50 : 30, time: (start + 100 + j * 20) / 1000, service: `svc${i % 4}`, trace_id: TRACE, span_id: spanId(i), msg: `span ${i} line ${j}${error ? ' failed' : ''}` }));
    }
    lines.push(
      JSON.stringify({
        level: 30,
        time: (start + duration) / 1000,
        service: `svc${i % 4}`,
        trace_id: TRACE,
        span_id: spanId(i),
        ...(i === 0 ? { trace_alias: 'ORDER-1234' } : {}),
        msg: `server span ${i}`,
        span_end: { name: `GET /step/${i}`, kind: 'server', start_us: start, duration_us: duration, status: 'ok', ...(i > 0 ? { parent_span_id: spanId(0) } : {}) },
      }),
    );
  }
  return lines;
}

async function pageAll(path: string, limit: number): Promise<{ logs: Line[]; pages: Page[] }> {
  const logs: Line[] = [];
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await getJson(`${indexer.url}${path}${sep}limit=${limit}${cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body as unknown as Page;
    pages.push(page);
    logs.push(...page.logs);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(500);
  } while (cursor !== undefined);
  return { logs, pages };
}

beforeAll(async () => {
  indexer = await startIndexer();
  const lines = traceLines();
  lineCount = lines.length;
  for (let i = 0; i < lines.length; i += 1000) expect((await postNdjson(indexer.url, lines.slice(i, i + 1000))).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await indexer?.dispose();
});

describe('GET /api/traces/:id of a trace with more lines than a view carries', () => {
  it('keeps every span, carries at most the limit with every error line, and counts what it left out', async () => {
    expect(lineCount).toBeGreaterThan(VIEW_LOG_LIMIT);
    const res = await getJson(`${indexer.url}/api/traces/${TRACE}`);
    expect(res.status).toBe(200);
    const view = res.body as unknown as View;
    expect(view.spans).toHaveLength(SPANS);
    expect(view).toMatchObject({ truncated: true, logCount: lineCount, logsOmitted: lineCount - view.logs.length });
    expect(view.logs.length).toBeLessThanOrEqual(VIEW_LOG_LIMIT);
    expect(view.logs.filter((l) => l.severityNumber >= 17)).toHaveLength(7);
    for (const s of view.spans) expect(s.logCount).toBe(LINES_PER_SPAN + 1);
    // Each span's first lines are there: the reader sees the start of every span.
    for (const s of view.spans) expect(view.logs.filter((l) => l.attachedSpanId === s.spanId).length).toBeGreaterThanOrEqual(view.logsPerSpan!);
    expect(view.logsPerSpan).toBeGreaterThanOrEqual(Math.floor((VIEW_LOG_LIMIT - 7) / SPANS) - 1);
    // The services' counts are of every line, not of those carried.
    expect(view.services.reduce((n, s) => n + s.logs, 0)).toBe(lineCount);
  });

  it('answers every line with ?logs=all, none with ?logs=0, and refuses anything else', async () => {
    const all = (await getJson(`${indexer.url}/api/traces/${TRACE}?logs=all`)).body as unknown as View;
    expect(all.logs).toHaveLength(lineCount);
    expect(all.logsOmitted).toBe(0);
    expect(all.truncated).toBeUndefined();
    const none = (await getJson(`${indexer.url}/api/traces/${TRACE}?logs=0`)).body as unknown as View;
    expect(none).toMatchObject({ logs: [], logsOmitted: lineCount, truncated: true });
    expect(none.spans).toHaveLength(SPANS);
    const bad = await getJson(`${indexer.url}/api/traces/${TRACE}?logs=lots`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'BAD_PARAMETER' });
    expect(String(bad.body.error)).toMatch(/logs must be "all" or a whole number/);
  });
});

describe('GET /api/traces/:id/logs', () => {
  it('pages through every line of the trace once, in time order', async () => {
    const view = (await getJson(`${indexer.url}/api/traces/${TRACE}?logs=all`)).body as unknown as View;
    const { logs, pages } = await pageAll(`/api/traces/${TRACE}/logs`, 500);
    expect(pages).toHaveLength(Math.ceil(lineCount / 500));
    expect(pages.every((p) => p.total === lineCount && p.traceId === TRACE)).toBe(true);
    expect(logs.map((l) => l.id)).toEqual(view.logs.map((l) => l.id));
    expect(new Set(logs.map((l) => l.id)).size).toBe(lineCount);
  });

  it('pages through one span’s lines, found by an alias as well as by the trace ID', async () => {
    const failing = spanId(7);
    const { logs, pages } = await pageAll(`/api/traces/ORDER-1234/logs?span=${failing}`, 30);
    expect(pages[0]).toMatchObject({ traceId: TRACE, spanId: failing, total: LINES_PER_SPAN + 1 });
    expect(logs).toHaveLength(LINES_PER_SPAN + 1);
    expect(logs.every((l) => l.attachedSpanId === failing)).toBe(true);
    expect(logs.slice(0, LINES_PER_SPAN).map((l) => l.body)).toEqual(Array.from({ length: LINES_PER_SPAN }, (_, j) => `span 7 line ${j}${j % 10 === 9 ? ' failed' : ''}`));
  });

  it('says what was wrong with a bad cursor, span, limit or trace', async () => {
    const cases: Array<[string, number, string]> = [
      [`/api/traces/${TRACE}/logs?cursor=not-a-cursor`, 400, 'BAD_CURSOR'],
      [`/api/traces/${TRACE}/logs?span=0123456789abcdef`, 404, 'SPAN_NOT_FOUND'],
      [`/api/traces/${TRACE}/logs?limit=0`, 400, 'BAD_PARAMETER'],
      [`/api/traces/${hex('nobody', 32)}/logs`, 404, 'TRACE_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const res = await getJson(`${indexer.url}${path}`);
      expect([path, res.status, res.body.code]).toEqual([path, status, code]);
      expect(String(res.body.error).length).toBeGreaterThan(20);
    }
  });
});

describe('pages and the view they complete', () => {
  it('follow the view the reader opened until it is opened again, then bring the lines that arrived since', async () => {
    const trace = hex('growing trace', 32);
    const span = hex('growing span', 16);
    const line = (j: number) => JSON.stringify({ level: 30, time: (BASE + 1_000 + j * 100) / 1000, service: 'worker', trace_id: trace, span_id: span, msg: `item ${j}` });
    const first = Array.from({ length: VIEW_LOG_LIMIT + 100 }, (_, j) => line(j));
    for (let i = 0; i < first.length; i += 1000) expect((await postNdjson(indexer.url, first.slice(i, i + 1000))).status).toBe(200);
    const view = (await getJson(`${indexer.url}/api/traces/${trace}`)).body as unknown as View;
    expect(view.logCount).toBe(first.length);
    // More lines arrive while the reader pages: the pages still add up to what the view said.
    expect((await postNdjson(indexer.url, [line(first.length), line(first.length + 1)])).status).toBe(200);
    const paged = await pageAll(`/api/traces/${trace}/logs`, 1000);
    expect(paged.pages[0]!.total).toBe(view.logCount);
    expect(paged.logs).toHaveLength(view.logCount);
    // Opening the trace again shows them, and its pages bring them.
    const again = (await getJson(`${indexer.url}/api/traces/${trace}`)).body as unknown as View;
    expect(again.logCount).toBe(first.length + 2);
    const repaged = await pageAll(`/api/traces/${trace}/logs`, 1000);
    expect(repaged.logs.slice(-2).map((l) => l.body)).toEqual([`item ${first.length}`, `item ${first.length + 1}`]);
  });
});
