// What a term asks for: a literal, a trailing wildcard (a prefix), another wildcard, or a fuzzy term.
import { QueryError } from './errors.js';
import type { Clause } from './syntax.js';

/** Most `*` one term may hold: each one multiplies the work of matching it against a vocabulary. */
export const MAX_WILDCARDS = 3;
/** Longest term `~N` applies to; the automaton for two edits grows with the square of the length. */
export const MAX_FUZZY_LENGTH = 32;
export const MAX_EDIT_DISTANCE = 2;

export type TermShape =
  | { kind: 'literal'; value: string }
  /** `conn*`: every value starting with `prefix` (`*` alone: any value). */
  | { kind: 'prefix'; prefix: string }
  /** `serv*ce`, `*tion`: `literalPrefix` is the text before the first `*`. */
  | { kind: 'wildcard'; pattern: string; literalPrefix: string }
  | { kind: 'fuzzy'; term: string; editDistance: number };

/** The shape of `value` (already tokenised or lowercased as its field needs), checked against the limits. */
export function termShape(value: string, clause: Clause): TermShape {
  const pattern = value.replace(/\*+/g, '*');
  const stars = pattern.split('*').length - 1;
  if (clause.editDistance > 0) {
    if (stars > 0) {
      throw badValue(clause, `"${clause.source}" is both a wildcard and fuzzy; use one of * or ~N`);
    }
    if (clause.editDistance > MAX_EDIT_DISTANCE) {
      throw badValue(clause, `"${clause.source}" asks for ${clause.editDistance} edits; fuzzy terms allow ~1 or ~2`);
    }
    if ([...value].length > MAX_FUZZY_LENGTH) {
      throw badValue(clause, `"${clause.source}" is too long for fuzzy matching (at most ${MAX_FUZZY_LENGTH} characters)`);
    }
    return { kind: 'fuzzy', term: value, editDistance: clause.editDistance };
  }
  if (stars === 0) return { kind: 'literal', value };
  if (stars > MAX_WILDCARDS) {
    throw badValue(clause, `"${clause.source}" has ${stars} wildcards; a term may have at most ${MAX_WILDCARDS}`);
  }
  const first = pattern.indexOf('*');
  if (stars === 1 && first === pattern.length - 1) return { kind: 'prefix', prefix: pattern.slice(0, -1) };
  return { kind: 'wildcard', pattern, literalPrefix: pattern.slice(0, first) };
}

export function badValue(clause: Clause, message: string): QueryError {
  return new QueryError('QUERY_BAD_VALUE', `${message}.`, { token: clause.source, position: clause.position });
}
