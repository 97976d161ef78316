// BatchShipper against a real HTTP receiver on 127.0.0.1: batching, gzip, retries, drops, close.
import { afterEach, describe, expect, it } from 'vitest';
import { BatchShipper, type ShipperOptions } from '../../adapters/shared/shipper.js';
import { Receiver } from './receiver.js';

const open: Array<{ close(timeoutMs?: number): Promise<unknown> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close(200)));
});

/** A shipper with test-sized timings whose warnings are collected instead of printed. */
function shipperFor(url: string | undefined, options: ShipperOptions = {}): { shipper: BatchShipper; warnings: string[] } {
  const warnings: string[] = [];
  const shipper = new BatchShipper({
    url,
    flushIntervalMs: 50,
    backoffBaseMs: 10,
    backoffMaxMs: 50,
    onWarning: (message) => warnings.push(message),
    env: {},
    ...options,
  });
  open.push(shipper);
  return { shipper, warnings };
}

async function receiver(port?: number): Promise<Receiver> {
  const started = await Receiver.start(port);
  open.push({ close: () => started.stop() });
  return started;
}

const numbered = (count: number, from = 0): string[] =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ level: 30, msg: `line ${from + i}`, i: from + i }));

describe('BatchShipper delivery', () => {
  it('delivers lines intact and in order, as NDJSON to /ingest', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { batchSize: 10 });
    const lines = [
      ...numbered(40),
      JSON.stringify({ msg: 'naïve café ☕ 日本語 😀', quote: '"\\' }),
      ...numbered(14, 40),
    ];
    for (const line of lines) shipper.add(line);
    await shipper.flush();

    expect(indexer.lines()).toEqual(lines);
    expect(indexer.stored).toHaveLength(6);
    expect(indexer.requests[0]?.path).toBe('/ingest');
    expect(indexer.requests[0]?.headers['content-type']).toBe('application/x-ndjson');
    expect(indexer.requests[0]?.headers.authorization).toBeUndefined();
    expect(shipper.stats()).toMatchObject({ sentLines: 55, sentBatches: 6, droppedLines: 0, queuedLines: 0, retries: 0 });
  });

  it('sends a batch as soon as it holds batchSize lines, and the rest on flush', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { batchSize: 5, flushIntervalMs: 60_000 });
    for (const line of numbered(12)) shipper.add(line);
    await indexer.waitFor('two full batches', () => indexer.stored.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(indexer.stored.map((batch) => batch.lines.length)).toEqual([5, 5]);
    expect(shipper.stats().queuedLines).toBe(2);

    await shipper.flush();
    expect(indexer.stored.map((batch) => batch.lines.length)).toEqual([5, 5, 2]);
  });

  it('sends a batch when its bytes reach batchBytes', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { batchBytes: 1000, flushIntervalMs: 60_000 });
    const line = JSON.stringify({ msg: 'x'.repeat(290) }); // 300 bytes and a newline
    for (let i = 0; i < 7; i++) shipper.add(line);
    await indexer.waitFor('two byte-sized batches', () => indexer.stored.length === 2);
    expect(indexer.stored.map((batch) => batch.lines.length)).toEqual([3, 3]);
  });

  it('sends a partial batch once flushIntervalMs has passed', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { flushIntervalMs: 150 });
    const start = Date.now();
    for (const line of numbered(3)) shipper.add(line);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(indexer.requests).toHaveLength(0);
    await indexer.waitFor('the timed batch', () => indexer.stored.length === 1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(indexer.lines()).toEqual(numbered(3));
  });

  it('gzips batches above gzipThreshold and only those', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { gzipThreshold: 1024 });
    const big = numbered(200);
    for (const line of big) shipper.add(line);
    await shipper.flush();
    shipper.add('{"msg":"small"}');
    await shipper.flush();

    const [gzipped, plain] = indexer.requests;
    expect(gzipped?.headers['content-encoding']).toBe('gzip');
    expect(gzipped?.lines).toEqual(big);
    expect(gzipped?.wireBytes).toBeLessThan(Buffer.byteLength(big.join('\n')) / 3);
    expect(Number(gzipped?.headers['content-length'])).toBe(gzipped?.wireBytes);
    expect(plain?.headers['content-encoding']).toBeUndefined();
    expect(plain?.lines).toEqual(['{"msg":"small"}']);
  });

  it('sends the bearer token from the option or from LOGSTITCH_INGEST_TOKEN', async () => {
    const indexer = await receiver();
    const fromOption = shipperFor(indexer.url, { token: 's3cret' }).shipper;
    fromOption.add('{"msg":"a"}');
    await fromOption.flush();
    const fromEnv = shipperFor(indexer.url, { env: { LOGSTITCH_INGEST_TOKEN: 'from-env' } }).shipper;
    fromEnv.add('{"msg":"b"}');
    await fromEnv.flush();

    expect(indexer.requests.map((request) => request.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer from-env']);
  });

  it('finds the indexer from LOGSTITCH_INDEXER_URL and appends /ingest only when missing', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(undefined, { env: { LOGSTITCH_INDEXER_URL: `${indexer.url}/base/` } });
    expect(shipper.url).toBe(`${indexer.url}/base/ingest`);
    expect(shipperFor(`${indexer.url}/custom/ingest`).shipper.url).toBe(`${indexer.url}/custom/ingest`);
    expect(shipperFor(undefined).shipper.url).toBe('http://127.0.0.1:4318/ingest');
    expect(() => new BatchShipper({ url: 'ftp://example.com' })).toThrow(/must start with http/);
    expect(() => new BatchShipper({ batchSize: 0 })).toThrow(/batchSize/);

    shipper.add('{"msg":"via env"}');
    await shipper.flush();
    expect(indexer.requests[0]?.path).toBe('/base/ingest');
  });
});

describe('BatchShipper when the indexer struggles', () => {
  it('retries a batch under the same ID until it is stored once', async () => {
    const indexer = await receiver();
    indexer.respond = (request, attempt) =>
      attempt < 2 ? { status: 503, body: { error: 'warming up' } } : { status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } };
    const { shipper, warnings } = shipperFor(indexer.url);
    for (const line of numbered(5)) shipper.add(line);
    await shipper.flush();

    expect(indexer.requests).toHaveLength(3);
    const ids = new Set(indexer.requests.map((request) => request.batchId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(indexer.stored).toHaveLength(1);
    expect(indexer.lines()).toEqual(numbered(5));
    expect(shipper.stats()).toMatchObject({ retries: 2, sentLines: 5, lastError: 'HTTP 503: warming up' });
    expect(warnings.filter((w) => w.includes('cannot deliver'))).toHaveLength(1);
  });

  it('waits as long as Retry-After asks', async () => {
    const indexer = await receiver();
    indexer.respond = (request, attempt) =>
      attempt === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } };
    const { shipper } = shipperFor(indexer.url, { backoffBaseMs: 1, backoffMaxMs: 5 });
    shipper.add('{"msg":"patience"}');
    await shipper.flush();

    const [first, second] = indexer.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeLessThan(2000);
    expect(second?.batchId).toBe(first?.batchId);
  });

  it('retries a request that gets no answer within timeoutMs', async () => {
    const indexer = await receiver();
    indexer.respond = (request, attempt) => (attempt === 0 ? 'hang' : { status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } });
    const { shipper } = shipperFor(indexer.url, { timeoutMs: 200 });
    shipper.add('{"msg":"slow"}');
    await shipper.flush();
    expect(indexer.requests).toHaveLength(2);
    expect(indexer.stored).toHaveLength(1);
    expect(shipper.stats().lastError).toMatch(/no answer from the indexer within 200 ms/);
  });

  it('drops a batch the indexer refuses with a 4xx, says why once, and keeps shipping', async () => {
    const indexer = await receiver();
    let refusals = 0;
    indexer.respond = (request) => {
      if (request.lines.some((line) => line.includes('poison'))) {
        refusals++;
        return { status: 400, body: { error: 'line 0: field time is not a timestamp' } };
      }
      return { status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } };
    };
    const { shipper, warnings } = shipperFor(indexer.url);
    shipper.add('{"msg":"poison"}');
    shipper.add('{"msg":"poison too"}');
    await shipper.flush();
    for (const line of numbered(3)) shipper.add(line);
    await shipper.flush();

    expect(refusals).toBe(1);
    expect(indexer.lines()).toEqual(numbered(3));
    expect(shipper.stats()).toMatchObject({ rejectedLines: 2, sentLines: 3, retries: 0 });
    const refused = warnings.filter((w) => w.includes('refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('2 log line(s)');
    expect(refused[0]).toContain('HTTP 400: line 0: field time is not a timestamp');
  });

  it('counts and reports lines the indexer rejects inside an accepted batch', async () => {
    const indexer = await receiver();
    indexer.respond = (request) => ({
      status: 200,
      body: { accepted: request.lines.length - 1, rejected: 1, errors: [{ line: 1, reason: 'not JSON' }] },
    });
    const { shipper, warnings } = shipperFor(indexer.url);
    for (const line of ['{"msg":"ok"}', 'garbage', '{"msg":"ok too"}']) shipper.add(line);
    await shipper.flush();
    expect(shipper.stats()).toMatchObject({ sentLines: 2, rejectedLines: 1 });
    expect(warnings.join('\n')).toContain('rejected 1 log line(s); e.g. line 1 of a batch: not JSON');
  });

  it('delivers everything once an indexer that was down at start comes up', async () => {
    const port = await Receiver.freePort();
    const { shipper, warnings } = shipperFor(`http://127.0.0.1:${port}`, { batchSize: 20 });
    for (const line of numbered(50)) shipper.add(line);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(shipper.stats().retries).toBeGreaterThan(0);
    expect(shipper.stats().lastError).toMatch(/ECONNREFUSED/);

    const indexer = await receiver(port);
    await shipper.flush();
    expect(indexer.lines()).toEqual(numbered(50));
    expect(shipper.stats()).toMatchObject({ sentLines: 50, droppedLines: 0 });
    expect(warnings[0]).toMatch(new RegExp(`cannot deliver logs to the indexer at http://127.0.0.1:${port}/ingest: .*ECONNREFUSED`));
    expect(warnings.some((w) => w.includes('again'))).toBe(true);
  });

  it('keeps a bounded buffer: drops the oldest lines, counts them, and delivers the newest', async () => {
    const port = await Receiver.freePort();
    const { shipper, warnings } = shipperFor(`http://127.0.0.1:${port}`, { batchSize: 10, maxBufferBytes: 2000, warnIntervalMs: 60_000 });
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ msg: `line ${String(i).padStart(3, '0')}`, pad: 'p'.repeat(70) }));
    for (const line of lines.slice(0, 50)) shipper.add(line);
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const line of lines.slice(50)) shipper.add(line);
    expect(shipper.stats().queuedBytes).toBeLessThanOrEqual(2000);
    await new Promise((resolve) => setTimeout(resolve, 150));

    const indexer = await receiver(port);
    await shipper.flush();
    const { droppedLines, sentLines } = shipper.stats();
    const received = indexer.lines();
    expect(droppedLines).toBeGreaterThan(50);
    expect(sentLines + droppedLines).toBe(100);
    // What survives is the newest stretch, unbroken: the loss is one run of the oldest lines.
    expect(received).toEqual(lines.slice(100 - received.length));
    expect(received.length).toBeGreaterThanOrEqual(15);
    const dropWarnings = warnings.filter((w) => w.includes('dropped'));
    expect(dropWarnings[0]).toMatch(new RegExp(`dropped \\d+ oldest log line\\(s\\): the 2 KiB buffer is full because the indexer at http://127.0.0.1:${port}/ingest `));
    expect(dropWarnings.length).toBeLessThanOrEqual(2);
  });
});

describe('BatchShipper lines and lifecycle', () => {
  it('cuts an over-long line, keeps its small fields and flags it', async () => {
    const indexer = await receiver();
    const { shipper } = shipperFor(indexer.url, { maxLineBytes: 2048 });
    const huge = { level: 50, time: 1_700_000_000_000, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', msg: 'é'.repeat(5000), blob: 'b'.repeat(5000) };
    shipper.add(JSON.stringify(huge));
    shipper.add(`plain text ${'t'.repeat(4000)}`);
    shipper.add('a stack trace\n    at one\n    at two');
    shipper.add('{\n  "msg": "pretty printed"\n}');
    await shipper.flush();

    const [cut, text, multi, pretty] = indexer.lines().map((line) => ({ bytes: Buffer.byteLength(line), json: JSON.parse(line) }));
    expect(cut!.bytes).toBeLessThanOrEqual(2048);
    expect(cut!.json).toMatchObject({ level: 50, time: 1_700_000_000_000, trace_id: huge.trace_id, logstitch_truncated: true, logstitch_dropped_fields: ['blob'] });
    expect(cut!.json.logstitch_original_bytes).toBe(Buffer.byteLength(JSON.stringify(huge)));
    expect(huge.msg.startsWith(cut!.json.msg)).toBe(true);
    expect(cut!.json.msg.length).toBeGreaterThan(500);
    expect(text!.bytes).toBeLessThanOrEqual(2048);
    expect(text!.json).toMatchObject({ logstitch_truncated: true });
    expect(text!.json.msg).toMatch(/^plain text t+$/);
    expect(multi!.json).toEqual({ msg: 'a stack trace\n    at one\n    at two' });
    expect(pretty!.json).toEqual({ msg: 'pretty printed' });
    expect(indexer.lines()).toHaveLength(4);
  });

  it('gives up at the close deadline and reports what was lost', async () => {
    const port = await Receiver.freePort();
    const { shipper, warnings } = shipperFor(`http://127.0.0.1:${port}`);
    for (const line of numbered(7)) shipper.add(line);
    const start = Date.now();
    await shipper.close(300);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(shipper.stats()).toMatchObject({ droppedLines: 7, queuedLines: 0, inFlightLines: 0 });
    expect(warnings.at(-1)).toMatch(/gave up after 300 ms with 7 log line\(s\) not delivered .*ECONNREFUSED.*they are lost/);

    shipper.add('{"msg":"too late"}');
    expect(shipper.stats().droppedLines).toBe(8);
  });

  it('delivers on close, and a close racing a long backoff retries at once', async () => {
    const indexer = await receiver();
    indexer.respond = (request, attempt) =>
      attempt === 0 ? { status: 503, headers: { 'retry-after': '60' } } : { status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } };
    const { shipper } = shipperFor(indexer.url);
    shipper.add('{"msg":"last words"}');
    await indexer.waitFor('the first attempt', () => indexer.requests.length === 1);
    const start = Date.now();
    await shipper.close(2000);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(indexer.lines()).toEqual(['{"msg":"last words"}']);
  });

  it('never throws from add', () => {
    const { shipper } = shipperFor('http://127.0.0.1:9');
    expect(() => {
      shipper.add(undefined as unknown as string);
      shipper.add({ toString: () => 'object' } as unknown as string);
      shipper.add('');
    }).not.toThrow();
  });
});
