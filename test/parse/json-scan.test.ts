// The as-written verdict over a line's bytes (json-scan.ts): it never takes a line JSON.parse rejects, it
// reads every field it takes as the indexer's reader reads it, and whatever it is unsure of it leaves to
// the parsing path — over hand-picked lines and a large generated corpus of good and broken ones.
import { describe, expect, it } from 'vitest';
import { isValidSpanId, isValidTraceId } from '../../src/model/ids.js';
import { logRecordFromJson } from '../../src/model/json-record.js';
import { createJsonLineReader, type VerbatimFacts } from '../../src/parse/index.js';
import { jsonCorpus, random } from './json-corpus.js';

const T = 1_732_000_000_123;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PINO = `{"level":30,"time":${T},"pid":4242,"hostname":"web-1","trace_id":"${TRACE}","span_id":"00f067aa0ba902b7","trace_flags":"01","service":"checkout","msg":"quote ready"}`;

/** The scanner's verdict on a line, copied out of the object it reuses. */
function scan(line: string | Buffer, keep?: (key: string, value: unknown) => boolean, reader = createJsonLineReader({})!): VerbatimFacts | undefined {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  // Inside a bigger buffer, as in a chunk of a file: nothing past the line may be read.
  const chunk = Buffer.concat([Buffer.from('{"x":"'), bytes, Buffer.from('","y":1}\n')]);
  const facts = reader.scan(chunk, 6, 6 + bytes.length, keep);
  return facts === undefined ? undefined : { ...facts };
}

/** The same facts, from JSON.parse and the indexer's reader; undefined when JSON.parse rejects the line or it is no object. */
function parsedFacts(line: string): VerbatimFacts | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return undefined;
  const { log } = logRecordFromJson(fields as Record<string, unknown>, 1);
  return { body: log.body, severityNumber: log.severityNumber, hasHost: log.host !== undefined, hasService: log.service !== undefined };
}

describe('JsonLineScanner', () => {
  it('reads a pino line over its bytes into the facts the parsing reader gives', () => {
    expect(scan(PINO)).toEqual({ body: 'quote ready', severityNumber: 9, hasHost: true, hasService: true });
    expect(scan(`{"level":"warn","time":${T},"msg":"caf\u00e9 \ud83d\ude00","n":0.001,"k":1000,"b":true,"z":null,"s":"\u00fcber"}`))
      .toEqual({ body: 'caf\u00e9 \ud83d\ude00', severityNumber: 13, hasHost: false, hasService: false });
    const read = createJsonLineReader({})!.read(PINO, 1);
    if ('log' in read) throw new Error('the parsing reader should take the pino line as written');
    expect(scan(PINO)).toEqual({ body: read.body, severityNumber: read.severityNumber, hasHost: read.hasHost, hasService: read.hasService });
  });

  it.each([
    ['spaces between tokens', `{"level": 30, "time": ${T}, "msg": "x"}`],
    ['a duplicate message', `{"level":30,"time":${T},"msg":"secret","msg":"x"}`],
    ['a duplicate attribute', `{"level":30,"time":${T},"msg":"x","a":1,"a":2}`],
    ['an exponent', `{"level":30,"time":${T},"msg":"x","n":1e3}`],
    ['a time with an exponent', '{"level":30,"time":1.7e12,"msg":"x"}'],
    ['minus zero', `{"level":30,"time":${T},"msg":"x","n":-0}`],
    ['a leading zero', `{"level":30,"time":${T},"msg":"x","n":01}`],
    ['a bare fraction', `{"level":30,"time":${T},"msg":"x","n":1.}`],
    ['an escape', `{"level":30,"time":${T},"msg":"a\\nb"}`],
    ['an escaped slash in a key', `{"level":30,"time":${T},"msg":"x","a\\/b":1}`],
    ['a raw tab in a string', `{"level":30,"time":${T},"msg":"a\tb"}`],
    ['a nested attribute', `{"level":30,"time":${T},"msg":"x","cart":{"items":3}}`],
    ['an array attribute', `{"level":30,"time":${T},"msg":"x","tags":["a"]}`],
    ['a __proto__ field', `{"level":30,"time":${T},"msg":"x","__proto__":1}`],
    ['no time', '{"level":30,"msg":"x"}'],
    ['a time string', '{"level":30,"time":"2024-01-01T00:00:00Z","msg":"x"}'],
    ['an infinite time', `{"level":30,"time":1${'0'.repeat(400)},"msg":"x"}`],
    ['no message', `{"level":30,"time":${T}}`],
    ['a message that is no string', `{"level":30,"time":${T},"msg":42}`],
    ['a second message field', `{"level":30,"time":${T},"msg":"x","message":"y"}`],
    ['an empty level', `{"level":"","time":${T},"msg":"x"}`],
    ['an invalid trace ID', `{"level":30,"time":${T},"msg":"x","trace_id":"${TRACE.toUpperCase()}"}`],
    ['an all-zero span ID', `{"level":30,"time":${T},"msg":"x","span_id":"0000000000000000"}`],
    ['odd trace flags', `{"level":30,"time":${T},"msg":"x","trace_flags":"zz"}`],
    ['a request ID field', `{"level":30,"time":${T},"msg":"x","request_id":"r-1"}`],
    ['an ID in the message', `{"level":30,"time":${T},"msg":"trace_id=${TRACE}"}`],
    ['a span_end', `{"level":30,"time":${T},"msg":"x","span_end":1}`],
    ['our own marked line', `{"@logstitch":1,"time":${T},"body":"x"}`],
    ['a trailing space', `{"level":30,"time":${T},"msg":"x"} `],
    ['a trailing comma', `{"level":30,"time":${T},"msg":"x",}`],
    ['a CR at the end', `{"level":30,"time":${T},"msg":"x"}\r`],
    ['a BOM', `\ufeff{"level":30,"time":${T},"msg":"x"}`],
    ['a truncated line', `{"level":30,"time":${T},"msg":"x`],
    ['a literal cut short', `{"level":30,"time":${T},"msg":"x","b":tru}`],
    ['nothing in it', '{}'],
  ])('leaves a line with %s to the parsing path', (_why, line) => {
    expect(scan(line)).toBeUndefined();
  });

  it('takes a trace or span ID exactly when the model calls it valid', () => {
    const ids: Array<[string, string, (id: unknown) => boolean]> = [['trace_id', TRACE, isValidTraceId], ['span_id', '00f067aa0ba902b7', isValidSpanId]];
    for (const [key, id, valid] of ids) {
      const variants = [id, '0'.repeat(id.length), `${id.slice(0, -1)}0`, id.replace(/[1-9a-f]/g, '0').replace(/0$/, '1')];
      for (let i = 0; i < id.length; i++) {
        for (let c = 0x20; c < 0x7f; c++) if (c !== 0x22 && c !== 0x5c) variants.push(`${id.slice(0, i)}${String.fromCharCode(c)}${id.slice(i + 1)}`);
      }
      for (const value of variants) expect(scan(`{"level":30,"time":${T},"${key}":"${value}","msg":"x"}`) !== undefined, `${key} ${value}`).toBe(valid(value));
    }
  });

  it('leaves bytes that are not UTF-8 to the parsing path', () => {
    const good = Buffer.from(`{"level":30,"time":${T},"msg":"caf\u00e9"}`);
    expect(scan(good)).toBeDefined();
    const at = good.indexOf(0xc3);
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(scan(Buffer.concat([good.subarray(0, at), Buffer.from(bad), good.subarray(at + 2)]))).toBeUndefined();
    }
  });

  it('asks `keep` about each attribute, with its value as JSON.parse reads it, and leaves the line if it says no', () => {
    const line = `{"level":30,"time":${T},"pid":4242,"hostname":"web-1","ratio":0.25,"big":12345678901234567890,"ok":true,"none":null,"name":"\u00e9t\u00e9","msg":"x"}`;
    const asked: Array<[string, unknown]> = [];
    expect(scan(line, (key, value) => (asked.push([key, value]), true))).toBeDefined();
    const { level: _l, time: _t, hostname: _h, msg: _m, ...attributes } = JSON.parse(line) as Record<string, unknown>;
    expect(asked).toEqual(Object.entries(attributes));
    expect(scan(line, (key) => key !== 'ratio')).toBeUndefined();
    expect(scan(line, (_key, value) => value !== 'été')).toBeUndefined();
  });

  it('reads the configured trace fields as IDs, which the indexer cannot', () => {
    const line = `{"level":30,"time":${T},"msg":"x","correlation":"abc"}`;
    expect(scan(line)).toBeDefined();
    expect(scan(line, undefined, createJsonLineReader({ traceFields: ['correlation'] }))).toBeUndefined();
  });

  it('keeps taking lines after meeting thousands of distinct keys', () => {
    const reader = createJsonLineReader({})!;
    let refused = 0;
    for (let i = 0; i < 10_000; i++) if (scan(`{"level":30,"time":${T},"msg":"x","k${i}":1,"k${i}":2}`, undefined, reader) !== undefined) refused--;
    for (let i = 0; i < 10_000; i++) if (scan(`{"level":30,"time":${T},"msg":"x","k${i}":1}`, undefined, reader) === undefined) refused++;
    expect(refused).toBe(0);
    expect(scan(PINO, undefined, reader)).toBeDefined();
  });

  it('over a large corpus of good and broken lines, never takes one JSON.parse rejects, and reads each it takes as the indexer does', () => {
    const lines = jsonCorpus(40_000, 7);
    const reader = createJsonLineReader({})!;
    let taken = 0;
    let parseable = 0;
    for (const line of lines) {
      const facts = scan(line, undefined, reader);
      const parsed = parsedFacts(line);
      if (parsed !== undefined) parseable++;
      if (facts === undefined) continue;
      taken++;
      expect(parsed, line).toBeDefined();
      expect(facts, line).toEqual(parsed);
    }
    // The corpus is mostly lines pino writes; a good share of the rest parse but are not taken.
    expect(taken).toBeGreaterThan(lines.length * 0.25);
    expect(parseable - taken).toBeGreaterThan(lines.length * 0.1);
  });

  it('over the same corpus with bytes broken at random, never takes a line that is not UTF-8 JSON', () => {
    const rnd = random(11);
    const reader = createJsonLineReader({})!;
    let taken = 0;
    for (const line of jsonCorpus(20_000, 3)) {
      const bytes = Buffer.from(line);
      bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const facts = scan(bytes, undefined, reader);
      if (facts === undefined) continue;
      taken++;
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      expect(facts, text).toEqual(parsedFacts(text));
    }
    expect(taken).toBeGreaterThan(500);
  });
});
