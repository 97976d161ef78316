// The sample chain end to end: one trace ID on every line of every service, however the request arrived.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type SampleChain } from '../../samples/chain/index.js';
import { parseLine, spanEnds } from '../helpers/lines.js';

let chain: SampleChain;

beforeAll(async () => {
  chain = await startChain();
});

afterAll(async () => {
  await chain.close();
});

const SERVICES = ['checkout', 'inventory', 'shipping'] as const;

/** Marks where each service's log stands now; the returned function lists the lines written since. */
function mark(): () => Array<{ service: string; line: string }> {
  const before = new Map(SERVICES.map((s) => [s, chain.logs[s].lines.length]));
  return () => SERVICES.flatMap((service) => chain.logs[service].lines.slice(before.get(service)).map((line) => ({ service, line })));
}

/** Runs one checkout and returns the lines each service wrote for it. */
async function checkoutWith(headers: Record<string, string>, body?: Record<string, unknown>) {
  const since = mark();
  const response = await chain.checkout(headers, body);
  await response.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { response, lines: since(), traceId: response.headers.get('x-trace-id') };
}

function expectOneTrace(lines: Array<{ service: string; line: string }>, traceId: string): void {
  expect(new Set(lines.map((l) => l.service))).toEqual(new Set(['checkout', 'inventory', 'shipping']));
  for (const { service, line } of lines) {
    expect(parseLine(line).traceId, `${service}: ${line}`).toBe(traceId);
  }
}

/** The five span-end lines of one checkout form the chain server → client → server → client → server. */
function expectLinkedSpans(lines: string[], traceId: string, rootParent: string | undefined): void {
  const spans = spanEnds(lines);
  expect(spans).toHaveLength(5);
  const find = (service: string, kind: string) => {
    const span = spans.find((s) => s.service === service && s.kind === kind);
    expect(span, `${service} ${kind} span`).toBeDefined();
    return span!;
  };
  const checkoutServer = find('checkout', 'server');
  const checkoutClient = find('checkout', 'client');
  const inventoryServer = find('inventory', 'server');
  const inventoryClient = find('inventory', 'client');
  const shippingServer = find('shipping', 'server');
  expect(checkoutServer.parent).toBe(rootParent);
  expect(checkoutClient.parent).toBe(checkoutServer.spanId);
  expect(inventoryServer.parent).toBe(checkoutClient.spanId);
  expect(inventoryClient.parent).toBe(inventoryServer.spanId);
  expect(shippingServer.parent).toBe(inventoryClient.spanId);
  for (const span of spans) expect(span.traceId).toBe(traceId);
  expect(checkoutServer.name).toBe('POST /checkout');
  expect(inventoryServer.name).toBe('POST /reserve');
  expect(shippingServer.name).toBe('POST /quote');
  expect(checkoutServer.statusCode).toBe(200);
  // A parent lasts at least as long as the child it waited for.
  expect(checkoutServer.durationUs).toBeGreaterThanOrEqual(inventoryServer.durationUs);
  expect(checkoutClient.timings?.headers_us).toBeGreaterThan(0);
  expect(checkoutClient.timings?.body_us).toBeGreaterThanOrEqual(checkoutClient.timings?.headers_us ?? 0);
}

describe('the sample chain', () => {
  it('stitches a legacy X-Trace-ID: every line carries its derived trace ID and the original as trace_alias', async () => {
    const { response, lines, traceId } = await checkoutWith({ 'X-Trace-ID': 'abc-123' });
    expect(response.status).toBe(200);
    const expected = createHash('sha256').update('abc-123').digest('hex').slice(0, 32);
    expect(traceId).toBe(expected);
    expectOneTrace(lines, expected);
    for (const { line } of lines) {
      const { json } = parseLine(line);
      if (json !== undefined) expect(json.trace_alias, line).toBe('abc-123');
    }
    expectLinkedSpans(lines.map((l) => l.line), expected, undefined);
  });

  it('continues an inbound W3C traceparent, with its span as the root parent', async () => {
    const { lines, traceId } = await checkoutWith({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expectOneTrace(lines, '4bf92f3577b34da6a3ce929d0e0e4736');
    expectLinkedSpans(lines.map((l) => l.line), '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7');
  });

  it('continues an inbound B3 header', async () => {
    const { lines, traceId } = await checkoutWith({ b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1' });
    expect(traceId).toBe('80f198ee56343ba864fe8b2a57d3eff7');
    expectOneTrace(lines, '80f198ee56343ba864fe8b2a57d3eff7');
    expectLinkedSpans(lines.map((l) => l.line), '80f198ee56343ba864fe8b2a57d3eff7', 'e457b5a2e4d86bd1');
  });

  it('starts a trace when nothing arrives, and returns it in the response header', async () => {
    const { lines, traceId } = await checkoutWith({});
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expectOneTrace(lines, traceId!);
    expectLinkedSpans(lines.map((l) => l.line), traceId!, undefined);
  });

  it('marks the failing hop: shipping 503 makes error spans up the chain and error lines in each service', async () => {
    const { response, lines, traceId } = await checkoutWith({}, { items: ['x'], fail: 'shipping' });
    expect(response.status).toBe(502);
    expectOneTrace(lines, traceId!);
    const spans = spanEnds(lines.map((l) => l.line));
    const byKey = Object.fromEntries(spans.map((s) => [`${s.service}/${s.kind}`, s]));
    expect(byKey['shipping/server']?.status).toBe('error');
    expect(byKey['shipping/server']?.statusCode).toBe(503);
    expect(byKey['inventory/client']?.status).toBe('error');
    expect(byKey['checkout/server']?.statusCode).toBe(502);
    expect(lines.some((l) => l.service === 'shipping' && l.line.includes('carrier API refused the quote'))).toBe(true);
  });

  it('redacts a card number before it reaches the log', async () => {
    const { lines } = await checkoutWith({}, { items: ['x'], card: '4111 1111 1111 1111' });
    const joined = lines.map((l) => l.line).join('\n');
    expect(joined).not.toContain('4111 1111 1111 1111');
    expect(joined).toContain('checkout started');
  });

  it('never crosses trace IDs between 1,000 interleaved requests', async () => {
    const count = 1000;
    const ids = Array.from({ length: count }, () => randomUUID());
    const since = mark();
    const responses = await Promise.all(
      ids.map(async (id, i) => {
        const res = await chain.checkout({ 'X-Request-ID': id }, { items: Array.from({ length: i + 1 }, () => 'x') });
        await res.arrayBuffer();
        return { status: res.status, header: res.headers.get('x-trace-id') };
      }),
    );
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    expect(responses.map((r) => r.header)).toEqual(ids.map((id) => id.replace(/-/g, '')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = since();
    // Each request sent i+1 items and each service logs that count (checkout once, inventory twice,
    // shipping once), so a line names its request.
    let checked = 0;
    for (const { service, line } of lines) {
      const { traceId, json } = parseLine(line);
      const count = service === 'shipping' ? /quoting shipping for (\d+) items/.exec(line)?.[1] : (json?.items ?? json?.count);
      if (count === undefined || json?.span_end !== undefined) continue;
      const index = Number(count) - 1;
      expect(traceId, `${service}: ${line}`).toBe(ids[index]!.replace(/-/g, ''));
      checked++;
    }
    expect(checked).toBe(count * 4);
  }, 60_000);
});
