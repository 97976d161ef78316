// Lines no parser expects: binary bytes, invalid UTF-8, huge lines, CRLF, empty lines, bad config.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLineParser, MultilineJoiner, ParserConfigError, type LineFormat, type ParserConfig } from '../../src/parse/index.js';
import { OBSERVED, sampleText } from './samples.js';

const FORMATS: LineFormat[] = ['auto', 'json', 'logfmt', 'nginx', 'apache', 'syslog', 'logback', 'log4j', 'python', 'raw'];

describe('lines nothing understands', () => {
  it('keeps binary junk whole, at the observed time, with the reason', () => {
    const junk = randomBytes(512).toString('latin1');
    for (const format of FORMATS) {
      const { log } = createLineParser({ format, service: 'legacy' })(junk, OBSERVED);
      expect(log.body).toBe(junk.endsWith('\r') ? junk.slice(0, -1) : junk);
      expect(log.time).toBe(OBSERVED);
      expect(log.service).toBe('legacy');
      if (format !== 'raw') expect(log.parseError).toMatch(/.+/);
    }
  });

  it('keeps invalid UTF-8 (decoded to replacement characters) as a record', () => {
    const text = Buffer.from([0x32, 0x30, 0xff, 0xfe, 0x80, 0x41, 0xc3, 0x28, 0x7b]).toString('utf8');
    const { log } = createLineParser()(text, OBSERVED);
    expect(log.body).toBe(text);
    expect(log.body).toContain('\ufffd');
    expect(log.parseError).toBeDefined();
  });

  it('says why a line that looked like JSON was not', () => {
    const { log } = createLineParser()('{"level":30,"msg":"cut off', OBSERVED);
    expect(log.parseError).toMatch(/^not JSON/);
    expect(log.body).toBe('{"level":30,"msg":"cut off');
    expect(createLineParser({ format: 'json' })('[1,2]', OBSERVED).log.parseError).toBe('not a json line: JSON, but not an object');
  });

  it('reads a 10 MB line, JSON or not, without losing a byte', () => {
    const big = `{"level":50,"msg":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    expect(createLineParser()(big, OBSERVED).log.body).toHaveLength(10 * 1024 * 1024);
    const text = `2024-03-12 09:15:02,000 - app - INFO - ${'y'.repeat(10 * 1024 * 1024)}`;
    expect(createLineParser()(text, OBSERVED).log.body).toHaveLength(10 * 1024 * 1024);
    const prose = `${'z '.repeat(5 * 1024 * 1024)}`;
    expect(createLineParser()(prose, OBSERVED).log.body).toBe(prose);
  });

  it('drops the CR of CRLF endings and a leading BOM, and flags an empty line', () => {
    const parse = createLineParser();
    expect(parse('level=info msg=hello ts=1710249302\r', OBSERVED).log.body).toBe('hello');
    expect(parse('\ufeff{"msg":"first line"}', OBSERVED).log.body).toBe('first line');
    expect(parse('', OBSERVED).log).toMatchObject({ body: '', parseError: 'empty line', time: OBSERVED });
  });

  it('never throws on mangled sample lines, whatever the format (a bounded fuzz)', () => {
    const pieces = ['pino.log', 'nginx-combined.log', 'syslog-5424.log', 'java-logback.log', 'python-app.log', 'logfmt.log'].flatMap((f) => sampleText(f).split('\n'));
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const parsers = FORMATS.map((format) => createLineParser({ format, zone: 'Europe/Berlin' }));
    const joiner = new MultilineJoiner({ maxLines: 5 });
    let records = 0;
    for (let i = 0; i < 1500; i++) {
      const base = pieces[rand(pieces.length)]!;
      const at = rand(base.length + 1);
      const line = rand(2) === 0 ? base.slice(0, at) + String.fromCharCode(rand(0x3000)) + base.slice(at + 1) : base.slice(rand(at + 1), at);
      for (const text of joiner.push(line)) {
        for (const parse of parsers) {
          const { log } = parse(text, OBSERVED);
          expect(Number.isSafeInteger(log.time)).toBe(true);
          records++;
        }
      }
    }
    expect(records).toBeGreaterThan(5000);
  });
});

describe('config that cannot work fails when the parser is built, with a code', () => {
  const cases: Array<[ParserConfig, string]> = [
    [{ zone: 'Mars/Olympus_Mons' }, 'PARSE_BAD_ZONE'],
    [{ format: 'regex' }, 'PARSE_BAD_CONFIG'],
    [{ format: 'regex', pattern: '(?<time>[' }, 'PARSE_BAD_PATTERN'],
    [{ format: 'regex', pattern: '^(\\S+) (.*)$' }, 'PARSE_BAD_PATTERN'],
    [{ timeFormat: 'yyyy-MM-dd QQ' }, 'PARSE_BAD_TIME_FORMAT'],
    [{ format: 'nginx', logFormat: 'no variables here' }, 'PARSE_BAD_LOG_FORMAT'],
    [{ format: 'apache', logFormat: '%h %J' }, 'PARSE_BAD_LOG_FORMAT'],
    [{ format: 'xml' as LineFormat }, 'PARSE_BAD_CONFIG'],
  ];
  it.each(cases)('%j → %s', (config, code) => {
    let error: unknown;
    try {
      createLineParser(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParserConfigError);
    expect((error as ParserConfigError).code).toBe(code);
  });

  it('rejects a bad multiline config the same way', () => {
    expect(() => new MultilineJoiner({ startPattern: '(' })).toThrow(ParserConfigError);
    expect(() => new MultilineJoiner({ maxLines: 0 })).toThrow(/maxLines must be a positive integer/);
  });
});
