// Outbound calls on real servers: headers injected under a trace, client span-end lines with timings.
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instrumentFetch, instrumentHttp, spanLineWriter } from '../../adapters/http/index.js';
import { startSpan, withContext } from '../../src/context/index.js';
import { capturedPino, serve, tick, type TestServer } from '../helpers/servers.js';
import { spanEnds } from '../helpers/lines.js';

let downstream: TestServer;
const received: http.IncomingHttpHeaders[] = [];
const uninstall: Array<() => void> = [];

beforeAll(async () => {
  downstream = await serve((req, res) => {
    received.push(req.headers);
    if (req.url === '/missing') res.statusCode = 404;
    setTimeout(() => res.end('x'.repeat(1000)), 15);
  });
  uninstall.push(instrumentFetch(), instrumentHttp());
});

afterAll(async () => {
  for (const u of uninstall) u();
  await downstream.close();
});

afterEach(() => {
  received.length = 0;
});

const inbound = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
};

/** A loopback port nothing listens on (fetch refuses low 'bad ports' before connecting at all). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function get(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('instrumentFetch', () => {
  it('injects traceparent from a child span and logs the client span with its timings', async () => {
    const { logger, json } = capturedPino('web');
    await withContext({ ...inbound, service: 'web', writer: undefined }, () =>
      startSpan('checkout', { writer: spanLineWriter(logger) }, async () => {
        const res = await fetch(`${downstream.url}/stock?sku=1`);
        await res.text();
      }),
    );
    await tick();
    const [client, internal] = spanEnds(json().map((l) => JSON.stringify(l)));
    expect(client).toMatchObject({ kind: 'client', traceId: inbound.traceId, statusCode: 200, name: `GET 127.0.0.1:${downstream.port}/stock` });
    expect(internal).toMatchObject({ kind: 'internal', name: 'checkout', parent: inbound.spanId });
    expect(client!.parent).toBe(internal!.spanId);
    expect(received[0]?.traceparent).toBe(`00-${inbound.traceId}-${client!.spanId}-01`);
    const t = client!.timings!;
    expect(t.sent_us).toBeGreaterThanOrEqual(0);
    expect(t.headers_us).toBeGreaterThanOrEqual(t.sent_us!);
    expect(t.headers_us).toBeGreaterThan(10_000);
    expect(t.body_us).toBeGreaterThanOrEqual(t.headers_us!);
    expect(JSON.stringify(json())).not.toContain('sku=1');
  });

  it('sends nothing extra and logs nothing outside a trace', async () => {
    const res = await fetch(`${downstream.url}/plain`);
    await res.text();
    expect(received[0]?.traceparent).toBeUndefined();
  });

  it('forwards the legacy X-Trace-ID the request arrived with', async () => {
    await withContext({ ...inbound, requestId: { header: 'x-trace-id', value: 'abc-123' } }, async () => {
      await (await fetch(`${downstream.url}/legacy`)).text();
    });
    expect(received[0]?.['x-trace-id']).toBe('abc-123');
    expect(received[0]?.traceparent).toMatch(new RegExp(`^00-${inbound.traceId}-[0-9a-f]{16}-01$`));
  });

  it("never overrides a traceparent the caller set", async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await withContext(inbound, async () => {
      await (await fetch(`${downstream.url}/own`, { headers: { traceparent: own } })).text();
    });
    expect(received[0]?.traceparent).toBe(own);
  });

  it('records 4xx as a client error and a refused connection as a failed span', async () => {
    const { logger, json } = capturedPino('web');
    const writer = spanLineWriter(logger);
    await withContext({ ...inbound, writer }, async () => {
      await (await fetch(`${downstream.url}/missing`)).text();
      await expect(fetch(`http://127.0.0.1:${await closedPort()}/refused`)).rejects.toThrow();
    });
    await tick();
    const [missing, refused] = spanEnds(json().map((l) => JSON.stringify(l)));
    expect(missing).toMatchObject({ status: 'error', statusCode: 404 });
    expect(refused).toMatchObject({ status: 'error', kind: 'client' });
    expect(json()[1]?.level).toBe(50);
  });
});

describe('instrumentHttp', () => {
  it('injects into http.get and logs the client span', async () => {
    const { logger, json } = capturedPino('web');
    const writer = spanLineWriter(logger);
    const status = await withContext({ ...inbound, writer }, () => get(`${downstream.url}/get`, { 'x-own': '1' }));
    await tick();
    expect(status).toBe(200);
    expect(received[0]?.['x-own']).toBe('1');
    const [client] = spanEnds(json().map((l) => JSON.stringify(l)));
    expect(client).toMatchObject({ kind: 'client', parent: inbound.spanId, statusCode: 200 });
    expect(received[0]?.traceparent).toBe(`00-${inbound.traceId}-${client!.spanId}-01`);
    expect(client!.timings!.body_us).toBeGreaterThanOrEqual(client!.timings!.headers_us!);
  });

  it('handles raw header arrays and options-only calls', async () => {
    await withContext(inbound, () =>
      new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: downstream.port, path: '/raw', headers: ['Host', `127.0.0.1:${downstream.port}`, 'X-Raw', 'yes'] as unknown as http.OutgoingHttpHeaders }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.end();
      }),
    );
    expect(received[0]?.['x-raw']).toBe('yes');
    expect(received[0]?.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
  });

  it('reaches ES module imports of node:http too', async () => {
    const { request } = await import('node:http');
    await withContext(inbound, () =>
      new Promise<void>((resolve) => {
        request(`${downstream.url}/esm`, (res) => {
          res.resume();
          res.on('end', resolve);
        }).end();
      }),
    );
    expect(received[0]?.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
  });

  it('still discards a response nobody listens for, so the call completes', async () => {
    const { logger, json } = capturedPino('web');
    const writer = spanLineWriter(logger);
    withContext({ ...inbound, writer }, () => http.request(`${downstream.url}/fire-and-forget`).end());
    for (let i = 0; i < 50 && json().length === 0; i++) await tick(10);
    expect(spanEnds(json().map((l) => JSON.stringify(l)))[0]).toMatchObject({ statusCode: 200, status: 'unset' });
  });
});
