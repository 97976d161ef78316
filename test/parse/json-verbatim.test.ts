// Which JSON lines may go out as written: exactly those whose text holds nothing but their fields, whose
// fields the model's reader takes whole or keeps as attributes, and whose parse adds nothing.
import { describe, expect, it } from 'vitest';
import { createJsonLineReader, createLineParser, isConsumedKey } from '../../src/parse/index.js';

const reader = createJsonLineReader({})!;
const plain = createLineParser({});
const T = 1_732_000_000_123;
const PINO = `{"level":30,"time":${T},"pid":4242,"hostname":"web-1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01","service":"checkout","msg":"quote ready"}`;

function verbatim(line: string): boolean {
  return !('log' in reader.read(line, 1));
}

describe('createJsonLineReader', () => {
  it('hands back a pino line as written, with what the agent needs to filter and enrich it', () => {
    const read = reader.read(PINO, 1);
    expect('log' in read).toBe(false);
    expect(read).toMatchObject({ text: PINO, body: 'quote ready', severityNumber: 9, hasHost: true, hasService: true });
    expect(reader.read(`{"level":50,"time":${T},"msg":"x","nested":{"a":[1,2.5,true,null,"s"]}}`, 1)).toMatchObject({ hasHost: false, hasService: false, severityNumber: 17 });
  });

  it.each([
    ['spaces between tokens', `{"level": 30, "time": ${T}, "msg": "x"}`],
    ['a duplicate key', `{"level":30,"time":${T},"msg":"secret","msg":"x"}`],
    ['an exponent (text shorter than its value)', `{"level":30,"time":${T},"msg":"x","n":1e3}`],
    ['a small fraction', `{"level":30,"time":${T},"msg":"x","n":0.001}`],
    ['an escape', `{"level":30,"time":${T},"msg":"a\\nb"}`],
    ['a __proto__ field', `{"level":30,"time":${T},"msg":"x","__proto__":{"a":1}}`],
    ['no time', '{"level":30,"msg":"x"}'],
    ['a time string', '{"level":30,"time":"2024-01-01T00:00:00Z","msg":"x"}'],
    ['no message', `{"level":30,"time":${T}}`],
    ['a second message field', `{"level":30,"time":${T},"msg":"x","message":"y"}`],
    ['an invalid trace ID', `{"level":30,"time":${T},"msg":"x","trace_id":"not-hex"}`],
    ['a request ID field', `{"level":30,"time":${T},"msg":"x","request_id":"r-1"}`],
    ['an ID in the message', `{"level":30,"time":${T},"msg":"trace_id=4bf92f3577b34da6a3ce929d0e0e4736"}`],
    ['a span_end', `{"level":30,"time":${T},"msg":"x","span_end":{"name":"a"}}`],
    ['our own marked line', `{"@logstitch":1,"time":${T},"body":"x"}`],
    ['a trailing space', `{"level":30,"time":${T},"msg":"x"} `],
  ])('reads a line with %s the ordinary way', (_why, line) => {
    expect(verbatim(line)).toBe(false);
    // …and still parses it as createLineParser would.
    const read = reader.read(line, 1);
    expect(read).toEqual(plain(line, 1));
  });

  it('leaves a line alone when the caller refuses one of its attributes', () => {
    expect('log' in reader.read(PINO, 1, (key) => key !== 'pid')).toBe(true);
    expect('log' in reader.read(PINO, 1, () => true)).toBe(false);
  });

  it('is not offered where the parser itself stamps a service or host, or for text formats', () => {
    expect(createJsonLineReader({ service: 'x' })).toBeUndefined();
    expect(createJsonLineReader({ format: 'logfmt' })).toBeUndefined();
    expect(createJsonLineReader({ format: 'json' })).toBeDefined();
  });

  it('asks the model which keys it takes', () => {
    expect(isConsumedKey('msg')).toBe(true);
    expect(isConsumedKey('hostname')).toBe(true);
    expect(isConsumedKey('pid')).toBe(false);
  });
});

