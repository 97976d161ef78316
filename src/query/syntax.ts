// The text of a query → clauses (field, term as typed, presence, edit distance), via lunr's QueryParser.
import { SEARCH_FIELDS, type SearchField } from '../model/search-plan.js';
import { QueryError } from './errors.js';
import {
  isLunrParseError,
  lexQuery,
  parseWithLunr,
  PRESENCE_PROHIBITED,
  PRESENCE_REQUIRED,
  type Lexeme,
  type LunrParseError,
} from './lunr-api.js';

/** Longest query text accepted; a search box, not a document. */
export const MAX_QUERY_LENGTH = 2048;
/** Most clauses one query may have. */
export const MAX_CLAUSES = 64;

const ATTR_FIELD_RE = /^attr\.[\p{L}\p{N}_.-]+$/u;

export type Presence = 'optional' | 'required' | 'prohibited';

export interface Clause {
  field: SearchField;
  /** The term as typed: lunr's escapes removed, case kept (lunr itself lowercases every term). */
  text: string;
  presence: Presence;
  /** 0 unless the term ends in `~N`. */
  editDistance: number;
  /** The clause as it appears in the query (`service:chec*`, `paymnt~1`), for messages. */
  source: string;
  /** Where `source` starts in the query (0-based). */
  position: number;
}

/** Parses a query; throws QueryError for anything lunr rejects or the limits refuse. */
export function parseClauses(query: string): Clause[] {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      'QUERY_TOO_LONG',
      `The query is ${query.length} characters long; a search may have at most ${MAX_QUERY_LENGTH}.`,
    );
  }
  const lexemes = lexQuery(query);
  const fields = allowedFields(lexemes);
  let parsed: ReturnType<typeof parseWithLunr>;
  try {
    parsed = parseWithLunr(query, fields);
  } catch (error) {
    throw toQueryError(error, query, lexemes, fields);
  }
  if (parsed.clauses.length > MAX_CLAUSES) {
    throw new QueryError(
      'QUERY_TOO_LONG',
      `The query has ${parsed.clauses.length} terms; a search may have at most ${MAX_CLAUSES}.`,
    );
  }
  // Each clause consumed exactly one TERM lexeme, in order; a FIELD lexeme right before it names its field.
  const termIndexes = parsed.lexemes.flatMap((l, i) => (l.type === 'TERM' ? [i] : []));
  return parsed.clauses.map((clause, n) => {
    const i = termIndexes[n] ?? -1;
    const term = parsed.lexemes[i];
    if (term === undefined) throw new Error('lunr produced a clause without a term lexeme');
    const before = parsed.lexemes[i - 1];
    const start = before?.type === 'FIELD' ? before.start : term.start;
    const editDistance = clause.editDistance ?? 0;
    return {
      field: (clause.fields.length === 1 ? clause.fields[0] : 'msg') as SearchField,
      text: term.str,
      presence: presence(clause.presence),
      editDistance,
      source: printable(`${query.slice(start, term.end)}${editDistance > 0 ? `~${editDistance}` : ''}`),
      position: start,
    };
  });
}

function presence(lunrPresence: number): Presence {
  if (lunrPresence === PRESENCE_REQUIRED) return 'required';
  if (lunrPresence === PRESENCE_PROHIBITED) return 'prohibited';
  return 'optional';
}

/** The built-in fields plus every well-formed attr.NAME the query names (lunr only knows a fixed list). */
function allowedFields(lexemes: Lexeme[]): string[] {
  const fields = [...SEARCH_FIELDS];
  for (const l of lexemes) {
    if (l.type === 'FIELD' && ATTR_FIELD_RE.test(l.str) && !fields.includes(l.str)) fields.push(l.str);
  }
  return fields;
}

function toQueryError(error: unknown, query: string, lexemes: Lexeme[], fields: string[]): QueryError {
  if (!isLunrParseError(error)) {
    return new QueryError('QUERY_PARSE', 'The query could not be parsed.', { cause: error });
  }
  const word = wordAt(query, error.start);
  const unknown = unknownFieldAt(error.start, lexemes, fields);
  if (unknown !== undefined) {
    const hint = unknown.startsWith('attr.')
      ? 'an attribute name may hold only letters, digits, _ . -'
      : 'or attr.NAME for a log attribute (NAME of letters, digits, _ . -)';
    return new QueryError('QUERY_UNKNOWN_FIELD', `Unknown field "${printable(unknown)}" in "${word.text}": ${printable(error.message)}; ${hint}.`, {
      token: word.text,
      position: word.start,
      cause: error,
    });
  }
  const hint = parseHint(error);
  return new QueryError(
    'QUERY_PARSE',
    `Cannot parse the query near "${word.text}" (character ${word.start + 1}): ${printable(error.message)}${hint ? `. ${hint}` : ''}`,
    { token: word.text, position: word.start, cause: error },
  );
}

/** Plain words for lunr's messages, which speak of lexeme types. */
function parseHint(error: LunrParseError): string {
  const m = error.message;
  if (m === 'expecting term, found nothing') {
    return 'A field needs a value right after the colon, e.g. service:checkout';
  }
  if (m.startsWith('expecting term or field')) {
    return '+ and - go right before a term or field, e.g. +timeout -service:cart; to search for a literal + or -, escape it: \\-';
  }
  if (m === "expecting term, found 'FIELD'") {
    return 'A value cannot contain an unescaped colon; write it as \\: (e.g. attr.url:http\\://host)';
  }
  if (m === "expecting term, found 'PRESENCE'") {
    return 'Put + or - before the field, e.g. -service:cart, or escape it: service:\\-cart';
  }
  if (m.includes('EDIT_DISTANCE') || m === 'edit distance must be numeric') {
    return '~ and a number of edits (1 or 2) go right after a term, e.g. paymnt~1';
  }
  if (m.includes('BOOST') || m === 'boost must be numeric') {
    return '^ and a number go right after a term, e.g. timeout^10 (boosts are accepted and ignored)';
  }
  return '';
}

/** The whitespace-delimited word of the query around `position` (or the one just before it). */
function wordAt(query: string, position: number): { text: string; start: number } {
  if (query.length === 0) return { text: '', start: 0 };
  let at = Math.min(Math.max(position, 0), query.length - 1);
  while (at > 0 && /\s/.test(query.charAt(at))) at -= 1;
  let start = at;
  while (start > 0 && !/\s/.test(query.charAt(start - 1))) start -= 1;
  let end = at;
  while (end < query.length && !/\s/.test(query.charAt(end))) end += 1;
  return { text: printable(query.slice(start, end)), start };
}

/**
 * The field lexeme lunr refused at `position`, if that is what it refused: a FIELD right after another
 * FIELD (`msg:http://x`) is refused for the missing term instead, whatever its name.
 */
function unknownFieldAt(position: number, lexemes: Lexeme[], fields: string[]): string | undefined {
  const i = lexemes.findIndex((l) => l.type === 'FIELD' && l.start === position);
  const lexeme = lexemes[i];
  if (lexeme === undefined || fields.includes(lexeme.str) || lexemes[i - 1]?.type === 'FIELD') return undefined;
  return lexeme.str;
}

/** Query text for a message: control and bidi characters shown as escapes, harmless in a terminal or a page. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
