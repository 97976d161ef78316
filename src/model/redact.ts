// Redaction: keeps passwords, tokens, cookies, card numbers and (when asked) e-mail addresses out of logs.
//
// The loggers' adapters run it on every call and the agent runs it again on every line (DESIGN.md,
// invariant 4), so it must be cheap when nothing matches, linear on any input, idempotent (the agent
// leaves the adapters' tokens alone), and it must never throw once constructed.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { LogstitchError } from './errors.js';
import { isCardNumber, replaceCards } from './luhn.js';

export { passesLuhn } from './luhn.js';

export interface RedactOptions {
  /** Extra sensitive key names, matched like the defaults (`x-tenant-code` also matches `xTenantCode`). */
  keys?: string[];
  /** Replace the default key list (and the default key endings) instead of extending it. */
  replaceDefaultKeys?: boolean;
  /** Redact card numbers (13–19 digits, optional single spaces/dashes between groups) that pass the Luhn check inside strings. Default true. */
  cards?: boolean;
  /** Redact e-mail addresses inside strings. Default false. */
  emails?: boolean;
  /**
   * Redact `key=value`, `key: value`, `"key":"value"` pairs inside strings when the key is sensitive
   * (`password=hunter2`, `Authorization: Bearer abc`, `?token=abc&x=1`), and the password in
   * `scheme://user:password@host`. Default true.
   */
  inlinePairs?: boolean;
  /**
   * 'mask' (default) writes `[REDACTED]` (cards `[REDACTED:card]`, e-mails `[REDACTED:email]`); 'hmac'
   * writes `[hmac:<16 hex>]`, the first 64 bits of HMAC-SHA256(secret, value): equal values give equal
   * tokens, so lines stay joinable, but values cannot be recovered without the secret. Cards are hashed
   * as their digits alone, e-mails lowercased.
   */
  mode?: 'mask' | 'hmac';
  /** Required with mode 'hmac': a string or Buffer of at least 16 bytes. */
  secret?: string | Buffer;
  /** Max depth to walk objects (default 8); deeper values are left as they are, but keys at every walked level are checked. */
  maxDepth?: number;
}

export interface Redactor {
  /** Redacts a string (cards, e-mails, inline pairs). Returns the same string instance when nothing matched. */
  redactString(s: string): string;
  /** Returns a redacted copy of a value, copied only along the paths that changed; the input is never mutated. */
  redactValue<T>(value: T): T;
  /** Mutates a plain object in place (winston's info objects keep their Symbol keys); nested objects are replaced by redacted copies, never mutated. */
  redactInPlace(obj: Record<string | symbol, unknown>): void;
  /** True when a key name is sensitive. */
  isSensitiveKey(key: string): boolean;
}

/** Sensitive wherever they appear as a word, or as consecutive words joined (`api_key`, `X-Api-Key`). */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'password', 'passwd', 'pwd', 'passphrase', 'passcode', 'secret', 'secrets', 'token', 'jwt', 'otp',
  'auth', 'authorization', 'credential', 'credentials', 'creds', 'cookie', 'cookies', 'set-cookie',
  'api_key', 'access_key', 'private_key', 'signing_key', 'encryption_key', 'connection_string',
  'session_id', 'session_key', 'sessid', 'jsessionid', 'phpsessid',
  'card_number', 'cc_number', 'credit_card', 'cvv', 'cvv2', 'cvc', 'cvc2', 'pan', 'ssn', 'pin',
  'iban', 'account_number',
];

/**
 * Sensitive only as the key's last word: `session`, `userSession`, `connect.sid`, `card`, `db_pass`
 * hold secrets, while `sessionCount`, `cardType`, `sidebar` and `passThrough` do not.
 */
export const DEFAULT_SENSITIVE_KEY_ENDINGS: readonly string[] = ['session', 'sid', 'card', 'pass'];

const MASK = '[REDACTED]';
const MASK_CARD = '[REDACTED:card]';
const MASK_EMAIL = '[REDACTED:email]';
/** A property whose value could not be read (a throwing getter or proxy): its serialisation would throw too. */
const UNREADABLE = '[REDACTED:unreadable]';
const CIRCULAR = '[Circular]';
const TOKEN_RE = /^\[(?:REDACTED(?::[a-z]+)?|hmac:[0-9a-f]{16})\]$/;
/** HTTP authentication schemes: the scheme is kept in view, the credential after it is redacted. */
const AUTH_SCHEMES = new Set([
  'basic', 'bearer', 'digest', 'token', 'negotiate', 'ntlm', 'apikey', 'bot', 'dpop', 'hoba', 'mutual',
  'vapid', 'oauth', 'kerberos', 'aws4-hmac-sha256', 'sharedkey', 'gssapi',
]);
/** Span and trace ID fields: their values are IDs, even when all 16 hex characters are digits. */
const ID_FIELDS = new Set([
  'trace_id', 'span_id', 'parent_span_id', 'parent_id', 'traceId', 'spanId', 'parentSpanId', 'parentId',
  'trace.id', 'span.id', 'dd.trace_id', 'dd.span_id',
]);
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');
const MIN_SECRET_BYTES = 16;
const DEFAULT_MAX_DEPTH = 8;
const KEY_CACHE_SIZE = 1000;
/** Keys longer than this are checked but not cached; keys in free text longer than this are not keys. */
const MAX_KEY_LENGTH = 128;

export function createRedactor(options: RedactOptions = {}): Redactor {
  const impl = new RedactorImpl(validate(options));
  return {
    redactString: (s) => impl.redactString(s),
    redactValue: (value) => impl.redactValue(value),
    redactInPlace: (obj) => impl.redactInPlace(obj),
    isSensitiveKey: (key) => impl.keys.isSensitive(key),
  };
}

interface Settings {
  keys: KeyMatcher;
  cards: boolean;
  emails: boolean;
  inlinePairs: boolean;
  hmacKey: KeyObject | undefined;
  maxDepth: number;
}

function validate(options: RedactOptions): Settings {
  if (typeof options !== 'object' || options === null) throw badOption('options must be an object');
  const { keys = [], mode = 'mask', maxDepth = DEFAULT_MAX_DEPTH } = options;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && normalizeKey(k) !== '')) {
    throw badOption('keys must be an array of key names, each with at least one letter or digit');
  }
  for (const flag of ['replaceDefaultKeys', 'cards', 'emails', 'inlinePairs'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') throw badOption(`${flag} must be true or false`);
  }
  if (mode !== 'mask' && mode !== 'hmac') throw badOption(`mode must be 'mask' or 'hmac', not ${JSON.stringify(mode)}`);
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) throw badOption(`maxDepth must be a non-negative integer, not ${String(maxDepth)}`);
  const replace = options.replaceDefaultKeys === true;
  return {
    keys: new KeyMatcher([...(replace ? [] : DEFAULT_SENSITIVE_KEYS), ...keys], replace ? [] : DEFAULT_SENSITIVE_KEY_ENDINGS),
    cards: options.cards ?? true,
    emails: options.emails ?? false,
    inlinePairs: options.inlinePairs ?? true,
    hmacKey: mode === 'hmac' ? hmacKey(options.secret) : undefined,
    maxDepth,
  };
}

function hmacKey(secret: unknown): KeyObject {
  if (secret === undefined || secret === null || secret === '') {
    throw new LogstitchError('REDACT_SECRET_MISSING', `redaction mode 'hmac' needs a secret of at least ${MIN_SECRET_BYTES} bytes; pass options.secret (a string or Buffer kept out of the logs)`);
  }
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new LogstitchError('REDACT_SECRET_MISSING', 'the redaction secret must be a string or a Buffer');
  }
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new LogstitchError('REDACT_SECRET_TOO_SHORT', `the redaction secret is ${bytes.length} bytes; use at least ${MIN_SECRET_BYTES} (e.g. 32 random bytes)`);
  }
  return createSecretKey(bytes);
}

function badOption(message: string): LogstitchError {
  return new LogstitchError('REDACT_BAD_OPTION', `redaction: ${message}`);
}

/** Decides whether a key name is sensitive, remembering its recent answers. */
class KeyMatcher {
  private readonly anywhere: Set<string>;
  private readonly endings: Set<string>;
  private readonly longest: number;
  /** The shortest key text that can match, used to skip short words in free text. */
  readonly shortest: number;
  private readonly cache = new Map<string, boolean>();

  constructor(anywhere: readonly string[], endings: readonly string[]) {
    this.anywhere = new Set(anywhere.map(normalizeKey));
    this.endings = new Set(endings.map(normalizeKey));
    const lengths = [...this.anywhere, ...this.endings].map((t) => t.length);
    this.longest = Math.max(0, ...lengths);
    this.shortest = lengths.length === 0 ? Infinity : Math.min(...lengths);
  }

  isSensitive(key: string): boolean {
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    let sensitive = false;
    try {
      sensitive = typeof key === 'string' && this.matches(splitWords(key));
    } catch {
      sensitive = false;
    }
    if (typeof key === 'string' && key.length <= MAX_KEY_LENGTH) {
      if (this.cache.size >= KEY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, sensitive);
    }
    return sensitive;
  }

  /** Any run of consecutive words, joined, is a sensitive term; or a run ending at the last word is an ending. */
  private matches(words: string[]): boolean {
    const last = words.length - 1;
    for (let i = 0; i <= last; i++) {
      let joined = '';
      for (let j = i; j <= last; j++) {
        joined += words[j];
        if (joined.length > this.longest) break;
        if (this.anywhere.has(joined) || (j === last && this.endings.has(joined))) return true;
      }
    }
    return false;
  }
}

/** `X-Api-Key` → x, api, key; `userPassword` → user, password; `APIKey2` → api, key, 2. */
function splitWords(key: string): string[] {
  const words: string[] = [];
  let word = '';
  let prev = 0; // 0 none, 1 lower (or non-ASCII letter), 2 upper, 3 digit
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const type = c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 3 : c > 127 ? 1 : 0;
    if (type === 0) {
      if (word !== '') words.push(word);
      word = '';
    } else if (word !== '' && ((type === 3) !== (prev === 3) || (type === 2 && prev === 1))) {
      words.push(word);
      word = key[i]!.toLowerCase();
    } else if (type === 1 && prev === 2 && word.length > 1) {
      // The end of an acronym: `APIKey` splits before the K.
      words.push(word.slice(0, -1));
      word = word.slice(-1) + key[i];
    } else {
      word += type === 2 || c > 127 ? key[i]!.toLowerCase() : key[i];
    }
    prev = type;
  }
  if (word !== '') words.push(word);
  return words;
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

class RedactorImpl {
  readonly keys: KeyMatcher;
  private readonly settings: Settings;
  private readonly cardToken: (digits: string) => string;
  /**
   * How many more characters bracketed values may scan in the current redactPairs call. Unbalanced
   * brackets would otherwise be rescanned once per key, quadratic on hostile input.
   */
  private bracketBudget = 0;

  constructor(settings: Settings) {
    this.settings = settings;
    this.keys = settings.keys;
    this.cardToken = (digits) => this.token(digits, MASK_CARD);
  }

  redactString(s: string): string {
    if (typeof s !== 'string') return s;
    try {
      let out = s;
      if (this.settings.inlinePairs) {
        if (out.includes('://')) out = this.redactUrlPasswords(out);
        out = this.redactPairs(out);
      }
      if (this.settings.cards) out = replaceCards(out, this.cardToken);
      if (this.settings.emails && out.includes('@')) out = this.redactEmails(out);
      return out;
    } catch {
      return MASK; // A fault in a scanner must not let the line through unredacted.
    }
  }

  redactValue<T>(value: T): T {
    try {
      if (typeof value === 'string') return this.redactString(value) as T;
      if (typeof value !== 'object' || value === null) return this.redactScalar(value) as T;
      return this.redactTree(value, 0, [], undefined) as T;
    } catch {
      return value;
    }
  }

  redactInPlace(obj: Record<string | symbol, unknown>): void {
    try {
      if (typeof obj !== 'object' || obj === null || this.settings.maxDepth < 1) return;
      for (const key of Object.keys(obj)) {
        try {
          const value = obj[key];
          let result: unknown;
          if (this.keys.isSensitive(key)) result = this.replaceSensitive(key, value);
          else if (typeof value === 'string') result = this.redactField(key, value);
          else result = this.redactTree(value, 1, [obj], obj);
          if (!Object.is(result, value)) setOwn(obj, key, result);
        } catch {
          try {
            setOwn(obj, key, UNREADABLE);
          } catch {
            // A read-only property: nothing more can be done here.
          }
        }
      }
      // Symbol keys (winston's level, message, splat) are kept; their contents are redacted like any value.
      for (const sym of Object.getOwnPropertySymbols(obj)) {
        try {
          const value = obj[sym];
          const result = this.redactTree(value, 1, [obj], obj);
          if (!Object.is(result, value)) obj[sym] = result;
        } catch {
          // As above.
        }
      }
    } catch {
      // A hostile object (a proxy whose traps throw) is left as it is.
    }
  }

  // ---- values -------------------------------------------------------------------------------------

  /**
   * Walks `value` copying on write. A cycle is left pointing at the original object, which is right when
   * nothing on the cycle changed; when something did, the walk is redone with cycles cut, so that no copy
   * can lead back to an unredacted original.
   */
  private redactTree(value: unknown, depth: number, ancestors: object[], stable: object | undefined): unknown {
    const walk: Walk = { ancestors, stable, sawCycle: false, cutCycles: false };
    const result = this.walk(value, depth, walk);
    if (!walk.sawCycle || Object.is(result, value)) return result;
    walk.cutCycles = true;
    return this.walk(value, depth, walk);
  }

  private walk(value: unknown, depth: number, walk: Walk): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null) return this.redactScalar(value);
    if (depth >= this.settings.maxDepth) return value;
    if (walk.ancestors.includes(value)) {
      if (value === walk.stable) return value;
      walk.sawCycle = true;
      return walk.cutCycles ? CIRCULAR : value;
    }
    walk.ancestors.push(value);
    try {
      if (Array.isArray(value)) return this.walkArray(value, depth, walk);
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto === Object.prototype || proto === null) return this.walkObject(value as Record<string, unknown>, proto, depth, walk);
      if (value instanceof Error) return this.walkError(value, depth, walk);
      if (isOpaque(value)) return value;
      return this.walkObject(value as Record<string, unknown>, proto, depth, walk);
    } catch {
      return UNREADABLE;
    } finally {
      walk.ancestors.pop();
    }
  }

  private walkObject(obj: Record<string, unknown>, proto: object | null, depth: number, walk: Walk): unknown {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      let result: unknown;
      if (this.keys.isSensitive(key)) result = this.replaceSensitive(key, value);
      else if (typeof value === 'string') result = this.redactField(key, value);
      else result = this.walk(value, depth + 1, walk);
      if (!Object.is(result, value)) {
        copy ??= shallowCopy(obj, proto);
        setOwn(copy, key, result);
      }
    }
    return copy ?? obj;
  }

  private walkArray(array: unknown[], depth: number, walk: Walk): unknown {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const value = array[i];
      const result = this.walk(value, depth + 1, walk);
      if (!Object.is(result, value)) {
        copy ??= array.slice();
        copy[i] = result;
      }
    }
    return copy ?? array;
  }

  /** Errors carry their message, stack and cause as own non-enumerable properties: all are redacted. */
  private walkError(error: Error, depth: number, walk: Walk): unknown {
    let changes: Map<string, unknown> | undefined;
    for (const name of Object.getOwnPropertyNames(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, name);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      const value: unknown = descriptor.value;
      const result = this.keys.isSensitive(name) ? this.replaceSensitive(name, value) : this.walk(value, depth + 1, walk);
      if (!Object.is(result, value)) (changes ??= new Map()).set(name, result);
    }
    if (changes === undefined) return error;
    const copy = Object.create(Object.getPrototypeOf(error) as object | null) as Error;
    for (const key of Reflect.ownKeys(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
      if (typeof key === 'string' && changes.has(key)) descriptor.value = changes.get(key);
      Object.defineProperty(copy, key, descriptor);
    }
    return copy;
  }

  /** A string field; span and trace IDs are left alone even when all their hex digits are decimal. */
  private redactField(key: string, value: string): string {
    return (value.length === 16 || value.length === 32) && ID_FIELDS.has(key) ? value : this.redactString(value);
  }

  /** Numbers that are card numbers (a form field parsed to a number) become card tokens. */
  private redactScalar(value: unknown): unknown {
    if (!this.settings.cards) return value;
    if (typeof value === 'number') {
      if (value < 1e12 || !Number.isSafeInteger(value)) return value;
    } else if (typeof value === 'bigint') {
      if (value < 1_000_000_000_000n || value >= 10_000_000_000_000_000_000n) return value;
    } else {
      return value;
    }
    const digits = String(value);
    return isCardNumber(digits) ? this.cardToken(digits) : value;
  }

  /** The value of a sensitive key, whatever its type. null and undefined say only that nothing was given. */
  private replaceSensitive(key: string, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') {
      if (isRedacted(value)) return value;
      const scheme = AUTH_KEY_RE.test(key) ? schemeLength(value, 0, value.length) : 0;
      return scheme > 0 ? value.slice(0, scheme) + this.token(value.slice(scheme), MASK) : this.token(value, MASK);
    }
    if (this.settings.hmacKey === undefined) return MASK;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return this.token(String(value), MASK);
    if (value instanceof Uint8Array) return this.token(value, MASK);
    if (typeof value !== 'object') return MASK;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    return json === undefined ? MASK : this.token(json, MASK);
  }

  /** The mask, or in hmac mode the first 64 bits of HMAC-SHA256(secret, value) in hex. */
  private token(value: string | Uint8Array, mask: string): string {
    const key = this.settings.hmacKey;
    if (key === undefined) return mask;
    return `[hmac:${createHmac('sha256', key).update(value).digest().toString('hex', 0, 8)}]`;
  }

  // ---- strings ------------------------------------------------------------------------------------

  /**
   * `key=value`, `key: value`, `"key":"value"`, `key => 'value'`, `?key=value&…` with a sensitive key.
   * Every `=` and `:` is a candidate; the key before it is read backwards (at most 128 characters) and the
   * value after it forwards, and the scan resumes after the value, so the work is linear.
   */
  private redactPairs(s: string): string {
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
    const scheme = quoted && AUTH_KEY_RE.test(name) ? schemeLength(value, 0, value.length) : 0;
    const replacement = wrap + value.slice(0, scheme) + this.token(value.slice(scheme), MASK) + wrap;
    return { start, end, replacement };
  }

  /** `scheme://user:password@host` → the password is redacted, whatever the user is called. */
  private redactUrlPasswords(s: string): string {
    let out = '';
    let last = 0;
    let i = s.indexOf('://');
    while (i !== -1) {
      const from = i + 3;
      const at = scanWhile(s, from, (ch) => !URL_AUTHORITY_END.includes(ch) && !isSpace(ch));
      if (s[at] === '@') {
        const colon = s.indexOf(':', from);
        if (colon !== -1 && colon + 1 < at && !isRedacted(s.slice(colon + 1, at))) {
          out += s.slice(last, colon + 1) + this.token(s.slice(colon + 1, at), MASK);
          last = at;
        }
      }
      i = s.indexOf('://', Math.max(at, from));
    }
    return last === 0 ? s : out + s.slice(last);
  }

  /** Each `@` is expanded left over a local part (at most 64 characters) and right over a domain with a TLD. */
  private redactEmails(s: string): string {
    let out = '';
    let last = 0;
    let at = s.indexOf('@');
    while (at !== -1) {
      let a = at;
      while (a > last && at - a <= 64 && isLocalChar(s.charCodeAt(a - 1))) a--;
      let b = at + 1;
      while (b < s.length && b - at <= 255 && isDomainChar(s.charCodeAt(b))) b++;
      while (b > at + 1 && (s[b - 1] === '.' || s[b - 1] === '-')) b--;
      const domain = s.slice(at + 1, b);
      if (a < at && at - a <= 64 && s[a] !== '.' && isEmailDomain(domain)) {
        out += s.slice(last, a) + this.token(s.slice(a, b).toLowerCase(), MASK_EMAIL);
        last = b;
      }
      at = s.indexOf('@', Math.max(b, at + 1));
    }
    return last === 0 ? s : out + s.slice(last);
  }
}

interface Walk {
  ancestors: object[];
  /** The object redactInPlace mutates: references back to it stay valid. */
  stable: object | undefined;
  sawCycle: boolean;
  cutCycles: boolean;
}

interface Pair {
  start: number;
  end: number;
  replacement: string;
}

/** Characters that end an unquoted value (`password=hunter2&next=1`, `token=abc, user=bob`). */
const BARE_VALUE_END = `&,;"'\\)]}<>`;
const URL_AUTHORITY_END = `/?#@"'<>\\`;
/** Bracketed values (`session={…}`) longer than this are not matched as a whole. */
const MAX_BRACKETED = 16_384;
/** Keys whose values may start with an HTTP auth scheme worth keeping in view. */
const AUTH_KEY_RE = /auth|token/i;

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

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

/** The length of `Bearer ` (scheme and spaces) when `s` at `from` starts with a known scheme and a credential. */
function schemeLength(s: string, from: number, to: number): number {
  let i = from;
  while (i < to && i - from <= 16 && isSchemeChar(s.charCodeAt(i))) i++;
  if (i === from || s[i] !== ' ' || !AUTH_SCHEMES.has(s.slice(from, i).toLowerCase())) return 0;
  while (s[i] === ' ') i++;
  return i < to && !isSpace(s[i]!) ? i - from : 0;
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

function scanWhile(s: string, from: number, accept: (ch: string) => boolean): number {
  let i = from;
  while (i < s.length && accept(s[i]!)) i++;
  return i;
}

/** Already a token (`[REDACTED]`, `[hmac:…]`), or a scheme and a token (`Bearer [REDACTED]`). */
function isRedacted(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(value.length - 1) !== 93) return false;
  const open = value.lastIndexOf('[');
  if (open === -1 || !TOKEN_RE.test(value.slice(open))) return false;
  return open === 0 || schemeLength(value, 0, value.length) === open;
}

/** Class instances worth not walking: built-ins, emitters (sockets, requests), and objects that serialise themselves. */
function isOpaque(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set) return true;
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof ArrayBuffer) return true;
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return true;
  const candidate = value as { toJSON?: unknown; on?: unknown; emit?: unknown; [INSPECT_CUSTOM]?: unknown };
  if (typeof candidate.toJSON === 'function' || typeof candidate[INSPECT_CUSTOM] === 'function') return true;
  return typeof candidate.on === 'function' && typeof candidate.emit === 'function';
}

function shallowCopy(obj: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  if (proto === Object.prototype) return { ...obj };
  const copy = Object.create(proto) as Record<string | symbol, unknown>;
  for (const key of Object.keys(obj)) setOwn(copy, key, obj[key]);
  for (const sym of Object.getOwnPropertySymbols(obj)) {
    if (Object.prototype.propertyIsEnumerable.call(obj, sym)) copy[sym] = (obj as Record<symbol, unknown>)[sym];
  }
  return copy;
}

/** Assignment, except for a key named `__proto__`, which must stay an own property and not set the prototype. */
function setOwn(obj: Record<string | symbol, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** Labels of letters, digits and inner hyphens, at least two, the last all letters: `mail.example.co.uk`. */
function isEmailDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!);
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || c === 91 || c === 93;
}

function isSchemeChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

function isLocalChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45;
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}
