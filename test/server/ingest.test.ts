// POST /ingest on a real indexer and SQLite store: what is stored, once, and how bad input is answered.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, pinoLines, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

let indexer: TestIndexer;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

beforeAll(async () => {
  indexer = await startIndexer();
});
afterAll(async () => {
  await indexer.dispose();
});

/** Sends a raw request (any method, headers and bytes), for what fetch refuses to send. */
function raw(path: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${indexer.url}${path}`, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('POST /ingest', () => {
  it('stores a batch of pino lines and finds them by trace ID', async () => {
    const lines = pinoLines(5, { traceId: TRACE, service: 'checkout' });
    const reply = await postNdjson(indexer.url, lines, { 'x-logstitch-batch-id': randomUUID() });
    expect(reply).toMatchObject({ status: 200, body: { accepted: 5, rejected: 0, duplicate: false } });
    const trace = await getJson(`${indexer.url}/api/traces/${TRACE}`);
    expect(trace.status).toBe(200);
    const logs = trace.body.logs as Array<Record<string, unknown>>;
    expect(logs.map((l) => l.body)).toEqual(['request 0 handled', 'request 1 handled', 'request 2 handled', 'request 3 handled', 'request 4 handled']);
    expect(logs[0]).toMatchObject({ traceId: TRACE, spanId: '00f067aa0ba902b7', service: 'checkout', host: 'web-1', severityNumber: 9 });
    expect(logs[4]).toMatchObject({ severityNumber: 17 });
    // Times come back as epoch µs.
    expect(Math.abs((logs[0]!.time as number) - Date.now() * 1000)).toBeLessThan(60_000_000);
  });

  it('stores a retried batch once', async () => {
    const id = randomUUID();
    const traceId = createHash('md5').update(id).digest('hex');
    const lines = pinoLines(3, { traceId });
    const first = await postNdjson(indexer.url, lines, { 'x-logstitch-batch-id': id });
    const again = await postNdjson(indexer.url, lines, { 'x-logstitch-batch-id': id });
    expect(first.body.duplicate).toBe(false);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    const trace = await getJson(`${indexer.url}/api/traces/${traceId}`);
    expect((trace.body.logs as unknown[]).length).toBe(3);
  });

  it('accepts gzip bodies', async () => {
    const traceId = createHash('md5').update('gzip').digest('hex');
    const body = gzipSync(`${pinoLines(200, { traceId }).join('\n')}\n`);
    const reply = await raw('/ingest', { headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'content-length': body.length }, body });
    expect(reply).toMatchObject({ status: 200, body: { accepted: 200 } });
    expect(((await getJson(`${indexer.url}/api/traces/${traceId}`)).body.logs as unknown[]).length).toBe(200);
  });

  it('keeps lines that are not JSON, raw and flagged, and says so', async () => {
    const traceId = createHash('md5').update('mixed').digest('hex');
    const lines = [...pinoLines(1, { traceId }), 'Tue Nov 24 09:00:01 plain text crash trace', '[1,2,3]', '{"msg": "cut'];
    const reply = await postNdjson(indexer.url, lines);
    expect(reply.status).toBe(200);
    expect(reply.body.accepted).toBe(4);
    expect(reply.body.errors).toEqual(['line 1: stored raw: not JSON (Unexpected token \'T\', "Tue Nov 24"... is not valid JSON)', 'line 2: stored raw: not a JSON object', expect.stringMatching(/^line 3: stored raw: not JSON/)]);
    const found = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent('plain crash')}`);
    const logs = found.body.logs as Array<Record<string, unknown>>;
    expect(logs[0]).toMatchObject({ body: 'Tue Nov 24 09:00:01 plain text crash trace', parseError: expect.stringMatching(/^not JSON/) });
  });


  it("takes the sender's observed time for lines that carry none, and the line's own time first", async () => {
    const traceId = createHash('md5').update('observed').digest('hex');
    const observed = 1_732_000_000_000_000;
    const lines = [JSON.stringify({ level: 30, time: 1_731_999_999_000, trace_id: traceId, msg: 'read by the agent a while ago' }), JSON.stringify({ level: 30, trace_id: traceId, msg: 'no time of its own' })];
    const reply = await raw('/ingest', { headers: { 'content-type': 'application/x-ndjson', 'x-logstitch-observed-time': String(observed) }, body: lines.join('\n') });
    expect(reply.status).toBe(200);
    const logs = (await getJson(`${indexer.url}/api/traces/${traceId}`)).body.logs as Array<{ body: string; time: number; observedTime: number }>;
    expect(logs.map((l) => [l.body, l.time, l.observedTime])).toEqual([
      ['read by the agent a while ago', 1_731_999_999_000_000, observed],
      ['no time of its own', observed, observed],
    ]);
  });

  it('keeps multi-byte text whole and reads CRLF and blank lines as a shell would write them', async () => {
    const traceId = createHash('md5').update('utf8 lines').digest('hex');
    const bodies = ['Zahlung für Bestellung Ü-42 abgelehnt', '注文 42 の決済に失敗しました', 'card declined 💳 retrying'];
    const text = `${bodies.map((msg) => JSON.stringify({ level: 50, time: Date.now(), trace_id: traceId, service: 'payments', msg })).join('\r\n')}\r\n\r\n\n   \nnot json, ünïcödé\r\n`;
    const reply = await raw('/ingest', { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.from(text, 'utf8') });
    expect(reply).toMatchObject({ status: 200, body: { accepted: 4, errors: [expect.stringMatching(/^line 6: stored raw: not JSON/)] } });
    const trace = await getJson(`${indexer.url}/api/traces/${traceId}`);
    expect((trace.body.logs as Array<{ body: string }>).map((l) => l.body)).toEqual(bodies);
    const raw6 = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent('ünïcödé')}`);
    expect((raw6.body.logs as Array<{ body: string }>).map((l) => l.body)).toEqual(['not json, ünïcödé']);
  });
  it('turns span-end lines into spans and trace_alias into an alias', async () => {
    const traceId = createHash('md5').update('spans').digest('hex');
    const spanEnd = JSON.stringify({
      level: 30, time: Date.now(), msg: 'server span GET /x 200 in 1 ms', trace_id: traceId, span_id: 'a9c25ce414550e2c', trace_flags: '01', service: 'checkout', trace_alias: 'abc-777',
      span_end: { name: 'GET /x', kind: 'server', start_us: Date.now() * 1000, duration_us: 1000, status: 'unset', http: { method: 'GET', status_code: 200 } },
    });
    expect((await postNdjson(indexer.url, [spanEnd])).body).toMatchObject({ accepted: 1, spans: 1 });
    const byAlias = await getJson(`${indexer.url}/api/traces/abc-777`);
    expect(byAlias.status).toBe(200);
    expect(byAlias.body).toMatchObject({ traceId, aliases: ['abc-777'] });
    expect(byAlias.body.spans).toEqual([expect.objectContaining({ spanId: 'a9c25ce414550e2c', name: 'GET /x', kind: 'server', service: 'checkout' })]);
  });
});

describe('bad input', () => {
  const ndjson = { 'content-type': 'application/x-ndjson' };
  const bomb = gzipSync(Buffer.alloc(160 * 1024 * 1024, 0x20), { level: 9 });
  const cases: Array<[string, Parameters<typeof raw>[1], number, RegExp]> = [
    ['wrong content type', { headers: { 'content-type': 'text/html' }, body: '{}' }, 415, /content-type "text\/html" is not accepted here; send application\/x-ndjson/],
    ['no content type', { body: '{}' }, 415, /content-type \(none\)/],
    ['truncated gzip', { headers: { ...ndjson, 'content-encoding': 'gzip' }, body: gzipSync('{"msg":"x"}\n').subarray(0, 12) }, 400, /body is not valid gzip/],
    ['a gzip bomb (160 MB of spaces in 160 KB)', { headers: { ...ndjson, 'content-encoding': 'gzip' }, body: bomb }, 413, /inflates past the limit/],
    ['an unknown encoding', { headers: { ...ndjson, 'content-encoding': 'br' }, body: 'x' }, 415, /content-encoding "br" is not supported/],
    ['invalid UTF-8', { headers: ndjson, body: Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]) }, 400, /not valid UTF-8 \(first bad byte at offset 6\)/],
    ['a bad batch ID', { headers: { ...ndjson, 'x-logstitch-batch-id': 'has spaces in it' }, body: '{}' }, 400, /x-logstitch-batch-id must be/],
    ['a bad observed time', { headers: { ...ndjson, 'x-logstitch-observed-time': 'yesterday' }, body: '{}' }, 400, /x-logstitch-observed-time must be µs since the epoch/],
    ['a GET on an ingest route', { method: 'GET', headers: ndjson }, 404, /no route for GET \/ingest/],
  ];

  it.each(cases)('%s → a 4xx naming the problem, nothing stored', async (_name, request, status, message) => {
    const before = await indexer.store.stats();
    const reply = await raw('/ingest', request);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatch(message);
    expect((await indexer.store.stats()).logs).toBe(before.logs);
    expect((await getJson(`${indexer.url}/healthz`)).status).toBe(200);
  });

  /**
   * Speaks HTTP over a raw socket: sends the head, then body chunks until the server answers or `total`
   * bytes are sent; returns the status line. A socket lets the test read an early 413 even while the
   * server refuses the rest of the body.
   */
  function earlyAnswer(head: string, total: number, chunked = false): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(new URL(indexer.url).port as unknown as number, '127.0.0.1');
      let answer = '';
      let sent = 0;
      const data = Buffer.alloc(1024 * 1024, 0x61);
      const chunk = chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
      socket.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
        if (answer.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(answer.slice(0, answer.indexOf('\r\n\r\n')));
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => (answer === '' ? reject(new Error('closed without an answer')) : resolve(answer)));
      socket.write(head);
      const pump = (): void => {
        while (sent < total && !socket.destroyed) {
          sent += data.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  }

  it('refuses a 100 MB body at once, from its declared length, without reading it', async () => {
    const answer = await earlyAnswer(`POST /ingest HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-ndjson\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`, 0);
    expect(answer).toMatch(/^HTTP\/1.1 413 /);
    expect((await getJson(`${indexer.url}/healthz`)).status).toBe(200);
  });

  it('refuses a 100 MB body streamed without a declared length once it passes the limit', async () => {
    const answer = await earlyAnswer('POST /ingest HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n', 100 * 1024 * 1024, true);
    expect(answer).toMatch(/^HTTP\/1.1 413 /);
    expect((await getJson(`${indexer.url}/healthz`)).status).toBe(200);
  });

  it('stores SQL-looking strings and quotes as text, and queries with them harmlessly', async () => {
    const nasty = `'; DROP TABLE logs; -- "quoted" \\ back\`tick NEAR( AND OR * ^`;
    const traceId = createHash('md5').update('nasty').digest('hex');
    const line = JSON.stringify({ level: 30, time: Date.now(), msg: nasty, trace_id: traceId, service: nasty, hostname: nasty, user: nasty });
    expect((await postNdjson(indexer.url, [line])).status).toBe(200);
    const trace = await getJson(`${indexer.url}/api/traces/${traceId}`);
    expect((trace.body.logs as Array<Record<string, unknown>>)[0]).toMatchObject({ body: nasty, service: nasty, host: nasty, attributes: { user: nasty } });
    for (const q of [`DROP`, `"'; DROP TABLE logs; --"`, `service:'`, `msg:"`]) {
      const found = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent(q)}`);
      expect([200, 400]).toContain(found.status);
    }
    expect(((await getJson(`${indexer.url}/api/traces/${traceId}`)).body.logs as unknown[]).length).toBe(1);
  });

  it('answers an unknown field and a malformed query with the parser message', async () => {
    const unknown = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent('colour:red')}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/colour/);
    const badTime = await getJson(`${indexer.url}/api/search?from=yesterday`);
    expect(badTime).toMatchObject({ status: 400, body: { error: expect.stringMatching(/from must be ISO 8601/) } });
    const badLimit = await getJson(`${indexer.url}/api/search?limit=0`);
    expect(badLimit.status).toBe(400);
  });

  it('says when a trace is unknown', async () => {
    const missing = await getJson(`${indexer.url}/api/traces/ffffffffffffffffffffffffffffffff`);
    expect(missing).toMatchObject({ status: 404, body: { error: 'no trace has the ID or alias "ffffffffffffffffffffffffffffffff"' } });
  });
});

describe('tokens', () => {
  it('protects ingest and query separately when configured', async () => {
    const guarded = await startIndexer({ ingestToken: 'in-secret', queryToken: 'q-secret' });
    try {
      const lines = pinoLines(1, { traceId: TRACE });
      expect((await postNdjson(guarded.url, lines)).status).toBe(401);
      expect((await postNdjson(guarded.url, lines, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await postNdjson(guarded.url, lines, { authorization: 'Bearer q-secret' })).status).toBe(401);
      expect((await postNdjson(guarded.url, lines, { authorization: 'Bearer in-secret' })).status).toBe(200);
      const denied = await getJson(`${guarded.url}/api/traces/${TRACE}`);
      expect(denied).toMatchObject({ status: 401, body: { error: expect.stringMatching(/query needs a valid token/) } });
      expect((await getJson(`${guarded.url}/api/traces/${TRACE}`, { authorization: 'Bearer q-secret' })).status).toBe(200);
      expect((await getJson(`${guarded.url}/healthz`)).status).toBe(200);
    } finally {
      await guarded.dispose();
    }
  });
});
