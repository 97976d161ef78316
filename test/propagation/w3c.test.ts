// W3C Trace Context: the spec's examples, its malformed cases, tracestate rules and truncation.
import { describe, expect, it } from 'vitest';
import { isValidSpanId, isValidTraceId } from '../../src/model/ids.js';
import {
  parseTraceparent,
  parseTracestate,
  TRACESTATE_MAX_LENGTH,
  truncateTracestate,
  w3c,
} from '../../src/propagation/w3c.js';
import type { Getter } from '../../src/propagation/types.js';
import { memberOfLength, OTHER_SPAN_ID, OTHER_TRACE_ID, outbound, SPAN_ID, TRACE_ID, traceparent, tracestateMembers } from './builders.js';

const TEN_KB = 10 * 1024;

describe('W3C traceparent: the spec examples', () => {
  it('reads a sampled traceparent with its tracestate', () => {
    const context = w3c.extract({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
    expect(context).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      traceFlags: 1,
      traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      format: 'w3c',
    });
  });

  it('reads an unsampled traceparent without tracestate', () => {
    const context = w3c.extract({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
    expect(context).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 0, format: 'w3c' });
    expect(context).not.toHaveProperty('traceState');
  });
});

describe('W3C traceparent: what is accepted', () => {
  it('trims spaces and tabs around the value', () => {
    expect(parseTraceparent(` \t${traceparent()}\t `)?.traceId).toBe(TRACE_ID);
  });

  it('accepts the same value repeated (a proxy that copied the header)', () => {
    expect(parseTraceparent([traceparent(), traceparent()])?.parentSpanId).toBe(SPAN_ID);
  });

  it('keeps the random flag (level 2) and drops reserved flag bits', () => {
    expect(parseTraceparent(traceparent({ flags: '02' }))?.traceFlags).toBe(0x02);
    expect(parseTraceparent(traceparent({ flags: '03' }))?.traceFlags).toBe(0x03);
    expect(parseTraceparent(traceparent({ flags: 'ff' }))?.traceFlags).toBe(0x03);
    expect(parseTraceparent(traceparent({ flags: '08' }))?.traceFlags).toBe(0x00);
  });

  it.each([
    ['01 of exactly 55 characters', traceparent({ version: '01' })],
    ['01 with extra fields after a dash', traceparent({ version: '01', suffix: '-what-the-future-will-be-like' })],
    ['cc with an extra field', traceparent({ version: 'cc', suffix: '-00ff' })],
    ['fe with a trailing dash only', traceparent({ version: 'fe', suffix: '-' })],
  ])('parses a future version by the version-00 rules: %s', (_name, value) => {
    const parsed = parseTraceparent(value);
    expect(parsed).toMatchObject({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 1 });
  });

  it('reports the version it read', () => {
    expect(parseTraceparent(traceparent({ version: 'cc' }))?.version).toBe(0xcc);
    expect(parseTraceparent(traceparent())?.version).toBe(0);
  });
});

const controlChar = (c: string): string => traceparent().slice(0, 20) + c + traceparent().slice(21);

/** Inbound traceparent values that must start a new trace. */
const MALFORMED_TRACEPARENTS: Array<[string, string | string[]]> = [
  ['empty', ''],
  ['whitespace only', '  \t '],
  ['version 00 too long', traceparent({ suffix: '-00' })],
  ['version 00 with one extra char', traceparent({ suffix: '0' })],
  ['too short by one', traceparent().slice(0, 54)],
  ['uppercase trace id', traceparent({ traceId: TRACE_ID.toUpperCase() })],
  ['uppercase parent id', traceparent({ spanId: 'B7AD6B7169203331' })],
  ['uppercase flags', traceparent({ flags: '0A' })],
  ['uppercase version', traceparent({ version: 'CC' })],
  ['all-zero trace id', traceparent({ traceId: '0'.repeat(32) })],
  ['all-zero parent id', traceparent({ spanId: '0'.repeat(16) })],
  ['version ff', traceparent({ version: 'ff' })],
  ['version ff with extra fields', traceparent({ version: 'ff', suffix: '-extra' })],
  ['future version longer without a dash', traceparent({ version: '01', suffix: 'x-extra' })],
  ['future version with a dot after flags', traceparent({ version: 'cc', suffix: '.what-the-future-will-not-be-like' })],
  ['future version shorter than 55', traceparent({ version: '01' }).slice(0, 54)],
  ['underscore separators', traceparent({ separator: '_' })],
  ['no separators', traceparent({ separator: '' })],
  ['separator shifted', `00-${TRACE_ID.slice(0, 31)}-${TRACE_ID.slice(31)}${SPAN_ID}-01`],
  ['trace id 31 hex', traceparent({ traceId: TRACE_ID.slice(1), suffix: '0' })],
  ['trace id 33 hex', traceparent({ traceId: `${TRACE_ID}a`, spanId: SPAN_ID.slice(1) })],
  ['parent id 15 hex', traceparent({ spanId: SPAN_ID.slice(1), flags: '011' })],
  ['flags of one digit', traceparent({ flags: '1', suffix: ' ' })],
  ['version of one digit', traceparent({ version: '0', suffix: '1' })],
  ['non-hex in trace id', traceparent({ traceId: `g${TRACE_ID.slice(1)}` })],
  ['non-hex in parent id', traceparent({ spanId: `${SPAN_ID.slice(0, 15)}z` })],
  ['non-hex flags', traceparent({ flags: '0x' })],
  ['10 KB of hex', 'a'.repeat(TEN_KB)],
  ['10 KB of dashes', '-'.repeat(TEN_KB)],
  ['version 00 followed by 10 KB', traceparent({ suffix: `-${'a'.repeat(TEN_KB)}` })],
  ['NUL inside', controlChar('\u0000')],
  ['newline inside', controlChar('\n')],
  ['DEL inside', controlChar('\u007f')],
  ['trailing newline', `${traceparent()}\n`],
  ['leading vertical tab', `\u000b${traceparent()}`],
  ['non-ASCII digit', controlChar('\u0661')],
  ['two different values', [traceparent(), traceparent({ traceId: OTHER_TRACE_ID })]],
  ['two values joined by a comma', `${traceparent()}, ${traceparent({ traceId: OTHER_TRACE_ID })}`],
  ['future version repeated with a comma', `${traceparent({ version: '01', suffix: '-x' })},${traceparent()}`],
];

describe('W3C traceparent: malformed values start a new trace', () => {
  it.each(MALFORMED_TRACEPARENTS)('%s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    // The tracestate that came with it is ignored too: extract yields nothing at all.
    expect(w3c.extract({ traceparent: value, tracestate: 'rojo=00f067aa0ba902b7' })).toBeUndefined();
  });

  it('treats a traceparent appended twice to fetch Headers as repeated', () => {
    const headers = new Headers({ TraceParent: traceparent() });
    expect(w3c.extract(headers)?.traceId).toBe(TRACE_ID);
    headers.append('traceparent', traceparent({ traceId: OTHER_TRACE_ID }));
    expect(w3c.extract(headers)).toBeUndefined();
  });

  it('has absent values as undefined', () => {
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent([])).toBeUndefined();
    expect(w3c.extract({})).toBeUndefined();
    expect(w3c.extract({ tracestate: 'rojo=1' })).toBeUndefined();
  });

  it('never throws, whatever the carrier or getter does', () => {
    const throwing: Getter<unknown> = {
      get() {
        throw new Error('boom');
      },
    };
    const weird: Getter<unknown> = { get: () => [{}, 42] as unknown as string[] };
    expect(w3c.extract({}, throwing)).toBeUndefined();
    expect(w3c.extract({}, weird)).toBeUndefined();
    expect(w3c.extract(null)).toBeUndefined();
    expect(w3c.extract('traceparent')).toBeUndefined();
    expect(w3c.extract({ traceparent: 42 })).toBeUndefined();
  });
});

describe('W3C tracestate', () => {
  const extractWith = (tracestate: string | string[]) => w3c.extract({ traceparent: traceparent(), tracestate });

  it('normalises optional whitespace and skips empty members', () => {
    expect(parseTracestate(' rojo=00f067aa0ba902b7 ,, \t congo=t61rcWkgMzE\t,')).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('combines repeated tracestate headers in order', () => {
    expect(extractWith(['rojo=1', 'congo=2,  ', 'fw529a3039@dt=3'])?.traceState).toBe('rojo=1,congo=2,fw529a3039@dt=3');
  });

  it.each([
    ['a simple key with every allowed character', 'a0_-*/z=1'],
    ['a multi-tenant key', 'tenant-1@vendor=1'],
    ['a tenant id starting with a digit', '9tenant@sys=1'],
    ['a 256-character simple key', `${'k'.repeat(256)}=1`],
    ['a 241-character tenant id', `${'t'.repeat(241)}@s=1`],
    ['a 14-character system id', `t@${'s'.repeat(14)}=1`],
    ['a 256-character value', `k=${'v'.repeat(256)}`],
    ['a value with inner and leading spaces', 'k= v a l'],
    ['a value with every allowed punctuation', 'k=!"#$%&\'()*+-./:;<>?@[\\]^_`{|}~'],
    ['32 members', tracestateMembers(32).join(',')],
  ])('accepts %s', (_name, value) => {
    expect(parseTracestate(value)).toBe(value);
    expect(extractWith(value)?.traceState).toBe(value);
  });

  it.each([
    ['33 members', tracestateMembers(33).join(',')],
    ['a duplicate key', 'rojo=1,congo=2,rojo=3'],
    ['a duplicate key across two headers', ['rojo=1', 'rojo=2']],
    ['junk', 'this is not a tracestate'],
    ['a member without =', 'rojo=1,congo'],
    ['an empty key', '=1'],
    ['an empty value', 'rojo='],
    ['an uppercase key', 'Rojo=1'],
    ['a key starting with a digit', '1rojo=1'],
    ['a key with a dot', 'ro.jo=1'],
    ['spaces around =', 'rojo = 1'],
    ['a 257-character simple key', `${'k'.repeat(257)}=1`],
    ['a 242-character tenant id', `${'t'.repeat(242)}@s=1`],
    ['a 15-character system id', `t@${'s'.repeat(15)}=1`],
    ['a system id starting with a digit', 't@1s=1'],
    ['two @ in a key', 'a@b@c=1'],
    ['a 257-character value', `k=${'v'.repeat(257)}`],
    ['= inside a value', 'k=a=b'],
    ['a control character in a value', 'k=a\u0001b'],
    ['a tab inside a value', 'k=a\tb'],
    ['a non-ASCII value', 'k=caf\u00e9'],
    ['10 KB of junk', 'x'.repeat(TEN_KB)],
    ['10 KB in one value', `k=${'v'.repeat(TEN_KB)}`],
  ])('discards the whole tracestate for %s, keeping traceparent', (_name, value) => {
    const context = extractWith(value);
    expect(context?.traceId).toBe(TRACE_ID);
    expect(context).not.toHaveProperty('traceState');
  });

  it('is absent when the header holds only separators', () => {
    expect(parseTracestate(' , ,\t,')).toBeUndefined();
    expect(extractWith(',,'.repeat(TEN_KB / 2))).not.toHaveProperty('traceState');
  });
});

describe('W3C inject', () => {
  it('writes version 00 with only the sampled and random flag bits', () => {
    const headers: Record<string, string> = {};
    w3c.inject(outbound({ traceFlags: 0xff }), headers);
    expect(headers).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` });
    w3c.inject(outbound({ traceFlags: 0 }), headers);
    expect(headers.traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('writes tracestate when present, normalised', () => {
    const headers: Record<string, string> = {};
    w3c.inject(outbound({ traceState: 'rojo=1 , congo=2' }), headers);
    expect(headers.tracestate).toBe('rojo=1,congo=2');
  });

  it('writes nothing for invalid IDs and drops an invalid tracestate', () => {
    const headers: Record<string, string> = {};
    w3c.inject(outbound({ traceId: '0'.repeat(32) }), headers);
    w3c.inject(outbound({ spanId: 'xyz' }), headers);
    expect(headers).toEqual({});
    w3c.inject(outbound({ traceState: 'Rojo=1' }), headers);
    expect(headers).toEqual({ traceparent: traceparent() });
  });

  it('round-trips through a fetch Headers object', () => {
    const headers = new Headers();
    w3c.inject(outbound({ traceId: OTHER_TRACE_ID, spanId: OTHER_SPAN_ID, traceFlags: 1, traceState: 'congo=t61rcWkgMzE' }), headers);
    expect(w3c.extract(headers)).toEqual({
      traceId: OTHER_TRACE_ID,
      parentSpanId: OTHER_SPAN_ID,
      traceFlags: 1,
      traceState: 'congo=t61rcWkgMzE',
      format: 'w3c',
    });
  });

  it('never throws when the setter does', () => {
    const carrier = Object.freeze({});
    expect(() => w3c.inject(outbound(), carrier, { set: () => { throw new Error('read-only'); } })).not.toThrow();
  });
});

describe('W3C tracestate truncation at 512 characters', () => {
  const injectState = (members: string[]): string | undefined => {
    const headers: Record<string, string> = {};
    w3c.inject(outbound({ traceState: members.join(',') }), headers);
    return headers.tracestate;
  };

  it('leaves a tracestate of exactly 512 characters alone', () => {
    const members = [memberOfLength('a', 100), memberOfLength('b', 100), memberOfLength('c', 100), memberOfLength('d', 100), memberOfLength('e', 108)];
    expect(members.join(',').length).toBe(TRACESTATE_MAX_LENGTH);
    expect(injectState(members)).toBe(members.join(','));
  });

  it('drops members from the right until it fits', () => {
    const members = [memberOfLength('a', 120), memberOfLength('b', 120), memberOfLength('c', 120), memberOfLength('d', 120), memberOfLength('e', 120)];
    expect(injectState(members)).toBe(members.slice(0, 4).join(','));
  });

  it('drops members over 128 characters first, rightmost first, and stops once it fits', () => {
    const long1 = memberOfLength('long1', 150);
    const long2 = memberOfLength('long2', 150);
    const small = ['a', 'b', 'c'].map((key) => memberOfLength(key, 100));
    const members = [long1, small[0]!, long2, small[1]!, small[2]!];
    expect(members.join(',').length).toBe(604);
    expect(truncateTracestate(members)).toEqual([long1, small[0], small[1], small[2]]);
    expect(injectState(members)).toBe([long1, ...small].join(','));
  });

  it('keeps dropping from the right after the long members are gone', () => {
    const members = [memberOfLength('a', 200), ...['b', 'c', 'd', 'e', 'f', 'g'].map((key) => memberOfLength(key, 100))];
    const kept = truncateTracestate(members);
    expect(kept).toEqual(members.slice(1, 6));
    expect(kept.join(',').length).toBeLessThanOrEqual(TRACESTATE_MAX_LENGTH);
  });

  it('may end up with nothing to send', () => {
    expect(truncateTracestate([memberOfLength('a', 300)], 100)).toEqual([]);
  });
});

describe('W3C extract under random input', () => {
  // A small seeded generator so a failure reproduces.
  function* random(seed: number): Generator<number> {
    let state = seed >>> 0;
    for (;;) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      yield state / 2 ** 32;
    }
  }

  it('never throws and only ever returns valid IDs', () => {
    const alphabet = '0123456789abcdefABCDEF-_, \t\u0000\n=@g';
    const rng = random(20240601);
    const next = (): number => rng.next().value as number;
    const base = traceparent();
    for (let i = 0; i < 5000; i++) {
      const chars = [...base];
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) chars[Math.floor(next() * chars.length)] = alphabet[Math.floor(next() * alphabet.length)]!;
      const value = next() < 0.1 ? chars.join('') + alphabet[Math.floor(next() * alphabet.length)] : chars.join('');
      const context = w3c.extract({ traceparent: value, tracestate: value });
      if (context === undefined) continue;
      expect(isValidTraceId(context.traceId)).toBe(true);
      expect(isValidSpanId(context.parentSpanId)).toBe(true);
    }
  });
});
