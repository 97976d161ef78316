// Redaction inside free text: runs the scanners a redactor is configured with (inline pairs, URL passwords, card numbers, e-mail addresses) over one string.
import { replaceCards } from './luhn.js';
import type { KeyMatcher } from './redact-keys.js';
import { PairRedactor, scanWhile } from './redact-pairs.js';
import { isRedacted, isSpace, MASK, MASK_CARD, MASK_EMAIL, type Token } from './redact-tokens.js';

const URL_AUTHORITY_END = `/?#@"'<>\\`;

export interface StringRules {
  keys: KeyMatcher;
  token: Token;
  cards: boolean;
  emails: boolean;
  inlinePairs: boolean;
}

export class StringRedactor {
  private readonly token: Token;
  private readonly cards: boolean;
  private readonly emails: boolean;
  private readonly inlinePairs: boolean;
  private readonly pairs: PairRedactor;
  readonly cardToken: (digits: string) => string;

  constructor(rules: StringRules) {
    this.token = rules.token;
    this.cards = rules.cards;
    this.emails = rules.emails;
    this.inlinePairs = rules.inlinePairs;
    this.pairs = new PairRedactor(rules.keys, rules.token);
    this.cardToken = (digits) => this.token(digits, MASK_CARD);
  }

  /**
   * Returns `s` itself when nothing matched. Each scanner runs only when a native search finds what it
   * needs (pairs and URLs a `:` or `=`, e-mails an `@`, cards 13 digits), so most messages cost a few searches.
   */
  redactString(s: string): string {
    if (typeof s !== 'string') return s;
    try {
      let out = s;
      if (this.inlinePairs) {
        const colon = s.includes(':');
        if (colon && s.includes('://')) out = this.redactUrlPasswords(out);
        if (colon || s.includes('=')) out = this.pairs.redact(out);
      }
      if (this.cards) out = replaceCards(out, this.cardToken);
      if (this.emails && out.includes('@')) out = this.redactEmails(out);
      return out;
    } catch {
      return MASK; // A fault in a scanner must not let the line through unredacted.
    }
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

/** Labels of letters, digits and inner hyphens, at least two, the last all letters: `mail.example.co.uk`. */
function isEmailDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!);
}

function isLocalChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45;
}
