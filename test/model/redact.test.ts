// Redaction: sensitive keys, inline pairs, cards, e-mails, the hmac mode, the walk over values, and the
// promises the loggers rely on (no mutation, no throw, IDs untouched, linear time).
import { createHmac, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { formatWithOptions } from 'node:util';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { LogstitchError } from '../../src/model/errors.js';
import * as model from '../../src/model/index.js';
import { createRedactor, DEFAULT_SENSITIVE_KEYS, passesLuhn, type RedactOptions } from '../../src/model/redact.js';

const SECRET = 'a-test-secret-of-32-bytes-length';
const HMAC_TOKEN = /^\[hmac:[0-9a-f]{16}\]$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
/** All decimal, Luhn-valid and starting with 4: a span ID that looks exactly like a Visa number. */
const DIGIT_SPAN_ID = '4111111111111111';

const mask = createRedactor();
const withEmails = createRedactor({ emails: true });
const hmac = (options: RedactOptions = {}) => createRedactor({ mode: 'hmac', secret: SECRET, ...options });

/** Card numbers that pass Luhn, from the networks' published test numbers. */
const CARDS = {
  visa: '4111111111111111',
  visa13: '4222222222222',
  mastercard: '5555555555554444',
  mastercard2: '2223003122003222',
  amex: '378282246310005',
  discover: '6011111111111117',
  jcb: '3530111333300000',
  uatp: '122000000000003',
  visa19: '4000000000000000006',
};

/** A Luhn-valid number with the given prefix and length. */
function luhnNumber(prefix: string, length: number): string {
  const body = prefix.padEnd(length - 1, '0');
  for (let check = 0; check <= 9; check++) if (passesLuhn(body + check)) return body + check;
  throw new Error('unreachable');
}

function expectedHmac(secret: string, value: string): string {
  return `[hmac:${createHmac('sha256', secret).update(value).digest('hex').slice(0, 16)}]`;
}

describe('sensitive keys', () => {
  it.each([
    'password', 'userPassword', 'user_password', 'PASSWORD', 'passWord', 'db.password', 'passwd', 'pwd', 'passphrase',
    'secret', 'clientSecret', 'client_secret', 'token', 'access_token', 'accessToken', 'refresh-token', 'X-Auth-Token',
    'id_token', 'oauth2Token', 'authorization', 'Authorization', 'proxy-authorization', 'auth', 'cookie', 'Cookie',
    'set-cookie', 'Set-Cookie', 'cookies', 'apikey', 'apiKey', 'api_key', 'api-key', 'X-Api-Key', 'APIKey', 'API_KEY',
    'private_key', 'privateKey', 'access_key', 'secretAccessKey', 'credentials', 'credential', 'cardNumber',
    'card_number', 'card', 'creditCard', 'credit_card_number', 'cvv', 'cvv2', 'cvc', 'pan', 'ssn', 'pin', 'pinCode',
    'session', 'userSession', 'sessionId', 'session_id', 'X-Session-Id', 'JSESSIONID', 'PHPSESSID', 'connect.sid', 'sid',
    'db_pass', 'DB_PASS', 'smtpPass', 'jwt', 'otp', 'iban', 'headers[authorization]', 'user[password]', '--password',
  ])('%s is sensitive', (key) => {
    expect(mask.isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'cardinality', 'tokenizer', 'author', 'authorId', 'spinner', 'sessionCount', 'session_duration_ms', 'sessions',
    'cardType', 'card_brand', 'card_last4', 'sidebar', 'passThrough', 'bypass', 'pass_rate', 'keyboard', 'key',
    'cacheKey', 'partition_key', 'panel', 'timespan', 'pinned', 'secretary', 'user', 'email', 'trace_id', 'span_id',
    'message', 'level', 'msg', 'url', '', '12',
  ])('%s is not sensitive', (key) => {
    expect(mask.isSensitiveKey(key)).toBe(false);
  });

  it('extends the defaults with extra keys, matched across separators and case', () => {
    const r = createRedactor({ keys: ['x-tenant-code', 'nationalId'] });
    expect(['X-Tenant-Code', 'x_tenant_code', 'xTenantCode', 'NATIONAL_ID', 'user.nationalId', 'password'].map(r.isSensitiveKey)).toEqual([true, true, true, true, true, true]);
    expect(r.isSensitiveKey('tenant')).toBe(false);
  });

  it('replaces the defaults, endings included, when asked', () => {
    const r = createRedactor({ keys: ['nationalId'], replaceDefaultKeys: true });
    expect(['password', 'session', 'card', 'nationalId'].map(r.isSensitiveKey)).toEqual([false, false, false, true]);
    expect(r.redactString('password=hunter2 national_id=123')).toBe('password=hunter2 national_id=[REDACTED]');
  });

  it('keeps answering correctly after its bounded cache has turned over many times', () => {
    for (let i = 0; i < 5000; i++) expect(mask.isSensitiveKey(`field${i}`)).toBe(false);
    for (let i = 0; i < 5000; i++) expect(mask.isSensitiveKey(`field${i}Token`)).toBe(true);
    expect(mask.isSensitiveKey('password')).toBe(true);
    expect(mask.isSensitiveKey(`${'a'.repeat(10_000)}_password`)).toBe(true);
  });

  it('lists its defaults in a readable form', () => {
    expect(DEFAULT_SENSITIVE_KEYS).toContain('password');
    expect(DEFAULT_SENSITIVE_KEYS).toContain('set-cookie');
  });
});

describe('inline pairs in strings', () => {
  it.each([
    ['password=hunter2 user=bob', 'password=[REDACTED] user=bob'],
    ['login failed user=bob password=hunter2', 'login failed user=bob password=[REDACTED]'],
    ['password = hunter2', 'password = [REDACTED]'],
    ['token: abc123 next', 'token: [REDACTED] next'],
    ['DB_PASSWORD="s3cret value" PORT=5432', 'DB_PASSWORD="[REDACTED]" PORT=5432'],
    ["api_key='k-123'", "api_key='[REDACTED]'"],
    ['{"user":"bob","secret":"x","n":1}', '{"user":"bob","secret":"[REDACTED]","n":1}'],
    ['{"password" : "a\\"b", "x": 1}', '{"password" : "[REDACTED]", "x": 1}'],
    ['{"pin":1234,"ok":true}', '{"pin":"[REDACTED]","ok":true}'],
    ['{"password":null}', '{"password":null}'],
    ['{"session":{"id":"abc","user":"bob"},"x":1}', '{"session":"[REDACTED]","x":1}'],
    ['{"tokens":["a","b"],"credentials":["a","b"]}', '{"tokens":["a","b"],"credentials":"[REDACTED]"}'],
    ['{"msg":"login {\\"password\\":\\"x\\"}"}', '{"msg":"login {\\"password\\":\\"[REDACTED]\\"}"}'],
    ['Authorization: Bearer eyJhbGciOi.e30.sig', 'Authorization: Bearer [REDACTED]'],
    ['authorization: Basic dXNlcjpwYXNz', 'authorization: Basic [REDACTED]'],
    ['Authorization: Bearer abc, Accept: */*', 'Authorization: Bearer [REDACTED], Accept: */*'],
    ['(Authorization: Bearer abc)', '(Authorization: Bearer [REDACTED])'],
    ['Authorization: Digest username="Mufasa", realm="a realm", nonce="dcd98b", response="6629fae4" done', 'Authorization: Digest [REDACTED] done'],
    ['Authorization: opaque-credential', 'Authorization: [REDACTED]'],
    ['{"authorization":"Bearer abc.def"}', '{"authorization":"Bearer [REDACTED]"}'],
    ['Cookie: sid=abc; theme=dark\nnext line', 'Cookie: [REDACTED]\nnext line'],
    ['Set-Cookie: sid=abc; Path=/; HttpOnly', 'Set-Cookie: [REDACTED]'],
    ['GET /cb?token=abc&x=1', 'GET /cb?token=[REDACTED]&x=1'],
    ['https://x.test/#access_token=abc&state=1', 'https://x.test/#access_token=[REDACTED]&state=1'],
    ['user[password]=abc&user[name]=bob', 'user[password]=[REDACTED]&user[name]=bob'],
    ["'password' => 'secret', 'user' => 'bob'", "'password' => '[REDACTED]', 'user' => 'bob'"],
    ['run --password=hunter2 --verbose', 'run --password=[REDACTED] --verbose'],
    ['postgres://app:s3cret@db:5432/orders', 'postgres://app:[REDACTED]@db:5432/orders'],
    ['redis://:s3cret@cache:6379', 'redis://:[REDACTED]@cache:6379'],
  ])('%j → %j', (input, output) => {
    expect(mask.redactString(input)).toBe(output);
  });

  it.each([
    'password reset requested for bob',
    'password=',
    'if (a == b) token',
    'at handler (/app/src/auth.js:12:5)',
    'see https://example.com/token:abc',
    'std::token::value',
    'GET /api/auth?next=/home 200',
    'user=bob role=admin',
    'ok: true, count: 3',
  ])('leaves %j alone', (input) => {
    expect(mask.redactString(input)).toBe(input);
  });

  it("redacts what console.log prints for an object (util.inspect's `key: 'value'` form)", () => {
    const printed = formatWithOptions({ colors: false }, 'login %o', {
      user: 'bob',
      password: 'hunter2',
      headers: { authorization: 'Bearer abc', accept: 'json' },
      session: { id: 's-1', user: { name: 'bob', roles: ['a', 'b'] } },
      list: Array.from({ length: 30 }, (_, i) => ({ i, token: `t${i}` })),
    });
    const out = mask.redactString(printed);
    expect(out).toContain("password: '[REDACTED]'");
    expect(out).toContain("authorization: 'Bearer [REDACTED]', accept: 'json'");
    expect(out).toContain('session: [REDACTED],');
    expect(out).toContain("user: 'bob'");
    expect(out).not.toMatch(/hunter2|abc|s-1|'t\d+'/);
  });

  it('can be turned off', () => {
    const r = createRedactor({ inlinePairs: false });
    expect(r.redactString('password=hunter2 postgres://a:b@c')).toBe('password=hunter2 postgres://a:b@c');
  });
});

describe('card numbers in strings', () => {
  it.each(Object.entries(CARDS))('redacts a %s number', (_network, card) => {
    expect(mask.redactString(`paid with ${card} today`)).toBe('paid with [REDACTED:card] today');
  });

  it.each([
    ['4111 1111 1111 1111', '[REDACTED:card]'],
    ['4111-1111-1111-1111', '[REDACTED:card]'],
    ['3782 822463 10005', '[REDACTED:card]'],
    ['card:4111111111111111,', 'card:[REDACTED:card],'],
    ['(4111111111111111)', '([REDACTED:card])'],
    ['paid with 4111111111111111.', 'paid with [REDACTED:card].'],
    ['/cards/4111111111111111/verify', '/cards/[REDACTED:card]/verify'],
    ['4111 1111 1111 1111 123', '[REDACTED:card] 123'],
    ['qty 12 4111111111111111', 'qty 12 [REDACTED:card]'],
    ['a 4111111111111111 and 5555-5555-5555-4444', 'a [REDACTED:card] and [REDACTED:card]'],
  ])('%j → %j', (input, output) => {
    expect(mask.redactString(input)).toBe(output);
  });

  it.each([
    ['an order ID that fails Luhn', 'order 4111111111111112 shipped'],
    ['a 25-digit number', `ref ${'4111111111111111'}411111111`],
    ['a 10 KB digit run', '4'.repeat(10_000)],
    ['digits glued to letters', 'v4111111111111111 4111111111111111x'],
    ['digits glued with an underscore', 'id_4111111111111111'],
    ['an identifier with a dash', 'ord-4111111111111111'],
    ['a decimal', 'total 4111111111111111.50'],
    ['two spaces between groups', '4111  1111  1111  1111'],
    ['epoch milliseconds', 'time=1732406400000'],
    ['epoch microseconds', 'start_us=1732406400000000'],
    ['epoch nanoseconds', 'ts=1732406400000000000'],
    ['a Luhn-valid number with no card prefix', `id ${luhnNumber('9', 16)} and ${luhnNumber('0', 16)} and ${luhnNumber('1', 16)}`],
    ['a short number', 'phone 555-123-4567'],
  ])('leaves %s alone', (_name, input) => {
    expect(mask.redactString(input)).toBe(input);
  });

  it('can be turned off', () => {
    expect(createRedactor({ cards: false }).redactString('4111111111111111')).toBe('4111111111111111');
  });
});

describe('IDs and timestamps survive', () => {
  const survivors = [
    TRACE_ID,
    SPAN_ID,
    '12345678901234567890123456789012',
    '550e8400-e29b-41d4-a716-446655440000',
    '41111111-1111-4111-8111-111111111111',
    '2024-01-15T10:30:00.123456Z',
    '2024-01-15 10:30:00,123',
    `00-${TRACE_ID}-${SPAN_ID}-01`,
    `${TRACE_ID}:${SPAN_ID}:0:1`,
    `trace_id=${TRACE_ID} span_id=${DIGIT_SPAN_ID} parent_span_id=${DIGIT_SPAN_ID}`,
    `{"trace_id":"${TRACE_ID}","span_id":"${DIGIT_SPAN_ID}","spanId":"${DIGIT_SPAN_ID}"}`,
  ];

  it.each(survivors)('%s', (id) => {
    for (const r of [mask, withEmails, hmac({ emails: true })]) expect(r.redactString(`line ${id} end`)).toBe(`line ${id} end`);
  });

  it('in structured fields, even a span ID that looks like a card', () => {
    const line = { trace_id: TRACE_ID, span_id: DIGIT_SPAN_ID, spanId: DIGIT_SPAN_ID, parentSpanId: DIGIT_SPAN_ID, time: 1732406400000, start_us: 1732406400000000 };
    expect(mask.redactValue(line)).toBe(line);
  });

  it('yet the same digits in any other field are a card', () => {
    expect(mask.redactValue({ note: DIGIT_SPAN_ID })).toEqual({ note: '[REDACTED:card]' });
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['mail bob.smith+tag@Example.COM. ok', 'mail [REDACTED:email]. ok'],
    ['<alice@mail.example.co.uk>', '<[REDACTED:email]>'],
    ['to=a@b.io,c_d@e-f.org', 'to=[REDACTED:email],[REDACTED:email]'],
  ])('%j → %j', (input, output) => {
    expect(withEmails.redactString(input)).toBe(output);
  });

  it.each(['pkg@1.2.3', '@scope/pkg', 'user@localhost', 'a@b.c', 'x@-bad.com', 'two@@signs.com'])('leaves %j alone', (input) => {
    expect(withEmails.redactString(input)).toBe(input);
  });

  it('is off by default', () => {
    expect(mask.redactString('bob@example.com')).toBe('bob@example.com');
  });
});

describe('redactString', () => {
  it('returns the same string instance when nothing matched', () => {
    const s = `request completed in 12 ms ${TRACE_ID}`;
    expect(mask.redactString(s)).toBe(s);
    expect(hmac({ emails: true }).redactString(s)).toBe(s);
  });

  const idempotenceInputs = [
    'password=hunter2 4111 1111 1111 1111 bob@example.com',
    'Authorization: Bearer abc',
    '{"secret":"x","pin":12,"session":{"a":1}}',
    'Cookie: a=b; c=d',
    'postgres://app:s3cret@db/x',
    "'password' => 'x'",
  ];
  it.each(idempotenceInputs)('is idempotent on %j, so the agent can run it again after the adapters', (input) => {
    for (const r of [withEmails, hmac({ emails: true })]) {
      const once = r.redactString(input);
      expect(once).not.toBe(input);
      expect(r.redactString(once)).toBe(once);
    }
  });

  it('works when its methods are passed around unbound', () => {
    const { redactString, redactValue, isSensitiveKey } = createRedactor();
    expect(redactString('password=x')).toBe('password=[REDACTED]');
    expect(redactValue({ token: 'x' })).toEqual({ token: '[REDACTED]' });
    expect(isSensitiveKey('token')).toBe(true);
  });

  it('handles a 1 MB line of mixed and hostile content, finding what it should', () => {
    const chunk = [
      'x'.repeat(200),
      ':'.repeat(50),
      '='.repeat(50),
      'a'.repeat(100) + '@',
      'password={"a":[',
      '"token":"abc",',
      '"session":{"a":[',
      '4111 '.repeat(40),
      `${TRACE_ID} `,
      'password=hunter2 ',
      '4111111111111111 ',
    ].join(' ');
    const line = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
    const out = withEmails.redactString(line);
    expect(out).not.toContain('hunter2');
    expect(out).not.toMatch(/(?<![\d ])4111111111111111 /);
    expect(out.split(TRACE_ID).length).toBe(line.split(TRACE_ID).length);
  });

  it('handles 1 MB of each single hostile pattern', () => {
    const patterns = ['a', '@', 'a@', '1', '1 ', '4-', ':', '= ', 'password=', 'password={', '"password":"', 'Authorization: Bearer ', 'x://', 'a.b@', '{"', '\\"'];
    for (const p of patterns) {
      const line = p.repeat(Math.ceil(1_000_000 / p.length));
      expect(typeof withEmails.redactString(line)).toBe('string');
    }
    expect(mask.redactString('4'.repeat(10_000))).toBe('4'.repeat(10_000));
    expect(mask.redactString('4111 '.repeat(2_000))).not.toContain('4111 1111');
  });

  it('never throws on random input and stays idempotent', () => {
    const alphabet = ['=', ':', ' ', '"', "'", '\\', '{', '}', '[', ']', '@', '.', '-', '/', '&', ',', ';', '\n', 'password', 'token', 'Bearer', 'a', 'Z', '4', '1', '4111111111111111', 'x.io', '://'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const length = next() % 40;
      for (let i = 0; i < length; i++) s += alphabet[next() % alphabet.length];
      const once = withEmails.redactString(s);
      expect(typeof once).toBe('string');
      expect(withEmails.redactString(once), JSON.stringify(s)).toBe(once);
    }
  });
});

describe('redactValue', () => {
  it('replaces a sensitive key whatever its value, walks the rest, and leaves non-data objects alone', () => {
    const when = new Date(0);
    const buf = Buffer.from('raw');
    const input = {
      user: 'bob',
      password: 'hunter2',
      pin: 1234,
      credentials: { user: 'bob', pass: 'x' },
      tokens: ['a', 'b'],
      apiKey: Buffer.from('k'),
      session: null,
      secret: undefined,
      note: 'card 4111 1111 1111 1111 password=x',
      amount: 4111111111111111,
      big: 4111111111111111n,
      when,
      buf,
      headers: { Authorization: 'Bearer abc', accept: 'json', cookie: ['a=b'] },
      list: [{ token: 't' }, 'ok', [{ ssn: '123-45-6789' }]],
    };
    expect(mask.redactValue(input)).toEqual({
      user: 'bob',
      password: '[REDACTED]',
      pin: '[REDACTED]',
      credentials: '[REDACTED]',
      tokens: ['a', 'b'],
      apiKey: '[REDACTED]',
      session: null,
      secret: undefined,
      note: 'card [REDACTED:card] password=[REDACTED]',
      amount: '[REDACTED:card]',
      big: '[REDACTED:card]',
      when,
      buf,
      headers: { Authorization: 'Bearer [REDACTED]', accept: 'json', cookie: '[REDACTED]' },
      list: [{ token: '[REDACTED]' }, 'ok', [{ ssn: '[REDACTED]' }]],
    });
    const out = mask.redactValue(input);
    expect(out.when).toBe(when);
    expect(out.buf).toBe(buf);
  });

  it('never mutates its input, and copies only the paths that changed', () => {
    const untouched = { a: 1, deep: { b: [1, 2, 3] } };
    const input = { keep: untouched, change: { inner: { password: 'x' }, sibling: { c: 1 } }, list: [untouched, { token: 't' }] };
    const before = structuredClone(input);
    const out = mask.redactValue(input);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out.keep).toBe(untouched);
    expect(out.change).not.toBe(input.change);
    expect(out.change.sibling).toBe(input.change.sibling);
    expect(out.list[0]).toBe(untouched);
    expect(out.list).not.toBe(input.list);
  });

  it('returns untouched input as it is', () => {
    const input = { msg: 'hello', n: 1, nested: { list: [1, 'two', { three: 3 }] }, when: new Date(), nan: Number.NaN };
    expect(mask.redactValue(input)).toBe(input);
    for (const value of [null, undefined, 42, 'plain', true, Symbol.for('x')]) expect(mask.redactValue(value)).toBe(value);
  });

  it('walks own properties only, as JSON.stringify does: inherited ones are neither redacted nor copied', () => {
    const proto = { password: 'inherited', note: 'token=abc' };
    const input = Object.assign(Object.create(proto) as Record<string, unknown>, { user: 'bob' });
    expect(mask.redactValue(input)).toBe(input);
    const info = Object.assign(Object.create(proto) as Record<string, unknown>, { user: 'bob', token: 't' });
    mask.redactInPlace(info);
    expect(Object.keys(info)).toEqual(['user', 'token']);
    expect(JSON.stringify(info)).toBe('{"user":"bob","token":"[REDACTED]"}');
    expect(proto).toEqual({ password: 'inherited', note: 'token=abc' });
  });

  it('does not loop on cycles, and returns an unchanged cyclic value as it is', () => {
    const a: Record<string, unknown> = { name: 'a', list: [] as unknown[] };
    a.self = a;
    (a.list as unknown[]).push(a, { back: a });
    expect(mask.redactValue(a)).toBe(a);
  });

  it('cuts cycles in a changed value, so no path leads back to an unredacted original', () => {
    const a: Record<string, unknown> = { password: 'x', child: {} };
    a.self = a;
    (a.child as Record<string, unknown>).parent = a;
    const out = mask.redactValue(a) as Record<string, unknown>;
    expect(out).toEqual({ password: '[REDACTED]', child: { parent: '[Circular]' }, self: '[Circular]' });
    expect(a.password).toBe('x');
    expect(JSON.stringify(out)).not.toContain('"x"');
  });

  it('shares non-cyclic references without treating them as cycles', () => {
    const shared = { token: 't' };
    expect(mask.redactValue({ a: shared, b: shared })).toEqual({ a: { token: '[REDACTED]' }, b: { token: '[REDACTED]' } });
  });

  it('walks maxDepth levels, checks keys on the last of them and leaves deeper values as they are', () => {
    const deep = { password: 'deep', note: 'password=deep' };
    const input = { l1: { password: 'a', l2: { password: 'b', l3: deep } } };
    expect(createRedactor({ maxDepth: 2 }).redactValue(input)).toEqual({ l1: { password: '[REDACTED]', l2: { password: 'b', l3: deep } } });
    expect(createRedactor({ maxDepth: 3 }).redactValue(input)).toEqual({ l1: { password: '[REDACTED]', l2: { password: '[REDACTED]', l3: deep } } });
    expect(createRedactor({ maxDepth: 3 }).redactValue(input).l1.l2.l3).toBe(deep);
    expect(createRedactor({ maxDepth: 1 }).redactValue({ password: 'a', l1: { password: 'b' } })).toEqual({ password: '[REDACTED]', l1: { password: 'b' } });
    const chain: Record<string, unknown> = {};
    let node = chain;
    for (let i = 0; i < 20; i++) node = node.next = { token: `t${i}` };
    const flat = JSON.stringify(mask.redactValue(chain));
    expect(flat.match(/\[REDACTED\]/g)).toHaveLength(7);
  });

  it('redacts an error in a copy that is still an error, keeping the original intact', () => {
    class HttpError extends Error {
      constructor(message: string, readonly config: unknown) {
        super(message, { cause: new Error('inner password=hunter2') });
      }
    }
    const error = new HttpError('charge failed for 4111111111111111', { headers: { authorization: 'Bearer abc' } });
    const out = mask.redactValue({ err: error }).err;
    expect(out).toBeInstanceOf(HttpError);
    expect(out.message).toBe('charge failed for [REDACTED:card]');
    expect(out.stack).toContain('charge failed for [REDACTED:card]');
    expect(out.stack).not.toContain('4111111111111111');
    expect((out.cause as Error).message).toBe('inner password=[REDACTED]');
    expect(out.config).toEqual({ headers: { authorization: 'Bearer [REDACTED]' } });
    expect(Object.keys(out)).toEqual(Object.keys(error));
    expect(error.message).toBe('charge failed for 4111111111111111');
    const clean = new Error('fine');
    expect(mask.redactValue(clean)).toBe(clean);
  });

  it('walks plain class instances, keeping their prototype, but not objects that serialise themselves', () => {
    class User {
      constructor(public name: string, public password: string) {}
      greet(): string {
        return `hi ${this.name}`;
      }
    }
    class Secretive {
      password = 'x';
      toJSON(): unknown {
        return { password: '[hidden by toJSON]' };
      }
    }
    const user = new User('bob', 'hunter2');
    const out = mask.redactValue({ user }).user;
    expect(out).toBeInstanceOf(User);
    expect(out).toEqual(expect.objectContaining({ name: 'bob', password: '[REDACTED]' }));
    expect(out.greet()).toBe('hi bob');
    expect(user.password).toBe('hunter2');
    const secretive = new Secretive();
    expect(mask.redactValue({ secretive }).secretive).toBe(secretive);
    const map = new Map([['password', 'x']]);
    expect(mask.redactValue({ map }).map).toBe(map);
  });

  it('keeps null-prototype objects and a `__proto__` key as they were', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { password: 'x', ok: 1 });
    const out = mask.redactValue(bare);
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(out).toEqual(Object.assign(Object.create(null), { password: '[REDACTED]', ok: 1 }));
    const parsed = JSON.parse('{"__proto__":{"password":"x"},"a":1}') as Record<string, unknown>;
    const copy = mask.redactValue(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"password":"[REDACTED]"},"a":1}');
  });

  it('never throws, whatever the value holds', () => {
    const throwing = {
      get boom(): string {
        throw new Error('getter');
      },
      password: 'x',
    };
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    const input = { throwing, revoked: revoked.proxy, hostile, ok: 'password=x' };
    const out = mask.redactValue(input) as Record<string, unknown>;
    expect(out.throwing).toBe('[REDACTED:unreadable]');
    expect(out.hostile).toBe('[REDACTED:unreadable]');
    expect(out.ok).toBe('password=[REDACTED]');
    expect(() => mask.redactValue(revoked.proxy)).not.toThrow();
  });
});

describe('hmac mode', () => {
  const r = hmac({ emails: true });

  it('writes the first 64 bits of HMAC-SHA256(secret, value), the same token for the same value', () => {
    const out = r.redactValue({ password: 'hunter2', other: 'hunter2' as string, note: 'password=hunter2' });
    expect(out.password).toBe(expectedHmac(SECRET, 'hunter2'));
    expect(out.note).toBe(`password=${expectedHmac(SECRET, 'hunter2')}`);
    expect(r.redactString('password=hunter2')).toBe(r.redactString('password=hunter2'));
  });

  it('gives a card the same token however it is written, and an e-mail whatever its case', () => {
    const plain = r.redactString('4111111111111111');
    expect(plain).toBe(expectedHmac(SECRET, '4111111111111111'));
    expect(r.redactString('4111 1111 1111 1111')).toBe(plain);
    expect(r.redactString('4111-1111-1111-1111')).toBe(plain);
    expect(r.redactValue(4111111111111111)).toBe(plain);
    expect(r.redactString('Bob@Example.com')).toBe(r.redactString('bob@example.com'));
  });

  it('gives different tokens under different secrets, and tokens that do not contain the value', () => {
    const other = createRedactor({ mode: 'hmac', secret: randomBytes(32) });
    const value = '4111111111111111';
    expect(r.redactString(value)).not.toBe(other.redactString(value));
    for (const token of [r.redactString(value), String(r.redactValue({ pin: 123456 }).pin)]) {
      expect(token).toMatch(HMAC_TOKEN);
      expect(token).not.toContain('4111');
      expect(token).not.toContain('123456');
    }
  });

  it('gives 10,000 different card numbers 10,000 different tokens', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const card = luhnNumber(`4${String(i).padStart(6, '0')}`, 16);
      const token = r.redactString(card);
      expect(token).toMatch(HMAC_TOKEN);
      tokens.add(token);
    }
    expect(tokens.size).toBe(10_000);
  });

  it('hashes a sensitive object by its JSON form and keeps the auth scheme in view', () => {
    const out = r.redactValue({ credentials: { user: 'bob', pass: 'x' }, authorization: 'Bearer abc', pin: 1234, secret: null });
    expect(out.credentials).toBe(expectedHmac(SECRET, '{"user":"bob","pass":"x"}'));
    expect(out.authorization).toBe(`Bearer ${expectedHmac(SECRET, 'abc')}`);
    expect(out.pin).toBe(expectedHmac(SECRET, '1234'));
    expect(out.secret).toBeNull();
  });

  it('accepts a Buffer secret', () => {
    expect(createRedactor({ mode: 'hmac', secret: Buffer.from(SECRET) }).redactString('token: abc')).toBe(`token: ${expectedHmac(SECRET, 'abc')}`);
  });
});

describe('options', () => {
  it.each([
    [{ mode: 'hmac' }, 'REDACT_SECRET_MISSING'],
    [{ mode: 'hmac', secret: '' }, 'REDACT_SECRET_MISSING'],
    [{ mode: 'hmac', secret: 42 }, 'REDACT_SECRET_MISSING'],
    [{ mode: 'hmac', secret: 'short' }, 'REDACT_SECRET_TOO_SHORT'],
    [{ mode: 'hmac', secret: Buffer.alloc(15) }, 'REDACT_SECRET_TOO_SHORT'],
    [{ mode: 'sha1' }, 'REDACT_BAD_OPTION'],
    [{ maxDepth: -1 }, 'REDACT_BAD_OPTION'],
    [{ maxDepth: 1.5 }, 'REDACT_BAD_OPTION'],
    [{ keys: 'password' }, 'REDACT_BAD_OPTION'],
    [{ keys: ['--'] }, 'REDACT_BAD_OPTION'],
    [{ cards: 'yes' }, 'REDACT_BAD_OPTION'],
  ])('%j fails with %s', (options, code) => {
    let thrown: unknown;
    try {
      createRedactor(options as RedactOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LogstitchError);
    expect((thrown as LogstitchError).code).toBe(code);
    expect((thrown as LogstitchError).message).not.toContain('short"');
  });

  it('accepts a 16-byte secret and ignores the secret in mask mode', () => {
    expect(() => createRedactor({ mode: 'hmac', secret: '0123456789abcdef' })).not.toThrow();
    expect(createRedactor({ secret: 'x' }).redactString('token: a')).toBe('token: [REDACTED]');
  });

  it('is exported from the model index', () => {
    expect(model.createRedactor).toBe(createRedactor);
    expect(model.passesLuhn('4111111111111111')).toBe(true);
  });
});

describe('passesLuhn', () => {
  it.each([
    ['4111111111111111', true],
    ['378282246310005', true],
    ['79927398713', true],
    ['4111111111111112', false],
    ['79927398710', false],
    ['4111 1111 1111 1111', false],
    ['0', false],
    ['', false],
    ['00', true],
  ])('%j → %s', (digits, valid) => {
    expect(passesLuhn(digits)).toBe(valid);
  });
});

describe('redactInPlace', () => {
  const LEVEL = Symbol.for('level');
  const MESSAGE = Symbol.for('message');
  const SPLAT = Symbol.for('splat');

  it('mutates the object, keeps its Symbol keys and redacts their contents, and never mutates nested objects', () => {
    const meta = { user: 'bob', secret: 's' };
    const splat = [meta];
    const info: Record<string | symbol, unknown> = {
      level: 'info',
      message: 'login password=hunter2',
      password: 'x',
      meta,
      trace_id: TRACE_ID,
      span_id: DIGIT_SPAN_ID,
      [LEVEL]: 'info',
      [MESSAGE]: '{"password":"x"}',
      [SPLAT]: splat,
    };
    mask.redactInPlace(info);
    expect({ ...info }).toEqual({
      level: 'info',
      message: 'login password=[REDACTED]',
      password: '[REDACTED]',
      meta: { user: 'bob', secret: '[REDACTED]' },
      trace_id: TRACE_ID,
      span_id: DIGIT_SPAN_ID,
      [LEVEL]: 'info',
      [MESSAGE]: '{"password":"[REDACTED]"}',
      [SPLAT]: [{ user: 'bob', secret: '[REDACTED]' }],
    });
    expect(info[LEVEL]).toBe('info');
    expect(info[MESSAGE]).toBe('{"password":"[REDACTED]"}');
    expect(info[SPLAT]).toEqual([{ user: 'bob', secret: '[REDACTED]' }]);
    expect(meta).toEqual({ user: 'bob', secret: 's' });
    expect(splat[0]).toBe(meta);
  });

  it("redacts what any Symbol key holds, not only winston's, since formats such as prettyPrint print them", () => {
    const custom = Symbol('custom');
    const hidden = Symbol('hidden');
    const info: Record<string | symbol, unknown> = { level: 'info', message: 'm', [LEVEL]: 'info', [custom]: 'password=x' };
    Object.defineProperty(info, hidden, { value: { token: 't' }, enumerable: false, writable: true, configurable: true });
    mask.redactInPlace(info);
    expect(info[custom]).toBe('password=[REDACTED]');
    expect(info[hidden]).toEqual({ token: '[REDACTED]' });
    expect(info[LEVEL]).toBe('info');
  });

  it('copes with cycles back to the object itself and with objects it cannot write', () => {
    const info: Record<string, unknown> = { token: 't', child: { password: 'p' } };
    info.self = info;
    (info.child as Record<string, unknown>).root = info;
    mask.redactInPlace(info);
    expect(info.token).toBe('[REDACTED]');
    expect(info.self).toBe(info);
    expect((info.child as Record<string, unknown>).root).toBe(info);
    expect((info.child as Record<string, unknown>).password).toBe('[REDACTED]');
    const frozen = Object.freeze({ password: 'x' });
    expect(() => mask.redactInPlace(frozen)).not.toThrow();
    expect(() => mask.redactInPlace(null as unknown as Record<string, unknown>)).not.toThrow();
  });

  it('lets a real winston logger write the redacted line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const redact = winston.format((info) => {
      mask.redactInPlace(info as Record<string | symbol, unknown>);
      return info;
    });
    const logger = winston.createLogger({ format: winston.format.combine(redact(), winston.format.json()), transports: [new winston.transports.Stream({ stream: sink })] });
    const meta = { user: 'bob', authorization: 'Bearer abc' };
    logger.info('paid with 4111 1111 1111 1111', meta);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'info', message: 'paid with [REDACTED:card]', user: 'bob', authorization: 'Bearer [REDACTED]' });
    expect(meta.authorization).toBe('Bearer abc');
  });
});

describe('redactInPlace reports what it did', () => {
  it('returns true only when it replaced something, and leaves symbol keys alone when asked', () => {
    const r = createRedactor();
    const MESSAGE = Symbol.for('message');
    const clean: Record<string | symbol, unknown> = { level: 'info', message: 'hello', [MESSAGE]: '{"password":"x"}' };
    expect(r.redactInPlace(clean, false)).toBe(false);
    expect(clean[MESSAGE]).toBe('{"password":"x"}');
    expect(r.redactInPlace(clean)).toBe(true);
    expect(clean[MESSAGE]).not.toContain('"x"');
    const dirty: Record<string, unknown> = { message: 'hi', token: 'abc' };
    expect(r.redactInPlace(dirty, false)).toBe(true);
    expect(dirty.token).toBe('[REDACTED]');
  });
});
