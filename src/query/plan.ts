// The query language: a lunr query string → a store-neutral SearchPlan.
//
// Syntax is lunr's (lunr.QueryParser): `service:checkout level:error +timeout -retry conn* trace:4bf92f35*`.
//
// Fields: msg (full text; a term without a field is msg), service, level, host, trace, span, and
// attr.NAME for a log attribute (NAME of letters, digits, `_`, `.`, `-`; case-sensitive). Field names
// are lowercase; any other field is QUERY_UNKNOWN_FIELD, whose message lists the valid ones.
//
// Combining clauses:
// - Clauses on different fields must all hold (AND).
// - Several clauses on the same field with no + or - form one group: any of them may hold (OR).
//   `service:checkout service:inventory` finds lines of either service.
// - `+clause` must hold on its own: `+service:a service:b` needs service a AND service b (no line has both).
// - `-clause` excludes the lines it matches. A query of only exclusions searches everything else.
// - msg is the exception: every text term must hold, with or without +, so `+` and no prefix mean the
//   same on msg. `connection refused` finds lines holding both words; `msg:a msg:b` likewise.
// - Boosts (`timeout^10`) are accepted and ignored: results come newest first, not by score.
// - An empty query matches everything in the time range.
//
// Values:
// - msg terms are lowercased and split the way the full-text index splits messages: runs of letters
//   and digits, anything else separates. `Connection-Refused` is two words, both required.
//   `-connection-refused` is refused (QUERY_BAD_VALUE): "not both words" cannot be said; exclude one
//   word instead. A term with no letters or digits (`;`, `'`, `"`) constrains nothing.
// - level: trace, debug, info, warn (or warning), error, fatal, in any case. Exact: `level:error` does
//   not include fatal; list both to get both. Wildcards and ~N work against these names (`level:err*`).
//   Anything else is QUERY_BAD_VALUE listing the levels.
// - trace: a 32-hex trace ID (any case); its first hex digits and a trailing * (`trace:4bf92f35*`);
//   or a legacy request ID / alias (`trace:abc-123`), which finds lines stamped with the alias or with
//   the trace ID logstitch derives from it. A 16-hex value also finds its zero-padded 128-bit form
//   (64-bit B3/Jaeger IDs).
// - span: a 16-hex span ID (any case) or its first hex digits and a trailing *.
// - service, host and attr.NAME values are compared as typed (case-sensitive). `attr.user:*` means
//   "has the attribute"; `attr.order:A-1*` is a prefix.
// - A hyphen inside a term is part of it (`trace:abc-123`, `attr.order_id:A-17`); only a leading `-`
//   excludes. `\` escapes the next character: `service:\-cart`, `attr.url:http\://host`. A `*` is
//   always a wildcard, even escaped.
//
// Wildcards and fuzzy terms (msg, service, host, level):
// - `conn*` matches words starting with conn. Given the store's vocabulary it expands to the known
//   words; past maxExpansions (default 100) it stays a prefix match the store runs itself, and with no
//   vocabulary it is always one. `*` alone means "any value".
// - `serv*ce`, `*tion` (a * anywhere but the end; at most 3 per term) and `paymnt~1` (fuzzy: at most 1
//   or 2 insertions, deletions, substitutions or swaps of neighbouring letters; terms of up to 32
//   characters) expand against the store's vocabulary with lunr's TokenSet; without a vocabulary they
//   are QUERY_NEEDS_VOCABULARY. More than maxExpansions matches, or more than 5000 known words to
//   compare with, is QUERY_TOO_BROAD naming the term. A fuzzy term of 4+ letters must have its first
//   letter right (its first two, when a letter starts more than 5000 words); shorter ones may differ
//   anywhere.
// - A wildcard or fuzzy term that matches no known word matches nothing: if required, the whole query
//   matches nothing; if excluded, it excludes nothing.
// - trace, span and attr values take only a trailing *; ~N is refused there.
//
// Limits: 2048 characters, 64 terms, 8 wildcard or fuzzy terms to expand per query (QUERY_TOO_LONG,
// QUERY_TOO_BROAD).
//
// Not supported: phrases. lunr has no quotes: `"connection refused"` is the two words `connection` and
// `refused`, each required, anywhere in the message. No OR across different fields, no parentheses.
import { emptyPlan, type SearchField, type SearchPlan, type SearchTerm } from '../model/search-plan.js';
import { QueryError } from './errors.js';
import { Expander, type VocabularySource } from './expand.js';
import { attrTerm, levelTerm, requireValue, spanTerm, traceTerm } from './fields.js';
import { badValue, termShape } from './patterns.js';
import { parseClauses, type Clause } from './syntax.js';
import { messagePatternTokens } from './tokens.js';

export const DEFAULT_MAX_EXPANSIONS = 100;

export interface PlanOptions {
  /** The store's vocabulary, to expand wildcard and fuzzy terms; without it only `word*` works. */
  vocabulary?: VocabularySource;
  /** Time range, µs since the epoch, inclusive. */
  from?: number;
  to?: number;
  /** Most words one wildcard or fuzzy term may expand to (default 100). */
  maxExpansions?: number;
}

/** Parses `q` and resolves every term into a SearchPlan; throws QueryError for anything the user must fix. */
export async function planQuery(q: string, options: PlanOptions = {}): Promise<SearchPlan> {
  const maxExpansions = options.maxExpansions ?? DEFAULT_MAX_EXPANSIONS;
  if (!Number.isSafeInteger(maxExpansions) || maxExpansions < 1) {
    throw new RangeError(`maxExpansions must be a positive integer, not ${String(maxExpansions)}`);
  }
  const plan = emptyPlan(checkTime('from', options.from), checkTime('to', options.to));
  if (plan.from !== undefined && plan.to !== undefined && plan.from > plan.to) {
    throw new QueryError('QUERY_BAD_RANGE', 'The time range ends before it starts; swap from and to.');
  }
  if (typeof q !== 'string') throw new QueryError('QUERY_PARSE', 'The query must be text.');

  const clauses = parseClauses(q);
  const expander = new Expander(options.vocabulary, maxExpansions);
  const resolved = await Promise.all(clauses.map((clause) => resolveClause(clause, expander)));

  const optionalGroups = new Map<SearchField, SearchTerm[]>();
  clauses.forEach((clause, i) => {
    const terms = resolved[i] ?? [];
    if (clause.presence === 'prohibited') {
      for (const term of terms) if (term.values.length > 0) plan.none.push(term);
    } else if (clause.presence === 'required' || clause.field === 'msg') {
      for (const term of terms) plan.all.push([term]);
    } else {
      let group = optionalGroups.get(clause.field);
      if (group === undefined) {
        group = [];
        optionalGroups.set(clause.field, group);
        plan.all.push(group);
      }
      for (const term of terms) mergeInto(group, term);
    }
  });
  plan.all = unique(plan.all);
  plan.none = unique(plan.none);
  return plan;
}

/** The terms one clause stands for: one, except for msg, whose text may hold several words (all required). */
async function resolveClause(clause: Clause, expander: Expander): Promise<SearchTerm[]> {
  const field = clause.field;
  switch (field) {
    case 'msg':
      return messageTerms(clause, expander);
    case 'level':
      return [levelTerm(clause)];
    case 'trace':
      return [traceTerm(clause)];
    case 'span':
      return [spanTerm(clause)];
    case 'service':
    case 'host':
      requireValue(clause);
      return [await expander.expand(field, termShape(clause.text, clause), clause)];
    default:
      return [attrTerm(clause)];
  }
}

async function messageTerms(clause: Clause, expander: Expander): Promise<SearchTerm[]> {
  let tokens = messagePatternTokens(clause.text);
  // `conn-*`: a bare * adds nothing beside a real word.
  if (tokens.length > 1) tokens = tokens.filter((t) => /[^*]/.test(t));
  if (tokens.length > 1 && clause.presence === 'prohibited') {
    throw badValue(
      clause,
      `"${clause.source}" holds ${tokens.length} words (${tokens.join(', ')}); excluding lines that hold all of them ` +
        `cannot be expressed, so exclude one word, e.g. -${tokens[tokens.length - 1] ?? ''}`,
    );
  }
  return Promise.all(tokens.map((token) => expander.expand('msg', termShape(token, clause), clause)));
}

/** Adds a term to an OR group, folding values into a term of the same field and match. */
function mergeInto(group: SearchTerm[], term: SearchTerm): void {
  const same = group.find((t) => t.field === term.field && t.match === term.match);
  if (same === undefined) {
    group.push({ ...term, values: [...new Set(term.values)] });
    return;
  }
  for (const value of term.values) if (!same.values.includes(value)) same.values.push(value);
}

function unique<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkTime(name: 'from' | 'to', value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QueryError('QUERY_BAD_RANGE', `"${name}" must be a time (µs since the epoch), not ${String(value)}.`);
  }
  return value;
}
