// What a redacted value becomes (a mask or an HMAC token), and how a value already redacted is recognised so that a second pass leaves it alone.
import { createHmac, type KeyObject } from 'node:crypto';

export const MASK = '[REDACTED]';
export const MASK_CARD = '[REDACTED:card]';
export const MASK_EMAIL = '[REDACTED:email]';

/** The mask for a value, or in hmac mode a token derived from it. */
export type Token = (value: string | Uint8Array, mask: string) => string;

const TOKEN_RE = /^\[(?:REDACTED(?::[a-z]+)?|hmac:[0-9a-f]{16})\]$/;
/** HTTP authentication schemes: the scheme is kept in view, the credential after it is redacted. */
const AUTH_SCHEMES = new Set([
  'basic', 'bearer', 'digest', 'token', 'negotiate', 'ntlm', 'apikey', 'bot', 'dpop', 'hoba', 'mutual',
  'vapid', 'oauth', 'kerberos', 'aws4-hmac-sha256', 'sharedkey', 'gssapi',
]);
/** Keys whose values may start with an HTTP auth scheme worth keeping in view. */
export const AUTH_KEY_RE = /auth|token/i;

/** With no key, the mask itself; with one, `[hmac:<16 hex>]`, the first 64 bits of HMAC-SHA256(key, value). */
export function tokenFor(hmacKey: KeyObject | undefined): Token {
  if (hmacKey === undefined) return (_value, mask) => mask;
  return (value) => `[hmac:${createHmac('sha256', hmacKey).update(value).digest().toString('hex', 0, 8)}]`;
}

/** The whole value of a sensitive key, except an auth scheme before it (`Bearer [REDACTED]`). */
export function maskCredential(key: string, value: string, token: Token): string {
  const scheme = AUTH_KEY_RE.test(key) ? schemeLength(value, 0, value.length) : 0;
  return scheme > 0 ? value.slice(0, scheme) + token(value.slice(scheme), MASK) : token(value, MASK);
}

/** Already a token (`[REDACTED]`, `[hmac:…]`), or a scheme and a token (`Bearer [REDACTED]`). */
export function isRedacted(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(value.length - 1) !== 93) return false;
  const open = value.lastIndexOf('[');
  if (open === -1 || !TOKEN_RE.test(value.slice(open))) return false;
  return open === 0 || schemeLength(value, 0, value.length) === open;
}

/** The length of `Bearer ` (scheme and spaces) when `s` at `from` starts with a known scheme and a credential. */
export function schemeLength(s: string, from: number, to: number): number {
  let i = from;
  while (i < to && i - from <= 16 && isSchemeChar(s.charCodeAt(i))) i++;
  if (i === from || s[i] !== ' ' || !AUTH_SCHEMES.has(s.slice(from, i).toLowerCase())) return 0;
  while (s[i] === ' ') i++;
  return i < to && !isSpace(s[i]!) ? i - from : 0;
}

/** The white space that ends a bare value or a credential. */
export function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function isSchemeChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}
