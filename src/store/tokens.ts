// Message text → index terms: lowercase runs of letters and digits, as the query layer tokenizes them,
// so that every store finds a word the same way.

/** Longer tokens are indexed and compared by their first MAX_TOKEN_LENGTH characters. */
export const MAX_TOKEN_LENGTH = 64;

const TOKEN_RE = /[\p{L}\p{N}]+/gu;

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

/** Replaces lone surrogates with U+FFFD: SQLite text is UTF-8, and a lone surrogate would come back as three characters. */
export function wellFormed(text: string): string {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? text : (text as unknown as { toWellFormed(): string }).toWellFormed();
}
