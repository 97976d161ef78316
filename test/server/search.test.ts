// GET /api/search and /api/services on real data: fields, levels, exclusions, wildcards, paging.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

let indexer: TestIndexer;
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0); // well before "now", so lines sent during the test are newer
const line = (i: number, fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: T0 + i * 1000, hostname: 'web-1', ...fields });

beforeAll(async () => {
  indexer = await startIndexer();
  const lines = [
    line(0, { service: 'checkout', msg: 'checkout started for cart 7', order_id: 'A-17' }),
    line(1, { service: 'checkout', level: 50, msg: 'connection refused by inventory', retry: 1 }),
    line(2, { service: 'inventory', level: 50, msg: 'connection timeout to warehouse', hostname: 'db-2' }),
    line(3, { service: 'inventory', level: 40, msg: 'retry scheduled after timeout' }),
    line(4, { service: 'shipping', msg: 'quote ready', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', trace_alias: 'abc-123' }),
    line(5, { service: 'shipping', level: 60, msg: 'carrier connection reset' }),
  ];
  expect((await postNdjson(indexer.url, lines)).status).toBe(200);
});
afterAll(async () => {
  await indexer.dispose();
});

async function bodies(q: string, extra = ''): Promise<string[]> {
  const reply = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent(q)}${extra}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return (reply.body.logs as Array<{ body: string }>).map((l) => l.body);
}

describe('search', () => {
  it('answers newest first, across fields with AND and within a field with OR', async () => {
    expect(await bodies('connection')).toEqual(['carrier connection reset', 'connection timeout to warehouse', 'connection refused by inventory']);
    expect(await bodies('service:checkout connection')).toEqual(['connection refused by inventory']);
    expect(await bodies('service:checkout service:shipping connection')).toEqual(['carrier connection reset', 'connection refused by inventory']);
    expect(await bodies('connection timeout')).toEqual(['connection timeout to warehouse']);
  });

  it('filters by level, host, attribute, trace (and its alias), and excludes with -', async () => {
    expect(await bodies('level:error')).toEqual(['connection timeout to warehouse', 'connection refused by inventory']);
    expect(await bodies('level:error level:fatal')).toEqual(['carrier connection reset', 'connection timeout to warehouse', 'connection refused by inventory']);
    expect(await bodies('host:db-2')).toEqual(['connection timeout to warehouse']);
    expect(await bodies('attr.order_id:A-17')).toEqual(['checkout started for cart 7']);
    expect(await bodies('attr.retry:1')).toEqual(['connection refused by inventory']);
    expect(await bodies('trace:4bf92f35*')).toEqual(['quote ready']);
    expect(await bodies('trace:abc-123')).toEqual(['quote ready']);
    expect(await bodies('timeout -retry')).toEqual(['connection timeout to warehouse']);
    expect(await bodies('-service:inventory -service:shipping')).toEqual(['connection refused by inventory', 'checkout started for cart 7']);
  });

  it('expands wildcards and fuzzy terms against the words the store knows', async () => {
    expect(await bodies('conn*')).toHaveLength(3);
    expect(await bodies('wareh*se')).toEqual(['connection timeout to warehouse']);
    expect(await bodies('carier~1')).toEqual(['carrier connection reset']);
    expect(await bodies('servic*:x').catch(() => [])).toEqual([]);
  });

  it('honours the time range', async () => {
    expect(await bodies('', `&from=${T0 + 2000}&to=${new Date(T0 + 3000).toISOString()}`)).toEqual(['retry scheduled after timeout', 'connection timeout to warehouse']);
  });

  it('pages with a cursor, unaffected by newer lines arriving meanwhile', async () => {
    const first = await getJson(`${indexer.url}/api/search?q=&limit=4`);
    const page1 = (first.body.logs as Array<{ body: string }>).map((l) => l.body);
    expect(page1).toHaveLength(4);
    await postNdjson(indexer.url, [JSON.stringify({ level: 30, time: Date.now(), service: 'late', msg: `newer line ${randomUUID()}` })]);
    const second = await getJson(`${indexer.url}/api/search?q=&limit=4&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);
    const page2 = (second.body.logs as Array<{ body: string }>).map((l) => l.body);
    expect(page2).toEqual(['connection refused by inventory', 'checkout started for cart 7']);
    expect(second.body.nextCursor).toBeUndefined();
    const bad = await getJson(`${indexer.url}/api/search?cursor=garbage`);
    expect(bad.status).toBe(400);
  });

  it('lists services with counts', async () => {
    const reply = await getJson(`${indexer.url}/api/services`);
    const services = reply.body.services as Array<Record<string, unknown>>;
    expect(services.find((s) => s.service === 'inventory')).toMatchObject({ logs: 2, errorLogs: 1, spans: 0, firstSeen: (T0 + 2000) * 1000, lastSeen: (T0 + 3000) * 1000 });
    expect(services.find((s) => s.service === 'shipping')).toMatchObject({ logs: 2, errorLogs: 1 });
  });
});
