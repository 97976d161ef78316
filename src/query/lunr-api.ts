// The parts of lunr the query language uses, typed: @types/lunr leaves out the query lexer and parser
// and declares TokenSet's constructors as instance methods, so this module states what we rely on.
import lunr from 'lunr';

export interface Lexeme {
  type: 'FIELD' | 'TERM' | 'EDIT_DISTANCE' | 'BOOST' | 'PRESENCE';
  /** The text with lunr's `\` escapes removed (case kept). */
  str: string;
  start: number;
  end: number;
}

export const PRESENCE_REQUIRED = 2;
export const PRESENCE_PROHIBITED = 3;

export interface LunrClause {
  /** Lowercased by lunr. */
  term: string;
  fields: string[];
  presence: number;
  editDistance?: number;
}

interface LunrQuery {
  clauses: LunrClause[];
  allFields: string[];
}

interface LunrTokenSet {
  intersect(other: LunrTokenSet): LunrTokenSet;
  toArray(): string[];
}

export interface LunrParseError {
  message: string;
  start: number;
  end: number;
}

interface LunrInternals {
  Query: new (allFields: string[]) => LunrQuery;
  QueryParser: new (text: string, query: LunrQuery) => { parse(): LunrQuery; lexemes: Lexeme[] };
  QueryLexer: { new (text: string): { run(): void; lexemes: Lexeme[] }; termSeparator: RegExp };
  QueryParseError: abstract new (...args: never[]) => LunrParseError;
  TokenSet: {
    fromArray(sortedWords: string[]): LunrTokenSet;
    fromString(pattern: string): LunrTokenSet;
    fromFuzzyString(term: string, editDistance: number): LunrTokenSet;
  };
}

const api = lunr as unknown as LunrInternals;

/**
 * Runs `fn` with lunr's query lexer splitting terms on whitespace only. Its default also splits on `-`,
 * which would cut `abc-123` and `A-17` in two; a leading `-` still means "exclude" either way. The lexer
 * copied `lunr.tokenizer.separator` when lunr loaded, so it is the lexer's own copy that is swapped.
 * Everything inside is synchronous, so no other code can observe the swap.
 */
function withWhitespaceSeparator<T>(fn: () => T): T {
  const saved = api.QueryLexer.termSeparator;
  api.QueryLexer.termSeparator = /\s+/;
  try {
    return fn();
  } finally {
    api.QueryLexer.termSeparator = saved;
  }
}

/** The lexemes of a query, as lunr's parser will see them. */
export function lexQuery(text: string): Lexeme[] {
  return withWhitespaceSeparator(() => {
    const lexer = new api.QueryLexer(text);
    lexer.run();
    return lexer.lexemes;
  });
}

/** lunr's clauses, plus the lexemes they came from (each clause consumed exactly one TERM lexeme, in order). */
export function parseWithLunr(text: string, fields: string[]): { clauses: LunrClause[]; lexemes: Lexeme[] } {
  return withWhitespaceSeparator(() => {
    const parser = new api.QueryParser(text, new api.Query(fields));
    const query = parser.parse();
    return { clauses: query.clauses, lexemes: parser.lexemes };
  });
}

export function isLunrParseError(error: unknown): error is LunrParseError {
  return error instanceof api.QueryParseError;
}

/** A wildcard pattern (`conn*`, `serv*ce`) or a fuzzy term, to intersect with a vocabulary. */
export type TermPattern = { wildcard: string } | { fuzzy: string; editDistance: number };

/** A set of words that wildcard and fuzzy patterns can be matched against. */
export interface Vocabulary {
  match(pattern: TermPattern): string[];
}

/** Builds lunr's TokenSet of the words once (~15 µs a word), to match any number of patterns against. */
export function buildVocabulary(words: readonly string[]): Vocabulary {
  const sorted = [...new Set(words.filter((w) => typeof w === 'string' && w.length > 0))].sort();
  const set = sorted.length === 0 ? undefined : api.TokenSet.fromArray(sorted);
  return {
    match(pattern) {
      if (set === undefined) return [];
      const query =
        'wildcard' in pattern
          ? api.TokenSet.fromString(pattern.wildcard)
          : api.TokenSet.fromFuzzyString(pattern.fuzzy, pattern.editDistance);
      // The vocabulary must be the receiver: intersect walks `this` and lets the argument's `*` edges match.
      return set.intersect(query).toArray().sort();
    },
  };
}
