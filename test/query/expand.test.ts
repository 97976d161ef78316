// Wildcard and fuzzy terms expanded against a store's vocabulary: what matches, what is asked, the caps.
import { describe, expect, it } from 'vitest';
import type { SearchPlan, SearchTerm } from '../../src/model/search-plan.js';
import { MAX_EXPANDED_TERMS, planQuery, QueryError, VOCABULARY_SCAN_LIMIT } from '../../src/query/index.js';
import { numbered, WordList } from './word-list.js';

const words = () =>
  new WordList({
    msg: ['connect', 'connected', 'connection', 'payment', 'payments', 'paymnt', 'refused', 'retry', 'timeout', 'b', 'ab', 'abc', 'xb'],
    service: ['cart', 'checkout', 'inventory', 'payments'],
    host: ['db-1', 'web-1', 'web-2'],
  });

const exact = (field: SearchTerm['field'], ...values: string[]): SearchTerm => ({ field, values, match: 'exact' });
const only = (term: SearchTerm): SearchPlan => ({ all: [[term]], none: [] });

const EXPANSIONS: [string, SearchPlan][] = [
  ['conn*', only(exact('msg', 'connect', 'connected', 'connection'))],
  ['Conn*', only(exact('msg', 'connect', 'connected', 'connection'))],
  ['connection*', only(exact('msg', 'connection'))],
  ['c*ed', only(exact('msg', 'connected'))],
  ['*ment', only(exact('msg', 'payment'))],
  ['*ment*', only(exact('msg', 'payment', 'payments'))],
  ['pay*ts', only(exact('msg', 'payments'))],
  ['paymnt~1', only(exact('msg', 'payment', 'paymnt'))],
  ['pamyent~1', only(exact('msg', 'payment'))],
  ['paymnet~2', only(exact('msg', 'payment', 'payments', 'paymnt'))],
  ['tiemout~1', only(exact('msg', 'timeout'))],
  ['ab~1', only(exact('msg', 'ab', 'abc', 'b', 'xb'))],
  ['service:check*', only(exact('service', 'checkout'))],
  ['service:*out', only(exact('service', 'checkout'))],
  ['service:c*', only(exact('service', 'cart', 'checkout'))],
  ['service:*', only(exact('service', 'cart', 'checkout', 'inventory', 'payments'))],
  ['service:inventroy~1', only(exact('service', 'inventory'))],
  ['service:chekout~1', only(exact('service', 'checkout'))],
  ['host:web-*', only(exact('host', 'web-1', 'web-2'))],
  ['host:*-1', only(exact('host', 'db-1', 'web-1'))],
  // no match: a required term that can never hold; an exclusion that excludes nothing
  ['zzz*', only(exact('msg'))],
  ['service:nope~1', only(exact('service'))],
  ['timeout -zzz*', { all: [[exact('msg', 'timeout')]], none: [] }],
  ['service:zzz* service:cart', only(exact('service', 'cart'))],
  // an expansion joins its field's OR group
  ['service:check* service:cart', only(exact('service', 'checkout', 'cart'))],
  ['-conn*', { all: [], none: [exact('msg', 'connect', 'connected', 'connection')] }],
];

describe('wildcard and fuzzy expansion', () => {
  it.each(EXPANSIONS)('%j', async (query, expected) => {
    expect(await planQuery(query, { vocabulary: words() })).toEqual(expected);
  });

  it('asks the vocabulary for the text before the first *, and one word more than it may use', async () => {
    const vocabulary = words();
    await planQuery('conn* service:ch*t host:*-1', { vocabulary, maxExpansions: 20 });
    expect(vocabulary.calls).toEqual([
      { field: 'msg', prefix: 'conn', limit: 21 },
      { field: 'service', prefix: 'ch', limit: VOCABULARY_SCAN_LIMIT + 1 },
      { field: 'host', prefix: '', limit: VOCABULARY_SCAN_LIMIT + 1 },
    ]);
  });

  it('fetches fuzzy candidates under the first letter, or under nothing for a short term', async () => {
    const vocabulary = words();
    await planQuery('paymnt~1 ab~1', { vocabulary });
    expect(vocabulary.calls.map((c) => c.prefix)).toEqual(['p', '']);
  });

  it('does not find an edit in the first letter of a fuzzy term of four or more letters', async () => {
    expect(await planQuery('xayment~1', { vocabulary: words() })).toEqual(only(exact('msg')));
  });

  it('fetches under the first two letters when the first starts too many words', async () => {
    const vocabulary = new WordList({ msg: [...numbered('pz', VOCABULARY_SCAN_LIMIT + 10), 'payment'] });
    expect(await planQuery('paymnt~1', { vocabulary })).toEqual(only(exact('msg', 'payment')));
    expect(vocabulary.calls.map((c) => c.prefix)).toEqual(['p', 'pa']);
  });

  it('fetches the words under one prefix once per query', async () => {
    const vocabulary = words();
    expect(await planQuery('host:*-1 host:*-2 -host:db*', { vocabulary })).toEqual({
      all: [[exact('host', 'db-1', 'web-1', 'web-2')]],
      none: [exact('host', 'db-1')],
    });
    expect(vocabulary.calls.map((c) => c.prefix)).toEqual(['', 'db']);
  });

  it('asks nothing for exact terms or for fields with no vocabulary', async () => {
    const vocabulary = words();
    await planQuery('timeout service:cart level:err* trace:4bf92f35* attr.user:ann*', { vocabulary });
    expect(vocabulary.calls).toEqual([]);
  });

  it('matches store words exactly, whatever the store returned for the prefix', async () => {
    const sloppy = { vocabulary: async () => ['Connection', 'conn', 'connect', 'disconnect'] };
    expect(await planQuery('conn*', { vocabulary: sloppy })).toEqual(only(exact('msg', 'conn', 'connect')));
  });
});

describe('too broad', () => {
  const big = () => new WordList({ msg: numbered('w', 200), service: numbered('svc-', 200) });

  it('turns a trailing wildcard past maxExpansions into a prefix match', async () => {
    expect(await planQuery('w001*', { vocabulary: big(), maxExpansions: 50 })).toEqual(
      only(exact('msg', ...Array.from({ length: 10 }, (_, i) => `w001${i}`))),
    );
    expect(await planQuery('w0*', { vocabulary: big(), maxExpansions: 50 })).toEqual(
      only({ field: 'msg', values: ['w0'], match: 'prefix' }),
    );
    expect(await planQuery('service:svc-*', { vocabulary: big(), maxExpansions: 100 })).toEqual(
      only({ field: 'service', values: ['svc-'], match: 'prefix' }),
    );
  });

  it('uses the default of 100 expansions', async () => {
    const hundred = new WordList({ msg: numbered('w', 100) });
    expect((await planQuery('w*', { vocabulary: hundred })).all[0]?.[0]?.values).toHaveLength(100);
    expect(await planQuery('w*', { vocabulary: big() })).toEqual(only({ field: 'msg', values: ['w'], match: 'prefix' }));
  });

  it('refuses a wildcard inside a term past maxExpansions, naming the term', async () => {
    await expect(planQuery('w*0', { vocabulary: big(), maxExpansions: 10 })).rejects.toMatchObject({
      code: 'QUERY_TOO_BROAD',
      message: '"w*0" matches more than 10 words; make it more specific.',
      token: 'w*0',
      position: 0,
    });
  });

  it('refuses a fuzzy term past maxExpansions, naming the term', async () => {
    await expect(planQuery('timeout service:svc-0100~1', { vocabulary: big(), maxExpansions: 5 })).rejects.toMatchObject({
      code: 'QUERY_TOO_BROAD',
      message: '"service:svc-0100~1" matches more than 5 words; make it more specific.',
      position: 8,
    });
  });

  it('refuses a leading wildcard when the vocabulary is too large to compare with', async () => {
    const huge = new WordList({ msg: numbered('w', VOCABULARY_SCAN_LIMIT + 1) });
    await expect(planQuery('*0', { vocabulary: huge })).rejects.toMatchObject({
      code: 'QUERY_TOO_BROAD',
      message: `"*0" would have to be compared with more than ${VOCABULARY_SCAN_LIMIT} known words; put more letters before the first *.`,
    });
    // the same vocabulary is fine for a trailing wildcard, which becomes a prefix match
    expect(await planQuery('w0*', { vocabulary: huge })).toEqual(only({ field: 'msg', values: ['w0'], match: 'prefix' }));
  });

  it('refuses a short fuzzy term when the vocabulary is too large to compare with', async () => {
    const huge = new WordList({ msg: numbered('w', VOCABULARY_SCAN_LIMIT + 1) });
    await expect(planQuery('ab~1', { vocabulary: huge })).rejects.toMatchObject({
      code: 'QUERY_TOO_BROAD',
      message: `"ab~1" would have to be compared with more than ${VOCABULARY_SCAN_LIMIT} known words; use a longer term, fewer edits, or a trailing wildcard.`,
    });
  });

  it(`refuses more than ${MAX_EXPANDED_TERMS} terms to expand`, async () => {
    const query = Array.from({ length: MAX_EXPANDED_TERMS + 1 }, (_, i) => `w${String(i).padStart(3, '0')}*`).join(' ');
    await expect(planQuery(query, { vocabulary: big() })).rejects.toMatchObject({
      code: 'QUERY_TOO_BROAD',
      message: `The query has more than ${MAX_EXPANDED_TERMS} wildcard or fuzzy terms to expand.`,
    });
  });
});

describe('without a vocabulary', () => {
  it('keeps trailing wildcards as prefix matches', async () => {
    expect(await planQuery('conn* service:check*', {})).toEqual({
      all: [[{ field: 'msg', values: ['conn'], match: 'prefix' }], [{ field: 'service', values: ['check'], match: 'prefix' }]],
      none: [],
    });
  });

  it.each([
    ['serv*ce', '"serv*ce" needs the list of known words to expand, which this search cannot reach; use an exact term or a trailing wildcard such as conn*.'],
    ['paymnt~1', '"paymnt~1" needs the list of known words to expand, which this search cannot reach; use an exact term or a trailing wildcard such as conn*.'],
    ['host:*-1', '"host:*-1" needs the list of known words to expand, which this search cannot reach; use an exact term or a trailing wildcard such as conn*.'],
  ])('refuses %j', async (query, message) => {
    await expect(planQuery(query, {})).rejects.toMatchObject({ code: 'QUERY_NEEDS_VOCABULARY', message });
  });
});

/** Optimal string alignment distance: edits of which none touches a letter twice. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Damerau–Levenshtein distance (adjacent swaps, and edits between swapped letters, allowed). */
function damerau(a: string, b: string): number {
  const max = a.length + b.length;
  const d = Array.from({ length: a.length + 2 }, () => new Array<number>(b.length + 2).fill(0));
  const set = (i: number, j: number, v: number) => ((d[i] as number[])[j] = v);
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  const last: Record<string, number> = {};
  set(0, 0, max);
  for (let i = 0; i <= a.length; i++) (set(i + 1, 0, max), set(i + 1, 1, i));
  for (let j = 0; j <= b.length; j++) (set(0, j + 1, max), set(1, j + 1, j));
  for (let i = 1; i <= a.length; i++) {
    let lastMatch = 0;
    for (let j = 1; j <= b.length; j++) {
      const k = last[b[j - 1] as string] ?? 0;
      const l = lastMatch;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      if (cost === 0) lastMatch = j;
      set(i + 1, j + 1, Math.min(at(i, j) + cost, at(i + 1, j) + 1, at(i, j + 1) + 1, at(k, l) + (i - k - 1) + 1 + (j - l - 1)));
    }
    last[a[i - 1] as string] = i;
  }
  return at(a.length + 1, b.length + 1);
}

describe('fuzzy matching against a reference distance', () => {
  it('finds every word within the edit distance (first letter kept for 4+ letters) and nothing beyond it', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const word = () => Array.from({ length: 1 + random(6) }, () => 'abc'[random(3)]).join('');
    for (let round = 0; round < 300; round++) {
      const vocabulary = Array.from({ length: 40 }, word);
      const term = word();
      const distance = 1 + random(2);
      const plan = await planQuery(`${term}~${distance}`, { vocabulary: new WordList({ msg: vocabulary }), maxExpansions: 1000 });
      const found = new Set(plan.all[0]?.[0]?.values);
      for (const w of new Set(vocabulary)) {
        const reachable = term.length <= 3 || w[0] === term[0];
        if (reachable && osa(term, w) <= distance) expect(found, `${term}~${distance} should find ${w}`).toContain(w);
        if (found.has(w)) expect(damerau(term, w), `${term}~${distance} found ${w}`).toBeLessThanOrEqual(distance);
      }
    }
  });
});

it('reports store failures as they are, not as query errors', async () => {
  const broken = { vocabulary: async () => Promise.reject(new Error('database is locked')) };
  const error = await planQuery('conn*', { vocabulary: broken }).catch((e: unknown) => e);
  expect(error).not.toBeInstanceOf(QueryError);
  expect(error).toMatchObject({ message: 'database is locked' });
});
