// Wildcard and fuzzy terms on msg, service and host → the store's words they match, via lunr's TokenSet.
import type { SearchTerm } from '../model/search-plan.js';
import { QueryError } from './errors.js';
import { buildVocabulary, type TermPattern, type Vocabulary } from './lunr-api.js';
import type { TermShape } from './patterns.js';
import type { Clause } from './syntax.js';

export type VocabularyField = 'msg' | 'service' | 'host';

/** Where the words of a field come from; the Store's `vocabulary` method fits. */
export interface VocabularySource {
  /** Known values of `field` starting with `prefix`, at most `limit` of them. */
  vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]>;
}

/**
 * Most words fetched to match one wildcard-inside or fuzzy term. Building lunr's TokenSet costs ~15 µs
 * a word, so this keeps a term under ~100 ms; a term that needs more is too broad.
 */
export const VOCABULARY_SCAN_LIMIT = 5000;
/** Most wildcard or fuzzy terms one query may send to the store's vocabulary. */
export const MAX_EXPANDED_TERMS = 8;

/** Words fetched for one (field, prefix, limit), and their TokenSet once a pattern needs it. */
interface Fetched {
  words: string[];
  vocabulary?: Vocabulary;
}

export class Expander {
  private expanded = 0;
  /** Per query: terms under the same prefix (`*a*`, `*b*`) share one fetch and one TokenSet. */
  private readonly fetched = new Map<string, Promise<Fetched>>();

  constructor(
    private readonly source: VocabularySource | undefined,
    private readonly maxExpansions: number,
  ) {}

  /** The term for one value (a message token, a service or host name) of the given shape. */
  async expand(field: VocabularyField, shape: TermShape, clause: Clause): Promise<SearchTerm> {
    if (shape.kind !== 'literal' && this.source !== undefined) {
      this.expanded += 1;
      if (this.expanded > MAX_EXPANDED_TERMS) {
        throw tooBroad(clause, `The query has more than ${MAX_EXPANDED_TERMS} wildcard or fuzzy terms to expand`);
      }
    }
    switch (shape.kind) {
      case 'literal':
        return { field, values: [shape.value], match: 'exact' };
      case 'prefix':
        return this.expandPrefix(field, shape.prefix);
      case 'wildcard':
        return this.expandScanned(field, { wildcard: shape.pattern }, [shape.literalPrefix], clause);
      case 'fuzzy':
        return this.expandScanned(
          field,
          { fuzzy: shape.term, editDistance: shape.editDistance },
          fuzzyPrefixes(shape.term),
          clause,
        );
    }
  }

  /** `conn*`: the words if there are few, else a prefix match the store runs natively. */
  private async expandPrefix(field: VocabularyField, prefix: string): Promise<SearchTerm> {
    const asPrefix: SearchTerm = { field, values: [prefix], match: 'prefix' };
    if (this.source === undefined) return asPrefix;
    const fetched = await this.fetch(field, prefix, this.maxExpansions);
    if (fetched.words.length > this.maxExpansions) return asPrefix;
    return { field, values: match(fetched, { wildcard: `${prefix}*` }), match: 'exact' };
  }

  /**
   * `serv*ce`, `*tion`, `paymnt~1`: fetch the words under a literal prefix and keep those lunr's TokenSet
   * matches. Each prefix in `prefixes` is tried in turn until one fetch is complete (a longer prefix
   * fetches fewer words but, for a fuzzy term, misses edits inside it).
   */
  private async expandScanned(
    field: VocabularyField,
    pattern: TermPattern,
    prefixes: string[],
    clause: Clause,
  ): Promise<SearchTerm> {
    if (this.source === undefined) {
      throw new QueryError(
        'QUERY_NEEDS_VOCABULARY',
        `"${clause.source}" needs the list of known words to expand, which this search cannot reach; ` +
          'use an exact term or a trailing wildcard such as conn*.',
        { token: clause.source, position: clause.position },
      );
    }
    for (const prefix of prefixes) {
      const fetched = await this.fetch(field, prefix, VOCABULARY_SCAN_LIMIT);
      if (fetched.words.length > VOCABULARY_SCAN_LIMIT) continue;
      const values = match(fetched, pattern);
      if (values.length > this.maxExpansions) {
        throw tooBroad(clause, `"${clause.source}" matches more than ${this.maxExpansions} words; make it more specific`);
      }
      return { field, values, match: 'exact' };
    }
    throw tooBroad(
      clause,
      'wildcard' in pattern
        ? `"${clause.source}" would have to be compared with more than ${VOCABULARY_SCAN_LIMIT} known words; ` +
            'put more letters before the first *'
        : `"${clause.source}" would have to be compared with more than ${VOCABULARY_SCAN_LIMIT} known words; ` +
            'use a longer term, fewer edits, or a trailing wildcard',
    );
  }

  /** Asks for one word more than `limit`, so that more than `limit` words means "there are more". */
  private fetch(field: VocabularyField, prefix: string, limit: number): Promise<Fetched> {
    const key = `${field}\u0000${prefix}\u0000${limit}`;
    let fetched = this.fetched.get(key);
    if (fetched === undefined) {
      const source = this.source as VocabularySource;
      fetched = source.vocabulary(field, prefix, limit + 1).then((words) => ({ words: Array.isArray(words) ? words : [] }));
      this.fetched.set(key, fetched);
    }
    return fetched;
  }
}

function match(fetched: Fetched, pattern: TermPattern): string[] {
  fetched.vocabulary ??= buildVocabulary(fetched.words);
  return fetched.vocabulary.match(pattern);
}

/**
 * The prefixes to fetch a fuzzy term's candidates under: none for a term of up to three characters
 * (where any letter may be the wrong one), else its first character, then its first two if that is
 * too many words. Edits inside the prefix are therefore not found.
 */
function fuzzyPrefixes(term: string): string[] {
  const chars = [...term];
  if (chars.length <= 3) return [''];
  return [chars.slice(0, 1).join(''), chars.slice(0, 2).join('')];
}

function tooBroad(clause: Clause, message: string): QueryError {
  return new QueryError('QUERY_TOO_BROAD', `${message}.`, { token: clause.source, position: clause.position });
}
