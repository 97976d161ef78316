// Hostile and broken OTLP bodies: each ends in a clean LogstitchError (the body is unreadable) or in counted
// rejections naming the record (the rest kept) — never another exception, a hang, or a polluted prototype.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { MAX_DECODE_ERRORS, type Decoded } from '../../src/ingest/decoded.js';
import { decodeOtlpLogs, decodeOtlpTraces } from '../../src/ingest/otlp/index.js';
import { LogstitchError } from '../../src/model/errors.js';

// --- a few bytes of protobuf, written by hand, to say exactly what is wrong ---

type Bytes = number[];
const varint = (n: number | bigint): Bytes => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
};
const tag = (field: number, wire: number): Bytes => varint(field * 8 + wire);
const len = (field: number, body: Bytes): Bytes => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, text: string): Bytes => len(field, [...Buffer.from(text)]);
const fixed64 = (field: number, value: bigint): Bytes => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return [...tag(field, 1), ...b];
};
const hex = (h: string): Bytes => [...Buffer.from(h, 'hex')];

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const START = 1_732_406_400_000_000_000n;

const keyValue = (key: string, anyValue: Bytes): Bytes => len(1, [...str(1, key), ...len(2, anyValue)]);
const resource = (service: string): Bytes => len(1, keyValue('service.name', str(1, service)));

/** A Span message: valid unless the overrides say otherwise. */
function pbSpan(o: { traceId?: Bytes; spanId?: Bytes; name?: Bytes; start?: Bytes; extra?: Bytes } = {}): Bytes {
  return [
    ...(o.traceId ?? len(1, hex(TRACE))),
    ...(o.spanId ?? len(2, hex(SPAN))),
    ...(o.name ?? str(5, 'op')),
    ...(o.start ?? fixed64(7, START)),
    ...fixed64(8, START + 5_000_000n),
    ...(o.extra ?? []),
  ];
}
/** ExportTraceServiceRequest { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] } */
const traceRequest = (spans: Bytes[], res: Bytes = resource('svc')): Buffer =>
  Buffer.from(len(1, [...res, ...len(2, spans.flatMap((s) => len(2, s)))]));
/** ExportLogsServiceRequest with one resource and scope. */
const logsRequest = (records: Bytes[]): Buffer => Buffer.from(len(1, [...resource('svc'), ...len(2, records.flatMap((r) => len(2, r)))]));

const nested = (depth: number): Bytes => {
  let value = str(1, 'bottom');
  for (let i = 0; i < depth; i += 1) value = len(5, len(1, value)); // AnyValue{arrayValue{values: [value]}}
  return value;
};

// --- real payloads from the SDK, to cut and flip ---

function realPayloads(): { traces: Buffer; logs: Buffer; tracesJson: Buffer; logsJson: Buffer } {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  const tracer = tracerProvider.getTracer('t');
  const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { a: 1, b: ['x', 'y'] } });
  const child = tracer.startSpan('db', {}, trace.setSpan(context.active(), root));
  child.addEvent('e', { k: 'v' });
  child.end();
  root.end();
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  loggerProvider.getLogger('l').emit({ body: { msg: 'hi', n: 1 }, attributes: { nested: { deep: [1, 2] } }, context: trace.setSpan(context.active(), root) });
  const spans = spanExporter.getFinishedSpans();
  const logs = logExporter.getFinishedLogRecords();
  return {
    traces: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
    logs: Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!),
    tracesJson: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
    logsJson: Buffer.from(JsonLogsSerializer.serializeRequest(logs)!),
  };
}
const real = realPayloads();

/** Decodes, and says whether it threw a LogstitchError (with its code) or returned; anything else fails the test. */
function attempt(decode: () => Decoded): { code: string; message: string } | Decoded {
  try {
    return decode();
  } catch (error) {
    if (error instanceof LogstitchError) return { code: error.code, message: error.message };
    throw error;
  }
}

function thrown(decode: () => Decoded): { code: string; message: string } {
  const result = attempt(decode);
  if (!('code' in result)) throw new Error(`expected a LogstitchError, got ${JSON.stringify(result)}`);
  return result;
}

const SPAN_PATH = 'resourceSpans[0].scopeSpans[0].spans';
const LOG_PATH = 'resourceLogs[0].scopeLogs[0].logRecords';

describe('OTLP protobuf: a body that cannot be read throws OTLP_BAD_PROTOBUF, naming the problem', () => {
  it.each([
    ['a length pointing past the end', [0x0a, 0xe8, 0x07, 1, 2, 3], /resourceSpans\[0\]: a length of 1000 points past the end \(3 bytes left\)/],
    ['the wrong wire type for resourceSpans', [0x08, 0x01], /resourceSpans \(field 1\) has wire type varint, expected length-delimited/],
    ['a group (wire type 3)', [0x0b, 0x0c], /groups/],
    ['an invalid wire type', [0x0f], /invalid \(7\) wire type/],
    ['field number 0', [0x02, 0x00], /field has number 0/],
    ['a varint longer than 10 bytes', [0x0a, ...Array(10).fill(0xff), 0x01], /longer than 10 bytes/],
    ['a length over 4 GiB', [0x0a, ...varint(2n ** 40n), 1], /over 4 GiB/],
    ['a truncated fixed64', [0x11, 1, 2, 3], /ends 5 bytes early/],
    ['a body ending inside a varint', [0x0a, 0x80], /ends inside a varint/],
    ['a records container running past its resource', len(1, [0x12, 0x05, 0x00]), /resourceSpans\[0\]: a length of 5 points past the end \(1 bytes left\)/],
    ['a span running past its scope', len(1, len(2, [0x12, 0x05, 0x00])), /resourceSpans\[0\]\.scopeSpans\[0\]: a length of 5 points past the end/],
  ])('%s', (_name, bytes, message) => {
    const error = thrown(() => decodeOtlpTraces(Buffer.from(bytes), 'protobuf'));
    expect(error.code).toBe('OTLP_BAD_PROTOBUF');
    expect(error.message).toMatch(message);
  });

  it('hints at the content type when the body is JSON', () => {
    const error = thrown(() => decodeOtlpTraces(real.tracesJson, 'protobuf'));
    expect(error).toMatchObject({ code: 'OTLP_BAD_PROTOBUF', message: expect.stringContaining('send it as application/json') });
  });

  it('reads an empty body as an empty request', () => {
    expect(decodeOtlpTraces(Buffer.alloc(0), 'protobuf')).toEqual({ logs: [], spans: [], aliases: [], rejected: 0, errors: [] });
  });

  it('cut at every byte, a real export either throws cleanly or decodes what is whole', () => {
    for (const [body, decode] of [
      [real.traces, decodeOtlpTraces],
      [real.logs, decodeOtlpLogs],
    ] as const) {
      let threw = 0;
      for (let cut = 0; cut < body.length; cut += 1) {
        const result = attempt(() => decode(body.subarray(0, cut), 'protobuf'));
        if ('code' in result) {
          expect(result.code).toBe('OTLP_BAD_PROTOBUF');
          threw += 1;
        }
      }
      expect(threw).toBeGreaterThan(body.length / 2);
      expect(attempt(() => decode(body, 'protobuf'))).not.toHaveProperty('code');
    }
  });

  it('survives thousands of random byte flips of a real export', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const started = Date.now();
    for (let round = 0; round < 3000; round += 1) {
      const body = Buffer.from(round % 2 === 0 ? real.traces : real.logs);
      for (let flips = 1 + random(4); flips > 0; flips -= 1) body[random(body.length)] = random(256);
      const decode = round % 2 === 0 ? decodeOtlpTraces : decodeOtlpLogs;
      const result = attempt(() => decode(body, 'protobuf'));
      if ('code' in result) expect(result.code).toBe('OTLP_BAD_PROTOBUF');
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('OTLP protobuf: a bad record is rejected alone, with its path', () => {
  const decode = (spans: Bytes[], res?: Bytes): Decoded => decodeOtlpTraces(traceRequest(spans, res), 'protobuf');

  it.each([
    ['traceId with the wrong wire type', pbSpan({ traceId: [...tag(1, 0), 5] }), 'traceId (field 1) has wire type varint, expected length-delimited'],
    ['a 15-byte traceId', pbSpan({ traceId: len(1, hex(TRACE.slice(2))) }), 'traceId must be 16 bytes (32 hex digits), got 15 bytes'],
    ['an all-zero traceId', pbSpan({ traceId: len(1, hex('0'.repeat(32))) }), 'traceId is all zeros (invalid)'],
    ['a missing traceId', pbSpan({ traceId: [] }), 'traceId is missing'],
    ['an all-zero spanId', pbSpan({ spanId: len(2, hex('0'.repeat(16))) }), 'spanId is all zeros (invalid)'],
    ['a 4-byte spanId', pbSpan({ spanId: len(2, hex('01020304')) }), 'spanId must be 8 bytes (16 hex digits), got 4 bytes'],
    ['no start time', pbSpan({ start: [] }), 'startTimeUnixNano is missing, zero or out of range'],
    ['a start time beyond a safe µs', pbSpan({ start: fixed64(7, 2n ** 64n - 1n) }), 'startTimeUnixNano is missing, zero or out of range'],
    ['a name running past the span', pbSpan({ name: [...tag(5, 2), 50, 0x61] }), 'a length of 50 points past the end'],
    ['a value nested 1000 deep', pbSpan({ extra: len(9, [...str(1, 'deep'), ...len(2, nested(1000))]) }), 'a value is nested deeper than 32 levels'],
  ])('%s', (_name, bad, message) => {
    const out = decode([pbSpan({ spanId: len(2, hex('1111111111111111')) }), bad]);
    expect(out.rejected).toBe(1);
    expect(out.spans).toHaveLength(1);
    expect(out.spans[0]!.spanId).toBe('1111111111111111');
    expect(out.errors).toEqual([expect.stringContaining(`${SPAN_PATH}[1]: ${message}`)]);
  });

  it('keeps a value nested exactly 31 levels', () => {
    const out = decode([pbSpan({ extra: len(9, [...str(1, 'deep'), ...len(2, nested(31))]) })]);
    expect(out.rejected).toBe(0);
    let value = out.spans[0]!.attributes!.deep;
    for (let i = 0; i < 31; i += 1) value = (value as unknown[])[0] as typeof value;
    expect(value).toBe('bottom');
  });

  it('rejects every span under a resource whose attributes are broken, counting them', () => {
    const badResource = len(1, len(1, [...tag(1, 0), 1])); // KeyValue.key as a varint
    const out = decode([pbSpan(), pbSpan(), pbSpan()], badResource);
    expect(out).toMatchObject({ rejected: 3, spans: [] });
    expect(out.errors).toEqual(['resourceSpans[0]: resource: key (field 1) has wire type varint, expected length-delimited']);
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = [...tag(99, 0), ...varint(2n ** 63n), ...tag(98, 1), ...Array(8).fill(7), ...tag(97, 5), 1, 2, 3, 4, ...str(96, 'x')];
    const out = decode([pbSpan({ extra: unknown })]);
    expect(out).toMatchObject({ rejected: 0, errors: [] });
    expect(out.spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, name: 'op', start: 1_732_406_400_000_000, duration: 5_000, service: 'svc' });
  });

  it('reads invalid UTF-8 as replacement characters', () => {
    const out = decode([pbSpan({ name: len(5, [0x6f, 0xff, 0xfe, 0x70]) })]);
    expect(out.spans[0]!.name).toBe('o\ufffd\ufffdp');
  });

  it('reads negative and huge int64 values as JSON-safe numbers or strings', () => {
    const attribute = (key: string, n: bigint): Bytes => len(9, [...str(1, key), ...len(2, [...tag(3, 0), ...varint(n)])]);
    const out = decode([pbSpan({ extra: [...attribute('minus', -1n), ...attribute('huge', 2n ** 62n), ...attribute('safe', 2n ** 52n)] })]);
    expect(out.spans[0]!.attributes).toMatchObject({ minus: -1, huge: String(2n ** 62n), safe: 2 ** 52 });
  });

  it('counts a flood of bad spans without flooding the error list', () => {
    const zero = Buffer.from(len(2, pbSpan({ traceId: len(1, hex('0'.repeat(32))) })));
    const spans = Buffer.concat(Array.from({ length: 100_000 }, () => zero));
    const scope = Buffer.concat([Buffer.from([...tag(2, 2), ...varint(spans.length)]), spans]);
    const body = Buffer.concat([Buffer.from([...tag(1, 2), ...varint(scope.length)]), scope]);
    const started = Date.now();
    const out = decodeOtlpTraces(body, 'protobuf');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.rejected).toBe(100_000);
    expect(out.errors).toHaveLength(MAX_DECODE_ERRORS + 1);
    expect(out.errors.at(-1)).toBe(`…and ${100_000 - MAX_DECODE_ERRORS} more`);
  });
});

describe('OTLP protobuf logs: a bad trace ID drops the ID, not the record', () => {
  const log = (traceId: Bytes, spanId: Bytes = len(10, hex(SPAN))): Bytes => [...fixed64(1, START), ...len(5, str(1, 'hello')), ...traceId, ...spanId];

  it.each([
    ['a 3-byte traceId', len(9, hex('010203')), 'traceId must be 16 bytes (32 hex digits), got 3 bytes'],
    ['an all-zero traceId', len(9, hex('0'.repeat(32))), 'traceId is all zeros (invalid)'],
  ])('%s', (_name, traceId, message) => {
    const out = decodeOtlpLogs(logsRequest([log(len(9, hex(TRACE))), log(traceId)]), 'protobuf');
    expect(out.rejected).toBe(0);
    expect(out.logs.map((l) => l.body)).toEqual(['hello', 'hello']);
    expect(out.logs[0]).toMatchObject({ traceId: TRACE, spanId: SPAN });
    expect(out.logs[1]).not.toHaveProperty('traceId');
    expect(out.logs[1]).not.toHaveProperty('spanId');
    expect(out.errors).toEqual([`${LOG_PATH}[1]: ${message}; the record is kept without it`]);
  });

  it('rejects a log record whose own bytes are broken', () => {
    const out = decodeOtlpLogs(logsRequest([log(len(9, hex(TRACE))), [...tag(5, 2), 9, 1]]), 'protobuf');
    expect(out).toMatchObject({ rejected: 1 });
    expect(out.logs).toHaveLength(1);
    expect(out.errors).toEqual([`${LOG_PATH}[1]: a length of 9 points past the end (1 bytes left)`]);
  });
});

describe('OTLP JSON: a body that cannot be read throws OTLP_BAD_JSON', () => {
  const deepArray = '['.repeat(200_000) + ']'.repeat(200_000);
  it.each([
    ['not JSON', 'hello', /not valid JSON/],
    ['an empty body', '  ', /the body is empty/],
    ['truncated JSON', real.tracesJson.subarray(0, 40).toString(), /not valid JSON/],
    ['an array', '[]', /not an object/],
    ['a string', '"resourceSpans"', /not an object/],
    ['resourceSpans of the wrong type', '{"resourceSpans": 5}', /resourceSpans is not an array/],
    ['200 000 nested arrays', deepArray, /not an object|not valid JSON/],
  ])('%s', (_name, body, message) => {
    const error = thrown(() => decodeOtlpTraces(Buffer.from(body), 'json'));
    expect(error.code).toBe('OTLP_BAD_JSON');
    expect(error.message).toMatch(message);
  });

  it('reads an empty object as an empty request', () => {
    expect(decodeOtlpLogs(Buffer.from('{}'), 'json')).toEqual({ logs: [], spans: [], aliases: [], rejected: 0, errors: [] });
  });
});

describe('OTLP JSON: a bad record is rejected alone, with its path', () => {
  const good = { traceId: TRACE, spanId: SPAN, name: 'op', startTimeUnixNano: String(START), endTimeUnixNano: String(START + 1000n) };
  const request = (spans: unknown[]): Buffer => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
  const deepValue = (depth: number): unknown => {
    let value: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < depth; i += 1) value = { arrayValue: { values: [value] } };
    return value;
  };

  it.each([
    ['not an object', 5, 'a span must be an object'],
    ['a non-hex traceId', { ...good, traceId: 'z'.repeat(32) }, `traceId must be hex, got "${'z'.repeat(32)}"`],
    ['a traceId of the wrong length', { ...good, traceId: 'abc' }, 'traceId must be 16 bytes (32 hex digits), got "abc"'],
    ['a numeric traceId', { ...good, traceId: 12 }, 'traceId must be a hex string'],
    ['an all-zero traceId', { ...good, traceId: '0'.repeat(32) }, 'traceId is all zeros (invalid)'],
    ['an all-zero spanId', { ...good, spanId: '0'.repeat(16) }, 'spanId is all zeros (invalid)'],
    ['a start time that is not a number', { ...good, startTimeUnixNano: 'soon' }, 'startTimeUnixNano must be nanoseconds'],
    ['a name that is not a string', { ...good, name: { x: 1 } }, 'name must be a string'],
    ['attributes that are not an array', { ...good, attributes: { a: 1 } }, 'attributes must be an array'],
    ['an attribute value that is not an AnyValue', { ...good, attributes: [{ key: 'a', value: 5 }] }, 'a value must be an AnyValue object'],
    ['a value nested 1000 deep', { ...good, attributes: [{ key: 'a', value: deepValue(1000) }] }, 'a value is nested deeper than 32 levels'],
  ])('%s', (_name, bad, message) => {
    const out = decodeOtlpTraces(request([good, bad]), 'json');
    expect(out.rejected).toBe(1);
    expect(out.spans).toHaveLength(1);
    expect(out.errors).toEqual([expect.stringContaining(`${SPAN_PATH}[1]: ${message}`)]);
  });

  it('rejects a resource or scope of the wrong shape with its path', () => {
    const body = { resourceSpans: [5, { scopeSpans: 'x' }, { scopeSpans: [7, { spans: {} }, { spans: [good] }] }] };
    const out = decodeOtlpTraces(Buffer.from(JSON.stringify(body)), 'json');
    expect(out.spans).toHaveLength(1);
    expect(out.rejected).toBe(4);
    expect(out.errors).toEqual([
      'resourceSpans[0]: must be an object',
      'resourceSpans[1]: scopeSpans must be an array',
      'resourceSpans[2].scopeSpans[0]: must be an object',
      'resourceSpans[2].scopeSpans[1]: spans must be an array',
    ]);
  });

  it('keeps a log whose trace or span ID is bad, without the ID, and says so', () => {
    const logs = [
      { body: { stringValue: 'a' }, traceId: 'not-hex-not-hex-not-hex-not-hex!', spanId: SPAN },
      { body: { stringValue: 'b' }, traceId: '0'.repeat(32) },
      { body: { stringValue: 'c' }, traceId: TRACE, spanId: 'xyz' },
      { body: { stringValue: 'd' }, traceId: 7 },
    ];
    const out = decodeOtlpLogs(Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: logs }] }] })), 'json');
    expect(out.rejected).toBe(0);
    expect(out.logs.map((l) => [l.body, l.traceId, l.spanId])).toEqual([
      ['a', undefined, undefined],
      ['b', undefined, undefined],
      ['c', TRACE, undefined],
      ['d', undefined, undefined],
    ]);
    expect(out.errors).toEqual([
      `${LOG_PATH}[0]: traceId must be hex, got "not-hex-not-hex-not-hex-not-hex!"; the record is kept without it`,
      `${LOG_PATH}[1]: traceId is all zeros (invalid); the record is kept without it`,
      `${LOG_PATH}[2]: spanId must be 8 bytes (16 hex digits), got "xyz"; the record is kept without it`,
      `${LOG_PATH}[3]: traceId must be a hex string; ignored`,
    ]);
  });

  it('keeps __proto__ an ordinary attribute key', () => {
    const attributes = [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }];
    const out = decodeOtlpTraces(request([{ ...good, attributes }]), 'json');
    const got = out.spans[0]!.attributes!;
    expect(Object.hasOwn(got, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect((got as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads invalid UTF-8 in a JSON body as replacement characters', () => {
    const body = Buffer.concat([Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"o'), Buffer.from([0xff, 0xfe]), Buffer.from(`p","traceId":"${TRACE}","spanId":"${SPAN}","startTimeUnixNano":"${START}"}]}]}]}`)]);
    expect(decodeOtlpTraces(body, 'json').spans[0]!.name).toBe('o\ufffd\ufffdp');
  });

  it('counts a flood of bad records without flooding the error list', () => {
    const out = decodeOtlpTraces(request(Array.from({ length: 50_000 }, () => ({}))), 'json');
    expect(out.rejected).toBe(50_000);
    expect(out.errors).toHaveLength(MAX_DECODE_ERRORS + 1);
    expect(out.errors[0]).toBe(`${SPAN_PATH}[0]: traceId is missing`);
  });
});
