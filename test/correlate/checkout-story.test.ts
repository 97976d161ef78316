// The checkout story on the real sample services: a delaying TCP proxy between inventory and shipping, real
// span-end lines decoded by the indexer's own decoder, and the summary names the hop and the direction.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentFetch, instrumentHttp } from '../../adapters/http/index.js';
import { startCheckout } from '../../samples/chain/checkout.js';
import { startInventory } from '../../samples/chain/inventory.js';
import { LineSink } from '../../samples/chain/lines.js';
import { startShipping } from '../../samples/chain/shipping.js';
import { buildTraceView, type InputLog } from '../../src/correlate/index.js';
import { decodeNdjson } from '../../src/ingest/native.js';
import type { Span } from '../../src/model/records.js';

/** A TCP proxy on 127.0.0.1 that holds every chunk going one way for `delayMs`, keeping their order. */
function delayingProxy(targetPort: number, direction: 'request' | 'response', delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const relay = (from: net.Socket, to: net.Socket, delayed: boolean): void => {
      let releaseAt = 0;
      from.on('data', (chunk) => {
        if (!delayed) return void to.write(chunk);
        releaseAt = Math.max(Date.now() + delayMs, releaseAt);
        setTimeout(() => to.destroyed || to.write(chunk), releaseAt - Date.now());
      });
      from.on('end', () => setTimeout(() => to.end(), delayed ? delayMs : 0));
      from.on('error', () => to.destroy());
    };
    relay(client, upstream, direction === 'request');
    relay(upstream, client, direction === 'response');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs one checkout through checkout → inventory → proxy → shipping; returns its trace as the store would. */
async function checkoutThroughProxy(direction: 'request' | 'response', delayMs: number) {
  cleanups.push(instrumentFetch(), instrumentHttp());
  const sinks = { checkout: new LineSink(), inventory: new LineSink(), shipping: new LineSink() };
  const shipping = await startShipping({ logs: sinks.shipping });
  cleanups.push(() => shipping.close());
  const proxy = await delayingProxy(Number(new URL(shipping.url).port), direction, delayMs);
  cleanups.push(() => proxy.close());
  const inventory = await startInventory({ shippingUrl: proxy.url, logs: sinks.inventory });
  cleanups.push(() => inventory.close());
  const checkout = await startCheckout({ inventoryUrl: inventory.url, logs: sinks.checkout });
  cleanups.push(() => checkout.close());

  const res = await fetch(`${checkout.url}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: ['book'] }) });
  expect(res.status).toBe(200);
  const traceId = res.headers.get('x-trace-id')!;
  // The span-end lines are written as each span ends; wait (bounded) until all three servers' are in.
  const deadline = Date.now() + 5000;
  const all = () => [...sinks.checkout.lines, ...sinks.inventory.lines, ...sinks.shipping.lines];
  while (all().filter((l) => l.includes('"kind":"server"')).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

  const decoded = decodeNdjson(all().join('\n'), Date.now() * 1000);
  const logs: InputLog[] = decoded.logs.filter((l) => l.traceId === traceId).sort((a, b) => a.time - b.time);
  const spans: Span[] = decoded.spans.filter((s) => s.traceId === traceId).sort((a, b) => a.start - b.start);
  return { traceId, logs, spans };
}

describe('the checkout story on the sample services', () => {
  it('names inventory → shipping, on the way there, when the network between them holds the request', async () => {
    const trace = await checkoutThroughProxy('request', 1500);
    expect(trace.spans.map((s) => `${s.service} ${s.kind}`).sort()).toEqual(['checkout client', 'checkout server', 'inventory client', 'inventory server', 'shipping server']);
    const view = buildTraceView(trace);
    expect(view.summary).toMatch(/^1\.[5-9] s of 1\.[5-9] s: inventory → shipping, between the call leaving inventory and shipping receiving it$/);
    const gap = view.gaps.find((g) => g.kind === 'request' && g.from === 'inventory' && g.to === 'shipping')!;
    expect(gap.duration).toBeGreaterThanOrEqual(1_400_000);
    expect(view.logs.find((l) => l.body === 'reserving items')?.attachedSpanId).toBe(view.spans.find((s) => s.service === 'inventory' && s.kind === 'server')!.spanId);
  });

  it('names the way back when the network holds shipping’s answer', async () => {
    const trace = await checkoutThroughProxy('response', 1500);
    const view = buildTraceView(trace);
    expect(view.summary).toMatch(/^1\.[5-9] s of 1\.[5-9] s: inventory → shipping, between shipping answering and inventory receiving the answer$/);
  });
});
