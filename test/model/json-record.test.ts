// JSON log lines → LogRecords: the loggers' shapes, and logstitch's own marked shape that the agent ships.
import { describe, expect, it } from 'vitest';
import { logRecordFromJson, RECORD_MARKER } from '../../src/model/json-record.js';

const T = 1_700_000_000_000_000;
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = '00f067aa0ba902b7';

describe('logRecordFromJson', () => {
  it('reads a pino line: level number, ms time, stamped IDs, the rest as attributes', () => {
    const read = logRecordFromJson({ level: 50, time: 1_700_000_000_123, msg: 'boom', trace_id: trace, span_id: span, trace_flags: '01', service: 'checkout', hostname: 'web-1', orderId: 7 }, T);
    expect(read.log).toMatchObject({ time: 1_700_000_000_123_000, severityNumber: 17, body: 'boom', traceId: trace, spanId: span, traceFlags: 1, service: 'checkout', host: 'web-1', attributes: { orderId: 7 } });
  });

  it('takes a marked record as it is, with its aliases', () => {
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T, severityNumber: 13, severityText: 'WARN', body: 'slow', traceId: trace, service: 'legacy', aliases: ['abc-123'], parseError: 'no parser' }, T + 5);
    expect(read.log).toEqual({ time: T, severityNumber: 13, severityText: 'WARN', body: 'slow', traceId: trace, service: 'legacy', aliases: ['abc-123'], parseError: 'no parser' });
    expect(read.aliases).toEqual(['abc-123']);
    expect(read.span).toBeUndefined();
  });

  it('derives the span of a marked span-end record, as from the line itself', () => {
    const spanEnd = { name: 'GET /stock', kind: 'server', start_us: T, duration_us: 9_000_000, status: 'ok' };
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T + 9_000_000, severityNumber: 9, body: 'GET /stock 200', traceId: trace, spanId: span, service: 'inventory', span_end: spanEnd }, T);
    expect(read.span).toMatchObject({ traceId: trace, spanId: span, name: 'GET /stock', kind: 'server', start: T, duration: 9_000_000, service: 'inventory', origin: 'span-end-line' });
  });

  it('keeps a marked record whose span-end part is broken, and says why', () => {
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T, severityNumber: 9, body: 'x', traceId: trace, span_end: { name: 'y' } }, T);
    expect(read.span).toBeUndefined();
    expect(read.log.body).toBe('x');
    expect(read.warning).toMatch(/span_id/);
  });

  it('reads ECS fields written flat or nested, and keeps the rest as attributes', () => {
    const flat = logRecordFromJson({ '@timestamp': '2024-03-12T13:15:02.117Z', 'log.level': 'warn', message: 'slow', 'trace.id': trace, 'span.id': span, 'service.name': 'inventory', 'host.name': 'web-2', http: { request: { id: 'r-1' } } }, T);
    expect(flat.log).toEqual({ time: 1_710_249_302_117_000, observedTime: T, severityNumber: 13, severityText: 'warn', body: 'slow', traceId: trace, spanId: span, service: 'inventory', host: 'web-2', attributes: { http: { request: { id: 'r-1' } } } });
    const nested = logRecordFromJson({ log: { level: 'error' }, message: 'down', trace: { id: trace }, span: { id: span }, service: { name: 'inventory' }, host: { name: 'web-2' } }, T);
    expect(nested.log).toMatchObject({ severityNumber: 17, severityText: 'error', traceId: trace, spanId: span, service: 'inventory', host: 'web-2' });
    expect(Object.keys(nested.log.attributes ?? {})).toEqual(['log', 'trace', 'span']);
  });

  it('takes the first level that names one, and an explicit SeverityNumber over it', () => {
    expect(logRecordFromJson({ level: '', lvl: 'error', msg: 'x' }, T).log).toMatchObject({ severityNumber: 17, severityText: 'error' });
    expect(logRecordFromJson({ severity_text: 'WARN', severity_number: 14, body: 'otel' }, T).log).toMatchObject({ severityNumber: 14, severityText: 'WARN', body: 'otel' });
    expect(logRecordFromJson({ level: 99, severityNumber: 3, msg: 'x' }, T).log).toMatchObject({ severityNumber: 3, severityText: '99' });
  });

  it('takes the first message field present, even null, and writes a non-string one as JSON', () => {
    expect(logRecordFromJson({ msg: null, message: 'second' }, T).log.body).toBe('null');
    expect(logRecordFromJson({ message: { a: 1 } }, T).log.body).toBe('{"a":1}');
    expect(logRecordFromJson({ level: 'info' }, T).log.body).toBe('');
  });

  it('reads trace flags as two hex digits of either case, or a number', () => {
    expect(logRecordFromJson({ msg: 'x', trace_flags: '0A' }, T).log.traceFlags).toBe(10);
    expect(logRecordFromJson({ msg: 'x', trace_flags: 'zz' }, T).log.traceFlags).toBeUndefined();
    expect(logRecordFromJson({ msg: 'x', trace_flags: '001' }, T).log.traceFlags).toBeUndefined();
    expect(logRecordFromJson({ msg: 'x', flags: 1 }, T).log.traceFlags).toBe(1);
  });

  it('keeps an ID it cannot use as an attribute, first, and says so', () => {
    const read = logRecordFromJson({ level: 'info', msg: 'x', trace_id: 'abc-123', span_id: 'nothex', extra: [1, 2] }, T);
    expect(read.log.traceId).toBeUndefined();
    expect(read.log.spanId).toBeUndefined();
    expect(Object.entries(read.log.attributes ?? {})).toEqual([['trace_id', 'abc-123'], ['extra', [1, 2]]]);
    expect(read.warning).toBe('trace_id is not 32 lowercase hex; kept as an attribute');
  });

  it('keeps a field nested too deep as text, and says so after any ID warning', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const read = logRecordFromJson({ msg: 'x', trace_id: 'legacy', nested: deep, shallow: { a: { b: 1 } } }, T);
    expect(read.log.attributes).toEqual({ trace_id: 'legacy', nested: '[nested deeper than 32 levels]', shallow: { a: { b: 1 } } });
    expect(read.warning).toBe('trace_id is not 32 lowercase hex; kept as an attribute; a field nested deeper than 32 levels was kept as text');
  });

  it('never lets a __proto__ field become the prototype of the attributes', () => {
    const read = logRecordFromJson(JSON.parse('{"__proto__": {"polluted": true}, "msg": "p", "a": 1}') as Record<string, unknown>, T);
    expect(read.log.attributes).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(read.log.attributes)).toBe(Object.prototype);
    const attributes = read.log.attributes!;
    const seen: string[] = [];
    for (const key in attributes) seen.push(key);
    expect(seen).toEqual(['a']);
  });

  it('names a bunyan line by its name, and no other line', () => {
    expect(logRecordFromJson({ v: 0, name: 'billing', level: 40, msg: 'b', time: '2024-03-12T13:15:02.117Z' }, T).log).toMatchObject({ service: 'billing', severityNumber: 13, time: 1_710_249_302_117_000 });
    expect(logRecordFromJson({ name: 'not-bunyan', msg: 'x' }, T).log).toMatchObject({ attributes: { name: 'not-bunyan' } });
    expect(logRecordFromJson({ name: 'not-bunyan', msg: 'x' }, T).log.service).toBeUndefined();
  });

  it('reads OpenTelemetry nanosecond times exactly to the µs', () => {
    expect(logRecordFromJson({ body: 'otel', timeUnixNano: '1710249302117123456' }, T).log.time).toBe(1_710_249_302_117_123);
  });
});
