// Spans recorded by zipkin-js's own Tracer (and built with its model), encoded by its JSON_V2 encoder, come out
// of decodeZipkinSpans as the same spans; broken bodies and spans end in a clean error or a counted rejection.
import zipkin from 'zipkin';
import { describe, expect, it } from 'vitest';
import { MAX_DECODE_ERRORS } from '../../src/ingest/decoded.js';
import { decodeZipkinSpans } from '../../src/ingest/zipkin.js';
import { LogstitchError } from '../../src/model/errors.js';
import type { Span } from '../../src/model/records.js';

const { Annotation, BatchRecorder, ExplicitContext, InetAddress, jsonEncoder, model, option, Tracer, TraceId } = zipkin;

const T = 1_732_406_400_000_000; // µs

/** A zipkin-js tracer whose finished spans land in `spans`. */
function recordingTracer(traceId128Bit: boolean): { tracer: zipkin.Tracer; spans: zipkin.model.Span[] } {
  const spans: zipkin.model.Span[] = [];
  const recorder = new BatchRecorder({ logger: { logSpan: (span) => spans.push(span) } });
  const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder, traceId128Bit });
  return { tracer, spans };
}

/** The checkout story through zipkin-js: a server span, a failing client call under it, a local span. */
function recordCheckout(traceId128Bit: boolean): { spans: zipkin.model.Span[]; root: zipkin.TraceId; call: zipkin.TraceId; local: zipkin.TraceId } {
  const { tracer, spans } = recordingTracer(traceId128Bit);
  const root = tracer.createRootId(new option.Some(true));
  let call = root;
  let local = root;
  tracer.letId(root, () => {
    tracer.recordServiceName('frontend'); // as zipkin-js instrumentations do for every span they start
    tracer.recordRpc('get /checkout');
    tracer.recordAnnotation(new Annotation.ServerRecv(), T);
    tracer.recordBinary('http.path', '/checkout');
    tracer.recordMessage('cart loaded');
  });
  tracer.letId(root, () => {
    call = tracer.createChildId();
    tracer.letId(call, () => {
      tracer.recordServiceName('frontend');
      tracer.recordRpc('post /pay');
      tracer.recordAnnotation(new Annotation.ClientSend(), T + 1_000);
      tracer.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'payments', host: new InetAddress('10.0.0.7'), port: 8443 }));
      tracer.recordBinary('error', 'card declined');
      tracer.recordAnnotation(new Annotation.ClientRecv(), T + 4_500);
    });
    local = tracer.createChildId();
    tracer.letId(local, () => {
      tracer.recordServiceName('frontend');
      tracer.recordAnnotation(new Annotation.LocalOperationStart('render'), T + 5_000);
      tracer.recordAnnotation(new Annotation.LocalOperationStop(), T + 5_250);
    });
  });
  tracer.letId(root, () => tracer.recordAnnotation(new Annotation.ServerSend(), T + 6_000));
  return { spans, root, call, local };
}

const encode = (spans: zipkin.model.Span[]): Buffer => Buffer.from(`[${spans.map((s) => jsonEncoder.JSON_V2.encode(s)).join(',')}]`);

describe.each([
  ['128-bit', true],
  ['64-bit', false],
] as const)('Zipkin v2 JSON from zipkin-js, %s trace IDs', (_label, wide) => {
  const story = recordCheckout(wide);
  const out = decodeZipkinSpans(encode(story.spans));
  const byId = (id: zipkin.TraceId): Span => out.spans.find((s) => s.spanId === id.spanId)!;
  const traceId = story.root.traceId.padStart(32, '0');

  it('keeps every span and rejects none', () => {
    expect(story.root.traceId).toHaveLength(wide ? 32 : 16);
    expect(out).toMatchObject({ rejected: 0, errors: [], logs: [], aliases: [] });
    expect(out.spans).toHaveLength(3);
  });

  it('gives back the server span: IDs, µs times, name, kind, service, tags, annotations', () => {
    expect(byId(story.root)).toEqual({
      traceId,
      spanId: story.root.spanId,
      name: 'get /checkout',
      kind: 'server',
      start: T,
      duration: 6_000,
      status: 'unset',
      service: 'frontend',
      origin: 'zipkin',
      attributes: { 'http.path': '/checkout', annotations: [{ time: expect.any(Number), value: 'cart loaded' }] },
    });
  });

  it('gives back the failing client call with its parent, remote endpoint and error status', () => {
    expect(byId(story.call)).toEqual({
      traceId,
      spanId: story.call.spanId,
      parentSpanId: story.root.spanId,
      name: 'post /pay',
      kind: 'client',
      start: T + 1_000,
      duration: 3_500,
      status: 'error',
      service: 'frontend',
      origin: 'zipkin',
      attributes: { error: 'card declined', 'peer.service': 'payments', 'network.peer.address': '10.0.0.7', 'network.peer.port': 8443 },
    });
  });

  it('reads a span without a kind as internal', () => {
    expect(byId(story.local)).toMatchObject({ name: 'render', kind: 'internal', parentSpanId: story.root.spanId, start: T + 5_000, duration: 250 });
  });
});

describe('Zipkin v2 JSON built with the zipkin-js model', () => {
  function messagingSpan(kind: 'PRODUCER' | 'CONSUMER', spanId: string): zipkin.model.Span {
    const span = new model.Span(new TraceId({ traceId: '463ac35c9f6413ad48485a3953bb6124', spanId, parentId: new option.Some('a2fb4a1d1a96d312') }));
    span.setName(`orders ${kind.toLowerCase()}`);
    span.setKind(kind);
    span.setTimestamp(T + 10);
    span.setDuration(90);
    span.setLocalEndpoint(new model.Endpoint({ serviceName: 'orders' }));
    span.putTag('messaging.system', 'kafka');
    span.addAnnotation(T + 20, 'queued');
    return span;
  }

  it('maps producer and consumer kinds, tags and annotations', () => {
    const out = decodeZipkinSpans(encode([messagingSpan('PRODUCER', '1111111111111111'), messagingSpan('CONSUMER', '2222222222222222')]));
    expect(out.rejected).toBe(0);
    expect(out.spans.map((s) => s.kind)).toEqual(['producer', 'consumer']);
    expect(out.spans[0]).toEqual({
      traceId: '463ac35c9f6413ad48485a3953bb6124',
      spanId: '1111111111111111',
      parentSpanId: 'a2fb4a1d1a96d312',
      name: 'orders producer',
      kind: 'producer',
      start: T + 10,
      duration: 90,
      status: 'unset',
      service: 'orders',
      origin: 'zipkin',
      attributes: { 'messaging.system': 'kafka', annotations: [{ time: T + 20, value: 'queued' }] },
    });
  });

  it('marks a shared span', () => {
    const span = messagingSpan('CONSUMER', '3333333333333333');
    span.setKind('SERVER');
    span.setShared(true);
    expect(decodeZipkinSpans(encode([span])).spans[0]!.attributes!['zipkin.shared']).toBe(true);
  });

  it('keeps the client and server halves of a shared span apart, the server half under the client', () => {
    const base = { traceId: '463ac35c9f6413ad48485a3953bb6124', id: '2222222222222222', parentId: '1111111111111111', name: 'get /stock' };
    const client = { ...base, kind: 'CLIENT', timestamp: T, duration: 10_000_000, localEndpoint: { serviceName: 'inventory' } };
    const server = { ...base, kind: 'SERVER', shared: true, timestamp: T + 9_000_000, duration: 900_000, localEndpoint: { serviceName: 'shipping' } };
    const spans = decodeZipkinSpans(Buffer.from(JSON.stringify([client, server]))).spans;
    expect(spans[0]).toMatchObject({ spanId: '2222222222222222', parentSpanId: '1111111111111111', kind: 'client', service: 'inventory' });
    expect(spans[1]).toMatchObject({ parentSpanId: '2222222222222222', kind: 'server', service: 'shipping', start: T + 9_000_000 });
    expect(spans[1]!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spans[1]!.spanId).not.toBe('2222222222222222');
    const again = decodeZipkinSpans(Buffer.from(JSON.stringify([server]))).spans[0]!;
    expect(again.spanId).toBe(spans[1]!.spanId);
  });
});

describe('Zipkin v2 JSON: bad bodies and bad spans', () => {
  const good = { traceId: '463ac35c9f6413ad48485a3953bb6124', id: '1111111111111111', name: 'ok', timestamp: T, duration: 5 };

  it.each([
    ['not JSON', 'nope', /not valid JSON/],
    ['an empty body', '', /the body is empty/],
    ['an object', '{"spans": []}', /not an array/],
    ['200 000 nested arrays inside the array', '['.repeat(200_000) + ']'.repeat(200_000), /./],
  ])('%s', (_name, body, message) => {
    let result: unknown;
    try {
      result = decodeZipkinSpans(Buffer.from(body));
    } catch (error) {
      expect(error).toBeInstanceOf(LogstitchError);
      expect((error as LogstitchError).code).toBe('ZIPKIN_BAD_JSON');
      expect((error as LogstitchError).message).toMatch(message);
      return;
    }
    // Deep arrays parse: the outer array holds one non-span, which is rejected.
    expect(result).toMatchObject({ rejected: 1, spans: [] });
  });

  it.each([
    ['not an object', 'x', 'must be a span object'],
    ['no traceId', { ...good, traceId: undefined }, 'traceId is missing'],
    ['a 20-digit traceId', { ...good, traceId: 'a'.repeat(20) }, `traceId must be 16 or 32 hex digits, got "${'a'.repeat(20)}"`],
    ['a non-hex traceId', { ...good, traceId: 'g'.repeat(32) }, 'traceId must be 16 or 32 hex digits'],
    ['an all-zero traceId', { ...good, traceId: '0'.repeat(16) }, 'traceId is all zeros (invalid)'],
    ['an all-zero id', { ...good, id: '0'.repeat(16) }, 'id is all zeros (invalid)'],
    ['a numeric id', { ...good, id: 17 }, 'id must be a hex string'],
    ['no timestamp', { ...good, timestamp: undefined }, 'timestamp (µs since the epoch) is missing or invalid'],
    ['a string timestamp', { ...good, timestamp: 'now' }, 'timestamp (µs since the epoch) is missing or invalid'],
    ['a name that is not a string', { ...good, name: ['x'] }, 'name must be a string'],
  ])('rejects a span with %s, naming it', (_name, bad, message) => {
    const out = decodeZipkinSpans(Buffer.from(JSON.stringify([good, bad])));
    expect(out.rejected).toBe(1);
    expect(out.spans).toHaveLength(1);
    expect(out.errors).toEqual([expect.stringContaining(`spans[1]: ${message}`)]);
  });

  it('lowercases IDs, pads 64-bit trace IDs, and treats an all-zero parent as none', () => {
    const out = decodeZipkinSpans(Buffer.from(JSON.stringify([{ ...good, traceId: 'ABCDEF0123456789', id: 'ABCDEF0123456789', parentId: '0000000000000000' }])));
    expect(out.spans[0]).toMatchObject({ traceId: '0000000000000000abcdef0123456789', spanId: 'abcdef0123456789' });
    expect(out.spans[0]).not.toHaveProperty('parentSpanId');
  });

  it('keeps a span whose parentId or tags are bad, and says so', () => {
    // Written as text: an object literal's "__proto__" key would set a prototype instead of a tag.
    const span = JSON.stringify({ ...good, parentId: 'xyz', kind: 'SIDEWAYS' }).replace(/}$/, ',"tags":{"ok":"yes","deep":{"a":1},"__proto__":"p"}}');
    const out = decodeZipkinSpans(Buffer.from(`[${span}]`));
    expect(out.rejected).toBe(0);
    const got = out.spans[0]!;
    expect(got).not.toHaveProperty('parentSpanId');
    expect(got.kind).toBe('internal');
    expect(Object.keys(got.attributes!)).toEqual(['ok', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(got.attributes, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(got.attributes)).toBe(Object.prototype);
    expect(out.errors).toEqual([
      'spans[0]: kind "SIDEWAYS" is unknown; read as internal',
      'spans[0]: tags["deep"] is not a string; ignored',
      'spans[0]: parentId must be 16 hex digits, got "xyz"; the span is kept as a root',
    ]);
  });

  it('counts a flood of bad spans without flooding the error list', () => {
    const out = decodeZipkinSpans(Buffer.from(JSON.stringify(Array.from({ length: 50_000 }, () => ({ ...good, id: 'nope' })))));
    expect(out.rejected).toBe(50_000);
    expect(out.errors).toHaveLength(MAX_DECODE_ERRORS + 1);
  });
});
