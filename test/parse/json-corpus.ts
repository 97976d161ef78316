// A seeded generator of JSON log lines for checking the as-written scanner against JSON.parse and the
// indexer: pino-like lines, and the same lines broken every way a file can break them — truncated, bad
// escapes, duplicate keys, nested values, odd numbers (1e5, -0, 01), unicode, a BOM, whitespace, trailing
// garbage. Lines are assembled from raw tokens, not JSON.stringify, so that invalid ones are written too.
import { random } from '../store/fixtures.js';

export { random };

const T = 1_732_000_000_123;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Raw value tokens per field, valid and not; a string token is written with its quotes. */
const LEVELS = ['30', '50', '10', '60', '0', '-10', '1.5', '"warn"', '"INFO"', '"E"', '""', 'true', 'null', '"30"', '3e1', '030', '-0', '{"n":30}'];
const TIMES = [`${T}`, `${T + 1000}`, `${T - 123}`, '1732000000', '0', '-0', '-1', `${T}.5`, '1.7e12', '"2024-03-10T02:30:00Z"', '""', 'null', `0${T}`, `${T}000000`, '1'.padEnd(320, '0'), '1.'];
const MESSAGES = [
  '"quote ready #1"', '""', '"checkout started reserving items"', '"caf\u00e9 cr\u00e8me \u00fcber"', '"emoji \ud83d\ude00 ok"', '"line\u2028sep"',
  '"a \\"quoted\\" word"', '"tab\\there"', '"esc \\u00e9"', '"bad \\x escape"', '"raw\ttab"', '"raw\u0001ctl"', '"del \u007f char"',
  `"carries trace_id=${TRACE} in the text"`, '"request_id=req-77 failed"', '"traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"',
  '"paid with 4111 1111 1111 1111"', '"login password=hunter2"', '"mail bob@example.com"', '"unterminated', '"}"', '"{\\"a\\":1}"',
  '42', 'null', '["a"]', '{"text":"x"}', '"\u0430\u0431\u0432 cyrillic"',
];
const HOSTS = ['"web-1"', '"web-2"', '""', '5', 'null', '"h\u00f6st"'];
const SERVICES = ['"checkout"', '"svc-1"', '""', 'false', '"s\u00e9rvice"'];
const TRACE_IDS = [`"${TRACE}"`, '"0af7651916cd43dd8448eb211c80319c"', `"${TRACE.toUpperCase()}"`, `"${'0'.repeat(32)}"`, `"${TRACE.slice(1)}"`, `"${TRACE}0"`, '"req-77"', '12', 'null', `"${TRACE.slice(0, 31)}g"`];
const SPAN_IDS = ['"00f067aa0ba902b7"', '"b7ad6b7169203331"', '"00F067AA0BA902B7"', `"${'0'.repeat(16)}"`, '"00f067aa0ba902b"', '7'];
const FLAGS = ['"01"', '"00"', '"ff"', '"Ff"', '"1"', '"zz"', '1', '0', '-0', '1.5', 'null', '"010"'];
const NUMBERS = ['4242', '0', '-1', '1000', '1e5', '1E5', '-0', '-0.0', '01', '1.', '.5', '-', '1.50', '0.001', '12345678901234567890', '123456789012345', '1234567890123456', '-9007199254740993', '3.141592653589793', '1'.padEnd(400, '0'), '2.5e-3', '+1'];
const ATTRIBUTE_VALUES = [
  ...NUMBERS, 'true', 'false', 'null', 'tru', 'nul', 'falsey', '"plain"', '""', '"\u00e9t\u00e9"', '"4111111111111111"', '"token=abc123secret"',
  '{"a":1}', '[1,2.5,true,null,"s"]', '{"headers":{"authorization":"Bearer s3cr3t-token"}}', '[]', '{}', '"a\\\\b"', '"x\\/y"',
];
const ATTRIBUTE_KEYS = [
  'pid', 'order', 'env', 'n', 'cart', 'caf\u00e9', '', 'password', 'authorization', 'request_id', 'traceparent', 'x-request-id', 'correlation_id',
  'http', '__proto__', 'v', 'message', 'body', 'severity', 'ts', 'host', 'name', 'span_end', '@logstitch', 'trace_alias', 'user', 'a b', 'k"q', 'k\\\\e',
];

/** The fields of a line: key (as written between its quotes) and raw value token. */
type Field = [string, string];

function pick<T>(rnd: () => number, values: readonly T[]): T {
  return values[Math.floor(rnd() * values.length)]!;
}

/** A pino-like line's fields, valid most of the time in each field. */
function fieldsOf(rnd: () => number, i: number): Field[] {
  const usual = (valid: string, odd: readonly string[]): string => (rnd() < 0.95 ? valid : pick(rnd, odd));
  const fields: Field[] = [
    ['level', usual(rnd() < 0.9 ? '30' : '50', LEVELS)],
    ['time', usual(`${T + i}`, TIMES)],
    ['pid', usual('4242', NUMBERS)],
  ];
  if (rnd() < 0.8) fields.push(['hostname', usual(`"web-${i % 4}"`, HOSTS)]);
  if (rnd() < 0.8) fields.push(['trace_id', usual(`"${TRACE}"`, TRACE_IDS)]);
  if (rnd() < 0.7) fields.push(['span_id', usual('"00f067aa0ba902b7"', SPAN_IDS)]);
  if (rnd() < 0.6) fields.push(['trace_flags', usual('"01"', FLAGS)]);
  if (rnd() < 0.6) fields.push(['service', usual(`"svc-${i % 6}"`, SERVICES)]);
  for (let n = Math.floor(rnd() * 3); n > 0; n--) fields.push([rnd() < 0.5 ? 'order' : pick(rnd, ATTRIBUTE_KEYS), rnd() < 0.5 ? `${i}` : pick(rnd, ATTRIBUTE_VALUES)]);
  if (rnd() < 0.95) fields.push(['msg', usual(`"order shipped #${i}"`, MESSAGES)]);
  // Now and then another order of the fields.
  if (rnd() < 0.1) fields.sort(() => rnd() - 0.5);
  return fields;
}

function write(fields: Field[]): string {
  return `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

/** One way a line gets broken after it was written; each applies to a few percent of the lines. */
const BREAKAGES: Array<(line: string, rnd: () => number, fields: Field[]) => string> = [
  (line, rnd) => line.slice(0, Math.floor(rnd() * line.length)),
  (line) => `${line} `,
  (line) => `${line}x`,
  (line) => `${line}}`,
  (line) => `${line},`,
  (line) => `\ufeff${line}`,
  (line) => ` ${line}`,
  (line, rnd) => {
    // Whitespace (or a newline's cousin) between two tokens.
    const at = line.indexOf(pick(rnd, [':', ',']), Math.floor(rnd() * line.length));
    return at === -1 ? line : `${line.slice(0, at + 1)}${pick(rnd, [' ', '\t', '\r'])}${line.slice(at + 1)}`;
  },
  (_line, rnd, fields) => {
    // A field written twice: the second one wins in JSON.parse.
    const copy: Field[] = [...fields];
    const [key] = pick(rnd, fields);
    copy.push([key, pick(rnd, [...MESSAGES, ...LEVELS, ...ATTRIBUTE_VALUES])]);
    return write(copy);
  },
  (line, rnd) => {
    // One character replaced by another.
    const at = Math.floor(rnd() * line.length);
    return `${line.slice(0, at)}${pick(rnd, ['"', '\\', '{', '}', ',', ':', '0', 'e', '-', '.', '\u00e9', ' '])}${line.slice(at + 1)}`;
  },
  (line) => line.replace(',', ',,'),
  (line) => line.slice(0, -1),
  (line) => `[${line}]`,
  () => '{}',
  (_line, rnd) => pick(rnd, ['null', '42', '"text"', 'not json at all', '{"a"}', '{"a":}', '{,}', '{"":1}', '{"level":30,"time":1,"msg":"x",}']),
];

/** `count` lines (no newline in any), about half of them as pino writes them and the rest broken some way. */
export function jsonCorpus(count: number, seed = 1): string[] {
  const rnd = random(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const fields = fieldsOf(rnd, i);
    let line = write(fields);
    if (rnd() < 0.3) line = pick(rnd, BREAKAGES)(line, rnd, fields);
    lines.push(line.replace(/\n/g, ' '));
  }
  return lines;
}
