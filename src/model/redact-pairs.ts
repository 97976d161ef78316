// Inline pairs in free text: `password=hunter2`, `Authorization: Bearer abc`, `"token":"abc"`, `?key=value&…` with a sensitive key have their value redacted.
import { MAX_KEY_LENGTH, type KeyMatcher } from './redact-keys.js';
import { AUTH_KEY_RE, isRedacted, isSpace, MASK, maskCredential, schemeLength, type Token } from './redact-tokens.js';

/** Characters that end an unquoted value (`password=hunter2&next=1`, `token=abc, user=bob`). */
const BARE_VALUE_END = `&,;"'\\)]}<>`;
/** Bracketed values (`session={…}`) longer than this are not matched as a whole. */
const MAX_BRACKETED = 16_384;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

interface Pair {
  start: number;
  end: number;
  replacement: string;
}

export class PairRedactor {
  private readonly keys: KeyMatcher;
  private readonly token: Token;
  /**
   * How many more characters bracketed values may scan in the current redact call. Unbalanced
   * brackets would otherwise be rescanned once per key, quadratic on hostile input.
   */
  private bracketBudget = 0;

  constructor(keys: KeyMatcher, token: Token) {
    this.keys = keys;
    this.token = token;
  }

  /**
   * `key=value`, `key: value`, `"key":"value"`, `key => 'value'`, `?key=value&…` with a sensitive key.
   * Every `=` and `:` is a candidate; the key before it is read backwards (at most 128 characters) and the
   * value after it forwards, and the scan resumes after the value, so the work is linear.
   */
  redact(s: string): string {
    let eq = s.indexOf('=');
    let colon = s.indexOf(':');
    if (eq === -1 && colon === -1) return s;
    this.bracketBudget = 2 * s.length + MAX_BRACKETED;
    let out = '';
    let last = 0;
    let from = 0;
    for (;;) {
      if (eq !== -1 && eq < from) eq = s.indexOf('=', from);
      if (colon !== -1 && colon < from) colon = s.indexOf(':', from);
      const p = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
      if (p === -1) break;
      const pair = this.matchPair(s, p);
      if (pair === undefined) {
        from = p + 1;
        continue;
      }
      out += s.slice(last, pair.start) + pair.replacement;
      last = pair.end;
      from = pair.end;
    }
    return last === 0 ? s : out + s.slice(last);
  }

  private matchPair(s: string, p: number): Pair | undefined {
    const isColon = s.charCodeAt(p) === 58;
    const before = s[p - 1];
    let valueStart = p + 1;
    if (isColon) {
      // `::`, `scheme://`, and `file.js:12` in stack traces are not pairs: a pair's colon is followed by
      // a space (headers, YAML) unless its key is quoted (JSON).
      if (before === ':' || s[p + 1] === ':' || s[p + 1] === '/') return undefined;
    } else {
      if (before === '=' || before === '!' || before === '<' || before === '>' || s[p + 1] === '=') return undefined;
      if (s[p + 1] === '>') valueStart = p + 2;
    }
    const key = readKeyBackwards(s, p, this.keys.shortest);
    if (key === undefined) return undefined;
    if (isColon && key.quote === '' && s[valueStart] !== ' ' && s[valueStart] !== '\t') return undefined;
    const name = s.slice(key.start, key.end);
    if (!this.keys.isSensitive(name)) return undefined;
    let v = valueStart;
    while (s[v] === ' ' || s[v] === '\t') v++;
    if (v >= s.length) return undefined;
    return this.valueAt(s, v, key.quote, isColon, name);
  }

  /** Finds the value that starts at `v` and what replaces it. */
  private valueAt(s: string, v: number, keyQuote: string, isColon: boolean, name: string): Pair | undefined {
    const c = s[v];
    let start = v;
    let end: number;
    let wrap = '';
    let quoted = false;
    if (c === '"' || c === "'") {
      start = v + 1;
      end = closingQuote(s, start, c);
      quoted = true;
    } else if (c === '\\' && s[v + 1] === '"') {
      start = v + 2;
      const close = s.indexOf('\\"', start);
      end = close === -1 ? lineEnd(s, start) : close;
      quoted = true;
    } else if (c === '{' || c === '[') {
      end = this.bracketBudget > 0 ? matchingBracket(s, v, Math.min(this.bracketBudget, MAX_BRACKETED)) : -1;
      this.bracketBudget -= end === -1 ? MAX_BRACKETED : end - v;
      if (end === -1) return undefined; // Unbalanced or too long: the keys inside are still checked one by one.
      end++;
      wrap = keyQuote;
    } else if (keyQuote !== '') {
      // JSON with a bare value: a number, true or false. The token is quoted to keep the JSON valid.
      end = scanWhile(s, v, (ch) => ch !== ',' && ch !== '}' && ch !== ']' && ch !== '\\' && ch !== '"' && !isSpace(ch));
      if (s.slice(v, end) === 'null') return undefined;
      wrap = keyQuote;
    } else {
      const scheme = AUTH_KEY_RE.test(name) ? schemeLength(s, v, s.length) : 0;
      if (scheme > 0) {
        start = v + scheme;
        end = credentialEnd(s, start);
      } else if (isColon && /cookie$/i.test(name)) {
        end = scanWhile(s, v, (ch) => ch !== '\n' && ch !== '\r' && ch !== '"' && ch !== '\\');
        while (end > v && isSpace(s[end - 1]!)) end--;
      } else {
        end = scanWhile(s, v, (ch) => !isSpace(ch) && !BARE_VALUE_END.includes(ch));
      }
    }
    if (end <= start) return undefined;
    const value = s.slice(start, end);
    if (isRedacted(value)) return undefined;
    const masked = quoted ? maskCredential(name, value, this.token) : this.token(value, MASK);
    return { start, end, replacement: wrap + masked + wrap };
  }
}

/** The key that ends just before the separator at `p`: `password`, `"password"`, `\"password\"`, `user[password]`. */
function readKeyBackwards(s: string, p: number, shortest: number): { start: number; end: number; quote: string } | undefined {
  let k = p - 1;
  for (let spaces = 0; k >= 0 && s[k] === ' ' && spaces < 3; spaces++) k--;
  let quote = '';
  if (s[k] === '"' || s[k] === "'") {
    quote = s[k]!;
    k--;
    if (s[k] === '\\') {
      quote = `\\${quote}`;
      k--;
    }
  }
  const end = k + 1;
  while (k >= 0 && isKeyChar(s.charCodeAt(k)) && end - k <= MAX_KEY_LENGTH) k--;
  const start = k + 1;
  if (end - start < shortest || (k >= 0 && isKeyChar(s.charCodeAt(k)))) return undefined;
  // `user[password]` is a key; `card]` is the end of a `[REDACTED:card]` token.
  let open = false;
  for (let i = start; i < end; i++) {
    if (s[i] === '[') open = true;
    else if (s[i] === ']' && !open) return undefined;
  }
  if (quote !== '' && s.slice(start - quote.length, start) !== quote) return undefined;
  return { start, end, quote };
}

/**
 * The credential after a scheme: a token (`Bearer abc.def`) or a list of parameters
 * (`Digest username="a b", realm="x", response="…"`), ending at the first space not inside the list.
 */
function credentialEnd(s: string, from: number): number {
  let j = from;
  for (;;) {
    while (j < s.length) {
      const ch = s[j]!;
      if (isSpace(ch) || ch === '\\' || ch === "'") break;
      if (ch === '"') {
        if (s[j - 1] !== '=') break;
        const close = closingQuote(s, j + 1, '"');
        if (s[close] !== '"') return close;
        j = close + 1;
        continue;
      }
      j++;
    }
    if (s[j] === ' ' && s[j - 1] === ',' && /^[A-Za-z0-9_-]{1,64}=/.test(s.slice(j + 1, j + 66))) {
      j++;
      continue;
    }
    break;
  }
  // Punctuation after the credential (`Bearer abc,` or `(Bearer abc)`) is not part of it; a bracket that
  // closes one opened inside it (`Bearer [REDACTED]`) is.
  let openers = '';
  for (let i = from; i < j; i++) if ('([{<'.includes(s[i]!) && !openers.includes(s[i]!)) openers += s[i];
  while (j > from) {
    const ch = s[j - 1]!;
    const opener = CLOSERS[ch];
    if (ch === ',' || ch === ';' || (opener !== undefined && !openers.includes(opener))) j--;
    else break;
  }
  return j;
}

/** The index of the quote closing a string that starts at `from`, or the end of the line when unclosed. */
function closingQuote(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i;
    else if (ch === '\n' || ch === '\r') return i;
  }
  return s.length;
}

/** The index of the bracket closing the one at `open` (strings respected), or -1 when not within `limit`. */
function matchingBracket(s: string, open: number, limit: number): number {
  let depth = 0;
  const stop = Math.min(s.length, open + limit);
  for (let i = open; i < stop; i++) {
    const ch = s[i];
    if (ch === '"') {
      i = closingQuote(s, i + 1, '"');
      if (s[i] !== '"') return -1;
    } else if (ch === '{' || ch === '[') {
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function lineEnd(s: string, from: number): number {
  return scanWhile(s, from, (ch) => ch !== '\n' && ch !== '\r');
}

export function scanWhile(s: string, from: number, accept: (ch: string) => boolean): number {
  let i = from;
  while (i < s.length && accept(s[i]!)) i++;
  return i;
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || c === 91 || c === 93;
}
