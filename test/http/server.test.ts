// The server-side adapters on real servers: extraction, the echoed trace ID, span-end lines, bad headers.
import { createHash } from 'node:crypto';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { expressMiddleware, fastifyPlugin, wrapHandler } from '../../adapters/http/index.js';
import { capturedPino, rawRequest, serve, tick, type TestServer } from '../helpers/servers.js';
import { spanEnds } from '../helpers/lines.js';

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function tracedServer(options: Parameters<typeof wrapHandler>[1] = {}) {
  const { logger, sink, json } = capturedPino('orders');
  const server = await serve(
    wrapHandler(
      (req, res) => {
        logger.info({ path: req.url }, 'handling');
        if (req.url?.startsWith('/fail')) res.statusCode = 500;
        res.end('ok');
      },
      { service: 'orders', logger, ...options },
    ),
  );
  open.push(server);
  return { server, sink, json };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('wrapHandler (node:http)', () => {
  it('continues the caller trace, stamps handler logs, echoes the trace ID and writes a span-end line', async () => {
    const { server, json } = await tracedServer();
    const res = await rawRequest(`${server.url}/orders/42?card=4111111111111111`, { headers: [['traceparent', TRACEPARENT]] });
    await tick();
    expect(res.status).toBe(200);
    expect(res.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const [handling, end] = json();
    expect(handling).toMatchObject({ msg: 'handling', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', trace_flags: '01', service: 'orders' });
    expect(handling!.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(handling!.span_id).not.toBe('00f067aa0ba902b7');
    expect(end).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: handling!.span_id,
      service: 'orders',
      span_end: { kind: 'server', name: 'GET /orders/42', status: 'unset', parent_span_id: '00f067aa0ba902b7', http: { method: 'GET', target: '/orders/42', status_code: 200 } },
    });
    const span = end!.span_end as { start_us: number; duration_us: number };
    expect(Math.abs(span.start_us - Date.now() * 1000)).toBeLessThan(5_000_000);
    expect(span.duration_us).toBeGreaterThan(0);
    expect(JSON.stringify(end)).not.toContain('4111111111111111');
  });

  it('marks 5xx responses as errors at error level', async () => {
    const { server, json } = await tracedServer();
    await rawRequest(`${server.url}/fail`);
    await tick();
    const end = json().find((l) => l.span_end !== undefined)!;
    expect(end.level).toBe(50);
    expect(end.span_end).toMatchObject({ status: 'error', http: { status_code: 500 } });
  });

  it('ends the span as an error when the client goes away before the response', async () => {
    const { logger, json } = capturedPino('slow');
    const server = await serve(wrapHandler((_req, res) => setTimeout(() => res.end('late'), 300), { logger }));
    open.push(server);
    const http = await import('node:http');
    const req = http.get(`${server.url}/slow`);
    req.on('error', () => {});
    await tick(50);
    req.destroy();
    await tick(100);
    const end = json().find((l) => l.span_end !== undefined);
    expect(end?.span_end).toMatchObject({ status: 'error', error: 'connection closed before the response was complete' });
  });

  it('keeps the trace in req.on("data") listeners of legacy handlers', async () => {
    const { logger, json } = capturedPino('legacy');
    const server = await serve(
      wrapHandler(
        (req, res) => {
          let body = '';
          req.on('data', (c: Buffer) => (body += c));
          req.on('end', () => {
            logger.info({ bytes: body.length }, 'body read');
            res.end();
          });
        },
        { logger },
      ),
    );
    open.push(server);
    const res = await rawRequest(`${server.url}/upload`, { method: 'POST', body: 'x'.repeat(200_000), headers: [['x-request-id', 'req-7']] });
    await tick();
    const read = json().find((l) => l.msg === 'body read');
    expect(read?.bytes).toBe(200_000);
    expect(read?.trace_id).toBe(res.headers['x-trace-id']);
    expect(read?.trace_alias).toBe('req-7');
  });

  it('skips ignored paths: no header, no span', async () => {
    const { server, json } = await tracedServer({ ignorePaths: ['/healthz'] });
    const res = await rawRequest(`${server.url}/healthz`);
    await tick();
    expect(res.headers['x-trace-id']).toBeUndefined();
    expect(json().filter((l) => l.span_end !== undefined)).toEqual([]);
    expect(json()[0]?.trace_id).toBeUndefined();
  });

  it('rejects bad options with messages that name them', () => {
    expect(() => wrapHandler(() => {}, { sampleRatio: 2 })).toThrow(/sampleRatio must be a number between 0 and 1/);
    expect(() => wrapHandler(() => {}, { responseHeader: 'bad header' })).toThrow(/responseHeader/);
    expect(() => wrapHandler(() => {}, { logger: { nope: true } })).toThrow(/logger/);
  });
});

describe('malformed inbound headers', () => {
  const tenKb = 'a'.repeat(10 * 1024);
  const table: Array<[string, Array<[string, string]>]> = [
    ['traceparent too long for version 00', [['traceparent', `${TRACEPARENT}-extra`]]],
    ['traceparent in uppercase hex', [['traceparent', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01']]],
    ['all-zero trace ID', [['traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']]],
    ['all-zero parent ID', [['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01']]],
    ['version ff', [['traceparent', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']]],
    ['bad separators', [['traceparent', '00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01']]],
    ['short trace ID', [['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01']]],
    ['two different traceparent headers', [['traceparent', TRACEPARENT], ['traceparent', '00-11111111111111111111111111111111-00f067aa0ba902b7-01']]],
    ['10 KB traceparent', [['traceparent', tenKb]]],
    ['10 KB X-Trace-ID', [['x-trace-id', tenKb]]],
    ['X-Request-ID with spaces', [['x-request-id', 'not a request id']]],
    ['junk b3', [['b3', 'zzzz-yyyy-1']]],
    ['all-zero b3', [['b3', '00000000000000000000000000000000-0000000000000000-1']]],
    ['junk uber-trace-id', [['uber-trace-id', '::::']]],
    ['10 KB tracestate alone', [['tracestate', tenKb]]],
  ];

  it.each(table)('%s: the request succeeds under a new trace', async (_name, headers) => {
    const { server, json } = await tracedServer();
    const res = await rawRequest(`${server.url}/x`, { headers });
    await tick();
    expect(res.status).toBe(200);
    const traceId = res.headers['x-trace-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceId).not.toBe('00000000000000000000000000000000');
    const [handling, end] = json();
    expect(handling?.trace_id).toBe(traceId);
    expect((end?.span_end as { parent_span_id?: string }).parent_span_id).toBeUndefined();
  });

  it('keeps a valid traceparent when only its tracestate is junk, and drops the tracestate', async () => {
    let seen: string | undefined;
    const { logger } = capturedPino('x');
    const server = await serve(
      wrapHandler(async (_req, res) => {
        const { getActiveContext } = await import('../../src/context/index.js');
        seen = getActiveContext()?.traceState;
        res.end();
      }, { logger }),
    );
    open.push(server);
    const res = await rawRequest(`${server.url}/`, { headers: [['traceparent', TRACEPARENT], ['tracestate', 'Bad Key=1,,=,@@@']] });
    expect(res.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(seen).toBeUndefined();
  });
});

describe('head sampling', () => {
  it('decides by ratio for new traces and deterministically per trace ID', async () => {
    const { server, json } = await tracedServer({ sampleRatio: 0.5 });
    const flags: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      const res = await rawRequest(`${server.url}/s`, { headers: [['x-request-id', `order-${i}`]] });
      flags[res.headers['x-trace-id'] as string] = '';
    }
    await tick();
    const ends = json().filter((l) => l.span_end !== undefined);
    const sampled = ends.filter((l) => l.trace_flags === '01').length;
    expect(sampled).toBeGreaterThan(60);
    expect(sampled).toBeLessThan(140);
    // The same legacy ID always decides the same way.
    const again = await tracedServer({ sampleRatio: 0.5 });
    for (let i = 0; i < 20; i++) await rawRequest(`${again.server.url}/s`, { headers: [['x-request-id', `order-${i}`]] });
    await tick();
    const first = ends.slice(0, 20).map((l) => l.trace_flags);
    const second = again.json().filter((l) => l.span_end !== undefined).map((l) => l.trace_flags);
    expect(second).toEqual(first);
  });

  it("honours the parent's decision whatever the ratio", async () => {
    const never = await tracedServer({ sampleRatio: 0 });
    await rawRequest(`${never.server.url}/`, { headers: [['traceparent', TRACEPARENT]] });
    await rawRequest(`${never.server.url}/`);
    const always = await tracedServer({ sampleRatio: 1 });
    await rawRequest(`${always.server.url}/`, { headers: [['traceparent', TRACEPARENT.replace(/-01$/, '-00')]] });
    await tick();
    const flagsOf = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.span_end !== undefined).map((l) => l.trace_flags);
    expect(flagsOf(never.json())).toEqual(['01', '00']);
    expect(flagsOf(always.json())).toEqual(['00']);
  });
});

describe('expressMiddleware', () => {
  it('names spans by route template and keeps the trace through express.json()', async () => {
    const { logger, json } = capturedPino('shop');
    const app = express();
    app.use(expressMiddleware({ service: 'shop', logger }));
    app.use(express.json());
    app.post('/orders/:id', (req, res) => {
      logger.info({ id: req.params.id, n: req.body.n }, 'order posted');
      res.status(201).json({ ok: true });
    });
    const server = await serve(app);
    open.push(server);
    const res = await rawRequest(`${server.url}/orders/7`, { method: 'POST', headers: [['content-type', 'application/json'], ['X-Request-ID', '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b']], body: JSON.stringify({ n: 3 }) });
    await tick();
    expect(res.status).toBe(201);
    expect(res.headers['x-trace-id']).toBe('3f2b8c1e9a4d4e6f8b7a1c2d3e4f5a6b');
    const posted = json().find((l) => l.msg === 'order posted');
    expect(posted).toMatchObject({ n: 3, trace_id: '3f2b8c1e9a4d4e6f8b7a1c2d3e4f5a6b' });
    expect(posted?.trace_alias).toBeUndefined();
    const [end] = spanEnds(json().map((l) => JSON.stringify(l)));
    expect(end).toMatchObject({ name: 'POST /orders/:id', statusCode: 201, service: 'shop' });
  });
});

describe('fastifyPlugin', () => {
  it('keeps the trace in handlers of POST routes with parsed bodies, and names spans by route', async () => {
    const { logger, json } = capturedPino('api');
    const app = Fastify();
    await app.register(fastifyPlugin, { service: 'api', logger });
    app.post('/items/:sku', async (request) => {
      await tick(5);
      logger.info({ sku: (request.params as { sku: string }).sku, body: request.body }, 'item saved');
      return { saved: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    open.push(app);
    const address = app.server.address() as { port: number };
    const res = await rawRequest(`http://127.0.0.1:${address.port}/items/A1`, { method: 'POST', headers: [['content-type', 'application/json'], ['X-Trace-ID', 'abc-123']], body: '{"qty":2}' });
    await tick();
    const expected = createHash('sha256').update('abc-123').digest('hex').slice(0, 32);
    expect(res.status).toBe(200);
    expect(res.headers['x-trace-id']).toBe(expected);
    expect(json().find((l) => l.msg === 'item saved')).toMatchObject({ sku: 'A1', trace_id: expected, trace_alias: 'abc-123' });
    const [end] = spanEnds(json().map((l) => JSON.stringify(l)));
    expect(end).toMatchObject({ name: 'POST /items/:sku', statusCode: 200, kind: 'server' });
  });
});

export type { TestServer };
