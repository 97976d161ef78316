// Message text → the tokens the store's full-text index holds (unicode61-like: runs of letters and digits).

const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const PATTERN_TOKEN_RE = /[\p{L}\p{N}*]+/gu;

/** Lowercase runs of letters and digits: `Connection-Refused!` → `connection`, `refused`. */
export function messageTokens(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

/** As messageTokens, but `*` stays inside a token so that `conn*-ref*` gives `conn*`, `ref*`. */
export function messagePatternTokens(text: string): string[] {
  return text.toLowerCase().match(PATTERN_TOKEN_RE) ?? [];
}
