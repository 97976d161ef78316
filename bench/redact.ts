// bench/redact: what redaction costs per log call — the common case (nothing to find), lines with
// something to find, a typical merge object, winston's info objects, and a stamped JSON line as the agent sees it.
import { createRedactor, type Redactor } from '../src/model/redact.js';
import { measure, type Rate } from './_measure.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');

/** What `logger.info('hello world')` hands to the formats. Nothing in it changes, so one object serves every call. */
const INFO_PLAIN: Record<string | symbol, unknown> = { level: 'info', message: 'hello world', [LEVEL]: 'info' };
/** What `logger.info('hello world', { count: 2, user: 'ann' })` hands to them: the metadata merged in, and kept in [SPLAT]. */
const META = { count: 2, user: 'ann' };
const INFO_META: Record<string | symbol, unknown> = Object.assign({}, META, { [LEVEL]: 'info', [SPLAT]: [META], level: 'info', message: 'hello world' });
const INFO_FIELDS: Record<string | symbol, unknown> = { level: 'info', message: 'hello world', count: 2, user: 'ann', [LEVEL]: 'info' };
const CLEAN = { count: 2, user: 'ann', ok: true, path: '/api/orders' };

const CASES: Array<[name: string, run: (r: Redactor) => unknown]> = [
  ['string: hello world', (r) => r.redactString('hello world')],
  ['string: short message, nothing to find', (r) => r.redactString('order accepted, 3 items queued for packing')],
  ['string: message with a colon and a number', (r) => r.redactString('checkout: charged 1299 cents in 12 ms')],
  ['string: password pair', (r) => r.redactString('login failed for user=bob password=hunter2 from 10.0.0.7')],
  ['string: card number', (r) => r.redactString('charging card 4111 1111 1111 1111 for order 8812')],
  ['string: stamped JSON line (agent)', (r) => r.redactString(`{"level":30,"time":1732406400123,"msg":"order accepted","trace_id":"${TRACE_ID}","span_id":"00f067aa0ba902b7","service":"checkout"}`)],
  ['value: small clean object', (r) => r.redactValue(CLEAN)],
  ['value: merge object, nothing to find', (r) => r.redactValue({ orderId: 'o-8812', items: 3, user: { id: 42, plan: 'pro' } })],
  ['value: merge object with headers', (r) => r.redactValue({ method: 'GET', url: '/api/orders', headers: { authorization: 'Bearer abc', accept: 'application/json' } })],
  ['in place: winston info, message only', (r) => r.redactInPlace(INFO_PLAIN)],
  ['in place: winston info, plain fields', (r) => r.redactInPlace(INFO_FIELDS)],
  ['in place: winston info with metadata', (r) => r.redactInPlace(INFO_META)],
];

export async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};
  for (const [modeName, redactor] of [
    ['mask', createRedactor()],
    ['hmac', createRedactor({ mode: 'hmac', secret: 'a-bench-secret-of-32-bytes-long!' })],
  ] as const) {
    // The clean cases are only fast if they stay clean: a copy would mean the figure measured something else.
    if (redactor.redactValue(CLEAN) !== CLEAN) throw new Error('bench/redact: redactValue copied a clean object');
    results[modeName] = {};
    for (const [name, run] of CASES) {
      const rate: Rate = measure(() => run(redactor), ITERATIONS);
      results[modeName]![name] = rate.nsPerOp;
      process.stdout.write(`${modeName.padEnd(5)} ${name.padEnd(45)} ${String(rate.nsPerOp).padStart(8)} ns/op\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ bench: 'redact', iterations: ITERATIONS, nsPerOp: results })}\n`);
}
