// Redaction: keeps passwords, tokens, cookies, card numbers and (when asked) e-mail addresses out of logs.
//
// The loggers' adapters run it on every call and the agent runs it again on every line (DESIGN.md,
// invariant 4), so it must be cheap when nothing matches, linear on any input, idempotent (the agent
// leaves the adapters' tokens alone), and it must never throw once constructed. This file is its public
// face: the options, their checking, and createRedactor. The work is done by redact-keys (which keys are
// sensitive), redact-strings and redact-pairs (free text), redact-tokens (what replaces a value) and
// redact-walk (objects).
import { createSecretKey, type KeyObject } from 'node:crypto';
import { LogstitchError } from './errors.js';
import { DEFAULT_SENSITIVE_KEY_ENDINGS, DEFAULT_SENSITIVE_KEYS, KeyMatcher, normalizeKey } from './redact-keys.js';
import { StringRedactor } from './redact-strings.js';
import { tokenFor } from './redact-tokens.js';
import { ValueRedactor } from './redact-walk.js';

export { passesLuhn } from './luhn.js';
export { DEFAULT_SENSITIVE_KEY_ENDINGS, DEFAULT_SENSITIVE_KEYS } from './redact-keys.js';

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
  /**
   * Mutates a plain object in place (winston's info objects keep their Symbol keys); nested objects are
   * replaced by redacted copies, never mutated. With `symbols` false, values under symbol keys are left
   * alone. Returns whether anything was replaced.
   */
  redactInPlace(obj: Record<string | symbol, unknown>, symbols?: boolean): boolean;
  /** True when a key name is sensitive. */
  isSensitiveKey(key: string): boolean;
}

const MIN_SECRET_BYTES = 16;
const DEFAULT_MAX_DEPTH = 8;

export function createRedactor(options: RedactOptions = {}): Redactor {
  const { keys, cards, emails, inlinePairs, hmacKey, maxDepth } = validate(options);
  const token = tokenFor(hmacKey);
  const strings = new StringRedactor({ keys, token, cards, emails, inlinePairs });
  const values = new ValueRedactor({ keys, strings, token, hashing: hmacKey !== undefined, cards, maxDepth });
  // Arrow functions, not methods: callers pass `redactor.redactString` around unbound.
  return {
    redactString: (s) => strings.redactString(s),
    redactValue: (value) => values.redactValue(value),
    redactInPlace: (obj, symbols) => values.redactInPlace(obj, symbols),
    isSensitiveKey: (key) => keys.isSensitive(key),
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
