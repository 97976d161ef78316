// The marker terms that put service, host, level and trace ID into the same FTS5 index as the message
// words, and how a term is written into an FTS5 query.

/** Trace IDs are indexed by this many leading hex digits (48 bits); rows are then checked in full. */
export const TRACE_MARK_HEX = 12;

// Marker terms start with U+0080, which no message token can contain (it is neither letter nor digit) and
// which FTS5's ascii tokenizer keeps inside a term (it splits only on ASCII punctuation and space).
const MARK = '\u0080';
export const MARK_PREFIX = MARK;
export const serviceMark = (id: number): string => `${MARK}s${id}`;
export const hostMark = (id: number): string => `${MARK}h${id}`;
export const levelMark = (severity: number): string => `${MARK}l${severity}`;
export const traceMark = (hex: string): string => `${MARK}t${hex.slice(0, TRACE_MARK_HEX)}`;
export const LEVEL_MARKS: readonly string[] = Array.from({ length: 256 }, (_, severity) => levelMark(severity));

/** Text the FTS5 ascii tokenizer splits and folds exactly as addTokens does: ASCII only. */
export const NON_ASCII = /[^\x00-\x7f]/;

/** A term as an FTS5 string: quoted, so that no value is ever read as query syntax. */
export function ftsString(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

