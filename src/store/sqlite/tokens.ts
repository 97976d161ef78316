// Message text → index terms: lowercase runs of letters and digits (as the query layer tokenizes), plus
// the marker terms that put service, host, level and trace ID into the same full-text index.

/** Longer tokens are indexed and compared by their first MAX_TOKEN_LENGTH characters. */
export const MAX_TOKEN_LENGTH = 64;
/** Trace IDs are indexed by this many leading hex digits (48 bits); rows are then checked in full. */
export const TRACE_MARK_HEX = 12;

const TOKEN_RE = /[\p{L}\p{N}]+/gu;

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

function clip(token: string): string {
  if (token.length <= MAX_TOKEN_LENGTH) return token;
  // Never cut a surrogate pair in two: a lone surrogate does not survive the trip through UTF-8.
  const code = token.charCodeAt(MAX_TOKEN_LENGTH - 1);
  return token.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_TOKEN_LENGTH - 1 : MAX_TOKEN_LENGTH);
}

// ASCII letters and digits map to their lowercase code; everything else ASCII to 0 (a separator).
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) ? c : c >= 65 && c <= 90 ? c + 32 : 0;

/** Adds the tokens of text[start, end) to `out`. ASCII text takes a fast path; the rest goes through the regex. */
export function addTokens(text: string, start: number, end: number, out: Set<string>): void {
  let from = -1;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      addTokensSlow(text, from >= 0 ? from : i, end, out);
      return;
    }
    const folded = ASCII[c]!;
    if (folded !== 0) {
      if (from < 0) from = i;
      if (folded !== c) upper = true;
    } else if (from >= 0) {
      const token = text.slice(from, i);
      out.add(clip(upper ? token.toLowerCase() : token));
      from = -1;
      upper = false;
    }
  }
  if (from >= 0) {
    const token = text.slice(from, end);
    out.add(clip(upper ? token.toLowerCase() : token));
  }
}

function addTokensSlow(text: string, start: number, end: number, out: Set<string>): void {
  for (const match of text.slice(start, end).toLowerCase().matchAll(TOKEN_RE)) out.add(clip(match[0]));
}

/** The tokens of a query value, in order (`Conn-Refused` → `conn`, `refused`). */
export function valueTokens(value: string): string[] {
  return (value.toLowerCase().match(TOKEN_RE) ?? []).map(clip);
}

/** A term as an FTS5 string: quoted, so that no value is ever read as query syntax. */
export function ftsString(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** Replaces lone surrogates with U+FFFD: SQLite text is UTF-8, and a lone surrogate would come back as three characters. */
export function wellFormed(text: string): string {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? text : (text as unknown as { toWellFormed(): string }).toWellFormed();
}
