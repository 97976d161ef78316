// The small pieces on their own: line splitting over chunk boundaries, globs, and config errors.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { agentConfigFrom, agentConfigFromYaml, parseThreads } from '../../src/agent/config.js';
import { compileExclude, compileGlob, escapeGlob } from '../../src/agent/glob.js';
import { LINE_CUT, LINE_INVALID_UTF8, LINE_UNTERMINATED, LineReader } from '../../src/agent/line-reader.js';
import { BufferLedger, OutputPool, POOLED_BYTES } from '../../src/agent/output-pool.js';

function split(input: Buffer, chunk: number, maxLine = 1024): Array<[string, number, number]> {
  const reader = new LineReader(0, maxLine);
  const out: Array<[string, number, number]> = [];
  for (let at = 0; at < input.length; at += chunk) {
    const piece = input.subarray(at, at + chunk);
    // The reader gets a buffer longer than the bytes it may use, as a reused read buffer is.
    const buffer = Buffer.concat([piece, Buffer.from('\nSTALE\n')]);
    // Not lazy: every line comes decoded.
    reader.consume(buffer, piece.length, (text, end, flags) => out.push([text!, end, flags]));
  }
  reader.flushPending((text, end, flags) => out.push([text!, end, flags]));
  return out;
}

describe('LineReader', () => {
  const text = Buffer.from('alpha\r\nbeta\n\ngrüße 🙂 ok\nlast');
  it.each([1, 2, 3, 5, 64])('splits the same way whatever the chunk size (%i)', (chunk) => {
    expect(split(text, chunk)).toEqual([
      ['alpha', 7, 0],
      ['beta', 12, 0],
      ['', 13, 0],
      ['grüße 🙂 ok', 29, 0],
      ['last', 33, LINE_UNTERMINATED],
    ]);
  });

  it('cuts long lines on a character boundary and flags them, keeping the offsets exact', () => {
    const line = Buffer.from(`${'é'.repeat(10)}\nnext\n`);
    for (const chunk of [1, 4, 100]) {
      const out = split(line, chunk, 7);
      expect(out[0]).toEqual(['ééé', 21, LINE_CUT]);
      expect(out[1]).toEqual(['next', 26, 0]);
    }
  });

  it('flags invalid UTF-8 but not a real U+FFFD', () => {
    const out = split(Buffer.concat([Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('real \uFFFD\n')]), 64);
    expect(out).toEqual([['a\uFFFDb', 4, LINE_INVALID_UTF8], ['real \uFFFD', 4 + 9, 0]]);
  });
});

describe('LineReader, lazy', () => {
  /** What the reader hands over, with undecoded lines decoded here from the bytes they point at. */
  function lazySplit(input: Buffer, chunk: number): Array<[string, number, number, boolean]> {
    const reader = new LineReader(0, 1024);
    const out: Array<[string, number, number, boolean]> = [];
    for (let at = 0; at < input.length; at += chunk) {
      const piece = input.subarray(at, at + chunk);
      reader.consume(piece, piece.length, (text, end, flags, original, bytes, start) => {
        out.push([text ?? bytes!.toString('utf8', start!, start! + original), end, flags, text === undefined]);
      }, true);
    }
    return out;
  }

  it('leaves whole valid lines undecoded, with the same text, offsets and flags as decoding them', () => {
    const input = Buffer.from('alpha\r\nbeta\n\ngrüße 🙂 ok\n');
    const out = lazySplit(input, 64);
    expect(out.map(([text, end, flags]) => [text, end, flags])).toEqual([['alpha', 7, 0], ['beta', 12, 0], ['', 13, 0], ['grüße 🙂 ok', 29, 0]]);
    expect(out.every(([, , , lazy]) => lazy)).toBe(true);
  });

  it('decodes (and flags) the lines of a chunk that is not valid UTF-8, and lines split across chunks', () => {
    const input = Buffer.concat([Buffer.from('ok one\n'), Buffer.from([0x61, 0xff, 0x0a]), Buffer.from('ok two\n')]);
    const whole = lazySplit(input, 64);
    expect(whole.map(([text, end, flags]) => [text, end, flags])).toEqual([['ok one', 7, 0], ['a\uFFFD', 10, LINE_INVALID_UTF8], ['ok two', 17, 0]]);
    expect(whole.some(([, , , lazy]) => lazy)).toBe(false);
    const split = lazySplit(Buffer.from('first line\nsecond line\n'), 5);
    expect(split.map(([text, end]) => [text, end])).toEqual([['first line', 11], ['second line', 23]]);
  });
});

describe('output buffers', () => {
  it('go back to the pool only when the last holder lets go', () => {
    const pool = new OutputPool();
    const recycled: ArrayBuffer[] = [];
    const ledger = new BufferLedger((buffer) => {
      recycled.push(buffer);
      pool.give(buffer);
    });
    const buffer = pool.take(1000);
    expect(buffer.byteLength).toBe(POOLED_BYTES);
    ledger.adopt(buffer);
    ledger.retain(buffer);
    ledger.retain(buffer);
    ledger.release(buffer);
    ledger.release(buffer);
    expect(recycled).toEqual([]);
    ledger.release(buffer);
    expect(recycled).toEqual([buffer]);
    expect(pool.take(10)).toBe(buffer);
    // Not from the pool (too big, or never adopted): left to the garbage collector.
    const big = pool.take(POOLED_BYTES + 1);
    ledger.adopt(big);
    ledger.release(big);
    expect(recycled).toEqual([buffer]);
    expect(ledger.held).toBe(0);
  });
});

describe('globs', () => {
  it('matches *, **, ?, classes and braces on whole paths', () => {
    const g = compileGlob('/var/log/**/app-?.{log,txt}');
    expect(g.base).toBe('/var/log');
    expect(g.depth).toBe(Infinity);
    expect(g.regex.test('/var/log/app-1.log')).toBe(true);
    expect(g.regex.test('/var/log/a/b/app-2.txt')).toBe(true);
    expect(g.regex.test('/var/log/app-12.log')).toBe(false);
    const star = compileGlob('/srv/*/logs/[ab]*.log');
    expect(star.base).toBe('/srv');
    expect(star.depth).toBe(3);
    expect(star.regex.test('/srv/x/logs/a1.log')).toBe(true);
    expect(star.regex.test('/srv/x/y/logs/a1.log')).toBe(false);
    expect(compileExclude('*.gz')('/var/log/app.log.1.gz')).toBe(true);
    const odd = '/tmp/we[ir]d {name}*.log';
    expect(compileGlob(escapeGlob(odd)).regex.test(odd)).toBe(true);
    expect(compileGlob(escapeGlob(odd)).base).toBe('/tmp');
  });
});

describe('agent configuration', () => {
  it('fills defaults and reads sizes, durations and the service path pattern', () => {
    const config = agentConfigFromYaml([
      'sources:',
      '  - include: /var/log/*/app.log',
      '    service_from_path: /var/log/{service}/app.log',
      '    multiline: { start_pattern: "^\\\\d{4}-" }',
      'sink: { batch: { max_bytes: 512KiB, timeout: 2s }, type: otlp }',
    ].join('\n'), {});
    const source = config.sources[0]!;
    expect(source.include).toEqual(['/var/log/*/app.log']);
    expect(source.servicePath?.exec('/var/log/billing/app.log')?.groups?.service).toBe('billing');
    expect(source.multiline).toEqual({ mode: 'auto', startPattern: '^\\d{4}-' });
    expect(source.startAt).toBe('beginning');
    expect(config.sink).toMatchObject({ type: 'otlp', maxBytes: 512 * 1024, timeoutMs: 2000, maxLines: 5000, compression: 'auto' });
  });

  it.each([
    [{ sources: [] }, 'sources: at least one source'],
    [{ sources: [{ include: [] }] }, 'sources[0].include: at least one'],
    [{ sources: [{ include: ['x'], start_at: 'middle' }] }, 'sources[0].start_at: must be one of beginning, end'],
    [{ sources: [{ include: ['x'], drop: ['('] }] }, 'sources[0].drop[0]: not a valid regular expression'],
    [{ sources: [{ include: ['x'], parser: { format: 'regex' } }] }, 'sources[0].parser.pattern'],
    [{ sources: [{ include: ['x'], max_line_bytes: '2MiB' }] }, 'sources[0].max_line_bytes: at most 512KiB'],
    [{ sources: [{ include: ['x'] }], sink: { url: 'ftp://x' } }, 'sink.url: must be an http'],
    [{ sources: [{ include: ['x'] }], sink: { backoff: { intial: '1s' } } }, 'sink.backoff.intial: unknown key'],
    [{ sources: [{ include: ['x'] }], tuning: { poll_interval: 'often' } }, 'tuning.poll_interval: must be a duration'],
  ])('names the bad key: %j', (doc, message) => {
    expect(() => agentConfigFrom(doc, {})).toThrow(message);
  });

  it('parses on a second thread by default when the machine has a second core', () => {
    const threads = (tuning: string) => agentConfigFromYaml(`sources: [{ include: [x] }]\n${tuning}`, {}).parseThreads;
    expect(threads('')).toBe(availableParallelism() >= 2 ? 1 : 0);
    expect(threads('tuning: { parse_threads: auto }')).toBe(availableParallelism() >= 2 ? 1 : 0);
    expect(threads('tuning: { parse_threads: 0 }')).toBe(0);
    expect(threads('tuning: { parse_threads: 1 }')).toBe(1);
    expect([parseThreads('auto', 1), parseThreads('auto', 2), parseThreads(undefined, 8), parseThreads(0, 8)]).toEqual([0, 1, 1, 0]);
    expect(() => threads('tuning: { parse_threads: 2 }')).toThrow('tuning.parse_threads: must be auto, 0 or 1, not 2');
    expect(() => threads('tuning: { parse_threads: many }')).toThrow('tuning.parse_threads: must be auto, 0 or 1');
  });

  it('reports YAML syntax errors as configuration errors', () => {
    expect(() => agentConfigFromYaml('sources: [\n', {})).toThrow(/not valid YAML/);
  });
});

