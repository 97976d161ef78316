// Card numbers in free text: the Luhn check, and one linear scan that finds Luhn-valid 13–19 digit numbers.
//
// What counts as a card here, and why:
// - 13 to 19 digits, written plain or in groups split by one space or one dash (`4111 1111 1111 1111`).
// - It starts with 2–6 (the payment networks' major industry identifiers), or is a 15-digit number
//   starting with 1 (UATP). Epoch timestamps in ms, µs and ns start with 1 and have 13, 16 and 19 digits,
//   and pino writes one on every line: without this rule one line in ten would lose its time.
// - It passes the Luhn check, so a random 16-digit order ID survives nine times in ten.
// - It stands alone: a digit run touching a letter, a digit or `_` (hex IDs, longer numbers, `v1234…`), or
//   joined to a word by `-` or `.` (`ord-4111…`, `4111….50`), is an identifier, not a card.
// - A 16-digit run written as the value of a span ID field (`"span_id":"4111…"`) is a span ID.
// In a grouped run longer than a card (a card followed by its CVV), group-aligned spans are tried so the
// card inside is still found; a UUID-shaped run is never split.

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

/** Cheap test run before the scan: 13 digits in a row, allowing one space or dash between any two. */
const CARD_PRECHECK = /\d(?:[ -]?\d){12}/;

/** Keys whose 16-hex values are span or trace IDs, as written in JSON lines and logfmt (normalised). */
const ID_KEYS = new Set(['spanid', 'parentspanid', 'parentid', 'traceid', 'ddspanid', 'ddtraceid']);

/** True when `digits` (ASCII digits only, at least two) passes the Luhn (mod 10) check. */
export function passesLuhn(digits: string): boolean {
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when a string of digits has a card's length, prefix and check digit. */
export function isCardNumber(digits: string): boolean {
  return hasCardShape(digits.charCodeAt(0), digits.length) && passesLuhn(digits);
}

function hasCardShape(first: number, length: number): boolean {
  if (length < MIN_DIGITS || length > MAX_DIGITS) return false;
  return (first >= 50 && first <= 54) || (first === 49 && length === 15);
}

/**
 * Replaces every card number in `s` with `token(digits)` (digits without separators). Returns `s` itself
 * when there is none. Linear in the length of `s`.
 */
export function replaceCards(s: string, token: (digits: string) => string): string {
  if (s.length < MIN_DIGITS || !CARD_PRECHECK.test(s)) return s;
  const n = s.length;
  let out = '';
  let last = 0;
  let i = 0;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    // The maximal run of digit groups starting here, each group joined to the next by one separator.
    const start = i;
    let digits = 0;
    let groups = 1;
    for (;;) {
      while (i < n && isDigit(s.charCodeAt(i))) {
        i++;
        digits++;
      }
      if (i + 1 < n && isSeparator(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1))) {
        i++;
        groups++;
        continue;
      }
      break;
    }
    const end = i;
    if (digits < MIN_DIGITS || !standsAlone(s, start, end)) continue;
    if (groups === 1) {
      if (cardEnd(s, start, end) === end && !(digits === 16 && isIdValue(s, start))) {
        out += s.slice(last, start) + token(s.slice(start, end));
        last = end;
      }
      continue;
    }
    if (isUuidShaped(s, start, end)) continue;
    // A grouped run: from each group, the shortest group-aligned card, left to right.
    let g = start;
    while (g < end) {
      const to = cardEnd(s, g, end);
      if (to !== -1) {
        out += s.slice(last, g) + token(digitsOf(s, g, to));
        last = to;
        g = to;
      }
      while (g < end && isDigit(s.charCodeAt(g))) g++;
      g++;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * The end of the shortest card starting at `from` and ending at a group end before `end`, or -1. The
 * Luhn sums are kept for both parities as digits are added, so each candidate end costs O(1).
 */
function cardEnd(s: string, from: number, end: number): number {
  const first = s.charCodeAt(from);
  let count = 0;
  let evenDoubled = 0; // the sum when digits at even indices (from the left) are doubled
  let oddDoubled = 0;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    const d = c - 48;
    const doubled = d < 5 ? d * 2 : d * 2 - 9;
    if (count % 2 === 0) {
      evenDoubled += doubled;
      oddDoubled += d;
    } else {
      evenDoubled += d;
      oddDoubled += doubled;
    }
    count++;
    if (count > MAX_DIGITS) return -1;
    const groupEnds = i + 1 === end || !isDigit(s.charCodeAt(i + 1));
    // The rightmost digit is never doubled: the doubled ones have the other parity.
    if (groupEnds && hasCardShape(first, count) && ((count - 1) % 2 === 0 ? oddDoubled : evenDoubled) % 10 === 0) return i + 1;
  }
  return -1;
}

/** No letter, digit or `_` on either side, nor a word joined by `-` or `.`; not inside an `[hmac:…]` token. */
function standsAlone(s: string, start: number, end: number): boolean {
  const before = start > 0 ? s.charCodeAt(start - 1) : -1;
  if (isWordChar(before)) return false;
  if ((before === 45 || before === 46) && start > 1 && isWordChar(s.charCodeAt(start - 2))) return false;
  if (before === 58 && s.startsWith('[hmac', start - 6)) return false;
  const after = end < s.length ? s.charCodeAt(end) : -1;
  if (isWordChar(after)) return false;
  if ((after === 45 || after === 46) && end + 1 < s.length && isWordChar(s.charCodeAt(end + 1))) return false;
  return true;
}

/** 8-4-4-4-12 with dashes: a UUID that happens to be all digits. */
function isUuidShaped(s: string, start: number, end: number): boolean {
  if (end - start !== 36) return false;
  for (const offset of [8, 13, 18, 23]) if (s.charCodeAt(start + offset) !== 45) return false;
  return true;
}

/** The run at `start` is the value of a span/trace ID key: `span_id":"…`, `spanId=…`, `span_id: …`. */
function isIdValue(s: string, start: number): boolean {
  let i = start - 1;
  if (i >= 0 && (s[i] === '"' || s[i] === "'")) i--;
  if (i >= 0 && s[i] === '\\') i--;
  while (i >= 0 && s[i] === ' ') i--;
  if (i < 0 || (s[i] !== ':' && s[i] !== '=')) return false;
  i--;
  while (i >= 0 && s[i] === ' ') i--;
  if (i >= 0 && (s[i] === '"' || s[i] === "'")) i--;
  if (i >= 0 && s[i] === '\\') i--;
  let key = '';
  for (let k = 0; i >= 0 && k < 32; i--, k++) {
    const c = s.charCodeAt(i);
    if (c === 95 || c === 45 || c === 46) continue;
    if (!isWordChar(c)) break;
    key = String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c) + key;
  }
  return ID_KEYS.has(key);
}

function digitsOf(s: string, from: number, to: number): string {
  let digits = '';
  for (let i = from; i < to; i++) if (isDigit(s.charCodeAt(i))) digits += s[i];
  return digits;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 45;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
