// Sensitive key names: the default lists, and the matcher that decides whether a key such as `X-Api-Key` or `userPassword` is one.

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

/** Keys longer than this are checked but not cached; keys in free text longer than this are not keys. */
export const MAX_KEY_LENGTH = 128;
const KEY_CACHE_SIZE = 1000;

/** Decides whether a key name is sensitive, remembering its recent answers. */
export class KeyMatcher {
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
    // Kept this small so that it is inlined where keys are checked; the cache answers nearly every call.
    const known = this.cache.get(key);
    return known !== undefined ? known : this.decide(key);
  }

  private decide(key: string): boolean {
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

/** Lowercase letters and digits only: how configured key names are compared (`X-Tenant-Code` → `xtenantcode`). */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
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
