// Bad queries: each becomes a QueryError whose message names the problem, and nothing else ever escapes.
import lunr from 'lunr';
import { describe, expect, it } from 'vitest';
import { LogstitchError } from '../../src/model/errors.js';
import { MAX_CLAUSES, MAX_QUERY_LENGTH, planQuery, QueryError, type QueryErrorCode } from '../../src/query/index.js';
import { WordList } from './word-list.js';

const PLUS_MINUS = '+ and - go right before a term or field, e.g. +timeout -service:cart; to search for a literal + or -, escape it: \\-';
const TILDE = '~ and a number of edits (1 or 2) go right after a term, e.g. paymnt~1';
const CARET = '^ and a number go right after a term, e.g. timeout^10 (boosts are accepted and ignored)';
const FIELDS = "possible fields: 'msg', 'service', 'level', 'host', 'trace', 'span'; or attr.NAME for a log attribute (NAME of letters, digits, _ . -).";
const LEVELS = 'the levels are trace, debug, info, warn (or warning), error, fatal.';

const BAD: [string, QueryErrorCode, string][] = [
  // fields
  ['foo:bar', 'QUERY_UNKNOWN_FIELD', `Unknown field "foo" in "foo:bar": unrecognised field 'foo', ${FIELDS}`],
  ['timeout Service:checkout', 'QUERY_UNKNOWN_FIELD', `Unknown field "Service" in "Service:checkout": unrecognised field 'Service', ${FIELDS}`],
  ['message:timeout', 'QUERY_UNKNOWN_FIELD', `Unknown field "message" in "message:timeout": unrecognised field 'message', ${FIELDS}`],
  [':x', 'QUERY_UNKNOWN_FIELD', `Unknown field "" in ":x": unrecognised field '', ${FIELDS}`],
  ['x:', 'QUERY_UNKNOWN_FIELD', `Unknown field "x" in "x:": unrecognised field 'x', ${FIELDS}`],
  ['::', 'QUERY_UNKNOWN_FIELD', `Unknown field "" in "::": unrecognised field '', ${FIELDS}`],
  ['${jndi:ldap://x}', 'QUERY_UNKNOWN_FIELD', `Unknown field "\${jndi" in "\${jndi:ldap://x}": unrecognised field '\${jndi', ${FIELDS}`],
  [
    'attr.a$b:1',
    'QUERY_UNKNOWN_FIELD',
    "Unknown field \"attr.a$b\" in \"attr.a$b:1\": unrecognised field 'attr.a$b', possible fields: 'msg', 'service', 'level', 'host', 'trace', 'span'; an attribute name may hold only letters, digits, _ . -.",
  ],
  [
    'attr.:1',
    'QUERY_UNKNOWN_FIELD',
    "Unknown field \"attr.\" in \"attr.:1\": unrecognised field 'attr.', possible fields: 'msg', 'service', 'level', 'host', 'trace', 'span'; an attribute name may hold only letters, digits, _ . -.",
  ],
  // missing values and stray operators (lunr's message, then ours)
  ['service:', 'QUERY_PARSE', 'Cannot parse the query near "service:" (character 1): expecting term, found nothing. A field needs a value right after the colon, e.g. service:checkout'],
  ['timeout level:', 'QUERY_PARSE', 'Cannot parse the query near "level:" (character 9): expecting term, found nothing. A field needs a value right after the colon, e.g. service:checkout'],
  ['+', 'QUERY_PARSE', `Cannot parse the query near "+" (character 1): expecting term or field, found nothing. ${PLUS_MINUS}`],
  ['-', 'QUERY_PARSE', `Cannot parse the query near "-" (character 1): expecting term or field, found nothing. ${PLUS_MINUS}`],
  ['timeout -', 'QUERY_PARSE', `Cannot parse the query near "-" (character 9): expecting term or field, found nothing. ${PLUS_MINUS}`],
  ['+-timeout', 'QUERY_PARSE', `Cannot parse the query near "+-timeout" (character 1): expecting term or field, found 'PRESENCE'. ${PLUS_MINUS}`],
  ['--', 'QUERY_PARSE', `Cannot parse the query near "--" (character 1): expecting term or field, found 'PRESENCE'. ${PLUS_MINUS}`],
  ["'; DROP TABLE logs; --", 'QUERY_PARSE', `Cannot parse the query near "--" (character 21): expecting term or field, found 'PRESENCE'. ${PLUS_MINUS}`],
  ['~', 'QUERY_PARSE', `Cannot parse the query near "~" (character 1): expected either a field or a term, found EDIT_DISTANCE. ${TILDE}`],
  ['~1', 'QUERY_PARSE', `Cannot parse the query near "~1" (character 1): expected either a field or a term, found EDIT_DISTANCE with value '1'. ${TILDE}`],
  ['foo~', 'QUERY_PARSE', `Cannot parse the query near "foo~" (character 1): edit distance must be numeric. ${TILDE}`],
  ['foo~x', 'QUERY_PARSE', `Cannot parse the query near "foo~x" (character 1): edit distance must be numeric. ${TILDE}`],
  ['^', 'QUERY_PARSE', `Cannot parse the query near "^" (character 1): expected either a field or a term, found BOOST. ${CARET}`],
  ['foo^', 'QUERY_PARSE', `Cannot parse the query near "foo^" (character 1): boost must be numeric. ${CARET}`],
  ['service:-cart', 'QUERY_PARSE', "Cannot parse the query near \"service:-cart\" (character 1): expecting term, found 'PRESENCE'. Put + or - before the field, e.g. -service:cart, or escape it: service:\\-cart"],
  ['msg:http://host', 'QUERY_PARSE', "Cannot parse the query near \"msg:http://host\" (character 1): expecting term, found 'FIELD'. A value cannot contain an unescaped colon; write it as \\: (e.g. attr.url:http\\://host)"],
  ['service::checkout', 'QUERY_PARSE', "Cannot parse the query near \"service::checkout\" (character 1): expecting term, found 'FIELD'. A value cannot contain an unescaped colon; write it as \\: (e.g. attr.url:http\\://host)"],
  // values
  ['level:loud', 'QUERY_BAD_VALUE', `"level:loud" is not a level; ${LEVELS}`],
  ['level:LOUD', 'QUERY_BAD_VALUE', `"level:LOUD" is not a level; ${LEVELS}`],
  ['level:error;', 'QUERY_BAD_VALUE', `"level:error;" is not a level; ${LEVELS}`],
  ['level:constructor', 'QUERY_BAD_VALUE', `"level:constructor" is not a level; ${LEVELS}`],
  ['level:__proto__', 'QUERY_BAD_VALUE', `"level:__proto__" is not a level; ${LEVELS}`],
  ['level:x*', 'QUERY_BAD_VALUE', `"level:x*" is not a level; ${LEVELS}`],
  ['level:loud~1', 'QUERY_BAD_VALUE', `"level:loud~1" is not a level; ${LEVELS}`],
  ['service:\\', 'QUERY_BAD_VALUE', '"service:\\" has no value; write service:VALUE.'],
  ['trace:\\', 'QUERY_BAD_VALUE', '"trace:\\" has no value; write trace:VALUE.'],
  ['trace:xyz*', 'QUERY_BAD_VALUE', '"trace:xyz*": a trace prefix is the first hex digits of a trace ID, e.g. trace:4bf92f35*.'],
  [`trace:${'a'.repeat(33)}*`, 'QUERY_BAD_VALUE', `"trace:${'a'.repeat(33)}*": a trace prefix is the first hex digits of a trace ID, e.g. trace:4bf92f35*.`],
  ['trace:4bf*92', 'QUERY_BAD_VALUE', '"trace:4bf*92": trace takes a trace ID, a request ID, or the first hex digits of a trace ID and a trailing * (trace:4bf92f35*).'],
  ['trace:abc-123~1', 'QUERY_BAD_VALUE', '"trace:abc-123~1": fuzzy matching (~N) works on msg, service, host and level, not on trace.'],
  [`trace:${'x'.repeat(257)}`, 'QUERY_BAD_VALUE', `"trace:${'x'.repeat(257)}" is not a trace ID or request ID (at most 256 printable characters).`],
  ['trace:a\u0001b', 'QUERY_BAD_VALUE', '"trace:a\\u0001b" is not a trace ID or request ID (at most 256 printable characters).'],
  ['span:xyz', 'QUERY_BAD_VALUE', '"span:xyz": span takes a 16-hex span ID (span:00f067aa0ba902b7) or its first hex digits and a trailing * (span:00f067aa*).'],
  ['span:00f067aa0ba902b', 'QUERY_BAD_VALUE', '"span:00f067aa0ba902b": span takes a 16-hex span ID (span:00f067aa0ba902b7) or its first hex digits and a trailing * (span:00f067aa*).'],
  ['span:00f067aa0ba902b7~1', 'QUERY_BAD_VALUE', '"span:00f067aa0ba902b7~1": fuzzy matching (~N) works on msg, service, host and level, not on span.'],
  ['attr.user:a*b', 'QUERY_BAD_VALUE', '"attr.user:a*b": attribute values take only a trailing wildcard, e.g. attr.user:A-1*.'],
  ['attr.user:ann~1', 'QUERY_BAD_VALUE', '"attr.user:ann~1": fuzzy matching (~N) works on msg, service, host and level, not on attr.user.'],
  // wildcards and fuzzy terms
  ['foo~3', 'QUERY_BAD_VALUE', '"foo~3" asks for 3 edits; fuzzy terms allow ~1 or ~2.'],
  ['service:cart~9', 'QUERY_BAD_VALUE', '"service:cart~9" asks for 9 edits; fuzzy terms allow ~1 or ~2.'],
  ['pay*~1', 'QUERY_BAD_VALUE', '"pay*~1" is both a wildcard and fuzzy; use one of * or ~N.'],
  ['*a*b*c*d', 'QUERY_BAD_VALUE', '"*a*b*c*d" has 4 wildcards; a term may have at most 3.'],
  [`${'x'.repeat(33)}~1`, 'QUERY_BAD_VALUE', `"${'x'.repeat(33)}~1" is too long for fuzzy matching (at most 32 characters).`],
  [
    '-connection-refused',
    'QUERY_BAD_VALUE',
    '"connection-refused" holds 2 words (connection, refused); excluding lines that hold all of them cannot be expressed, so exclude one word, e.g. -refused.',
  ],
  // size
  ['a'.repeat(MAX_QUERY_LENGTH + 1), 'QUERY_TOO_LONG', `The query is ${MAX_QUERY_LENGTH + 1} characters long; a search may have at most ${MAX_QUERY_LENGTH}.`],
  [Array.from({ length: MAX_CLAUSES + 1 }, (_, i) => `w${i}`).join(' '), 'QUERY_TOO_LONG', `The query has ${MAX_CLAUSES + 1} terms; a search may have at most ${MAX_CLAUSES}.`],
];

describe('bad queries', () => {
  it.each(BAD)('%j → %s', async (query, code, message) => {
    const error = await planQuery(query, { vocabulary: new WordList({}) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toBeInstanceOf(LogstitchError);
    expect(error).toMatchObject({ code, message, name: 'QueryError' });
  });

  it('points at the offending token for highlighting', async () => {
    await expect(planQuery('timeout level:loud', {})).rejects.toMatchObject({ token: 'level:loud', position: 8 });
    await expect(planQuery('timeout foo:bar', {})).rejects.toMatchObject({ token: 'foo:bar', position: 8 });
    await expect(planQuery('a b -', {})).rejects.toMatchObject({ token: '-', position: 4 });
  });

  it('keeps lunr\'s parse error as the cause', async () => {
    const error = await planQuery('foo:bar', {}).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({ name: 'QueryParseError', start: 0, end: 3 });
  });

  it.each([
    [{ from: Number.NaN }, '"from" must be a time (µs since the epoch), not NaN.'],
    [{ to: Number.POSITIVE_INFINITY }, '"to" must be a time (µs since the epoch), not Infinity.'],
    [{ from: 2, to: 1 }, 'The time range ends before it starts; swap from and to.'],
  ])('refuses the range %j', async (range, message) => {
    await expect(planQuery('', range)).rejects.toMatchObject({ code: 'QUERY_BAD_RANGE', message });
  });

  it('refuses a query that is not text', async () => {
    await expect(planQuery(['timeout'] as unknown as string, {})).rejects.toMatchObject({
      code: 'QUERY_PARSE',
      message: 'The query must be text.',
    });
  });
});

describe('hostile text', () => {
  const WEIRD = ['(', ')', '[', ']', '{', '}', '"', "'", '`', '\\', '/', ';', '%', '$', '&', '|', '!', '?', '<', '>', '=', ',', '.'];

  it.each([
    '(timeout', 'timeout)', '[a TO b]', '{', '"unterminated', "'", '\\\\', 'a\\', '%', '$where', '\u0000', '\u202e', '🔥',
    'a'.repeat(MAX_QUERY_LENGTH), "1' OR '1'='1", 'service:x;DELETE', '*', '**', 'service:**',
  ])('%j gives a plan of plain values', async (query) => {
    const plan = await planQuery(query, {});
    for (const term of [...plan.all.flat(), ...plan.none]) {
      expect(['exact', 'prefix']).toContain(term.match);
      for (const value of term.values) expect(typeof value).toBe('string');
    }
  });

  it('shows control characters in messages as escapes', async () => {
    const error = await planQuery('foo\u001b[31m:bar', {}).catch((e: unknown) => e);
    expect((error as Error).message).toContain('"foo\\u001b[31m"');
    expect((error as Error).message).not.toContain('\u001b');
    const bidi = await planQuery('level:\u202eerror', {}).catch((e: unknown) => e);
    expect((bidi as Error).message).toContain('"level:\\u202eerror"');
  });

  it('never throws anything but a QueryError, for thousands of random queries', async () => {
    const pieces = [...WEIRD, '+', '-', '~', '^', '*', ':', ' ', '1', '2', 'a', 'B', 'é', 'service', 'level', 'trace', 'span', 'attr.x', 'msg', 'error', '4bf92f35'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const vocabulary = new WordList({ msg: ['a', 'ab', 'b2', 'error'], service: ['a', 'b'], host: ['h'] });
    for (let i = 0; i < 3000; i++) {
      const query = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('');
      const outcome = await planQuery(query, { vocabulary }).catch((e: unknown) => e);
      if (outcome instanceof Error) {
        expect(outcome, `${JSON.stringify(query)} threw ${String(outcome)}`).toBeInstanceOf(QueryError);
        expect((outcome as QueryError).message.length).toBeGreaterThan(10);
      } else {
        expect(outcome).toMatchObject({ all: expect.any(Array), none: expect.any(Array) });
      }
    }
  });
});

describe('lunr is left as found', () => {
  const lexer = (lunr as unknown as { QueryLexer: { termSeparator: RegExp } }).QueryLexer;

  it('restores the lexer separator after a plan and after an error', async () => {
    const before = lexer.termSeparator;
    await planQuery('trace:abc-123 -retry', {});
    expect(lexer.termSeparator).toBe(before);
    await planQuery('foo:bar', {}).catch(() => undefined);
    expect(lexer.termSeparator).toBe(before);
    expect(lunr.tokenizer('abc-123').map(String)).toEqual(['abc', '123']);
  });
});
