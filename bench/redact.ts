// bench/redact: what redaction costs per log call — the common case (nothing to find), lines with
// something to find, a typical merge object, and a stamped JSON line as the agent sees it.
import { createRedactor } from '../src/model/redact.js';
import { measure, type Rate } from './_measure.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const CASES: Array<[name: string, run: (r: ReturnType<typeof createRedactor>) => unknown]> = [
  ['string: short message, nothing to find', (r) => r.redactString('order accepted, 3 items queued for packing')],
  ['string: message with a colon and a number', (r) => r.redactString('checkout: charged 1299 cents in 12 ms')],
  ['string: password pair', (r) => r.redactString('login failed for user=bob password=hunter2 from 10.0.0.7')],
  ['string: card number', (r) => r.redactString('charging card 4111 1111 1111 1111 for order 8812')],
  ['string: stamped JSON line (agent)', (r) => r.redactString(`{"level":30,"time":1732406400123,"msg":"order accepted","trace_id":"${TRACE_ID}","span_id":"00f067aa0ba902b7","service":"checkout"}`)],
  ['value: merge object, nothing to find', (r) => r.redactValue({ orderId: 'o-8812', items: 3, user: { id: 42, plan: 'pro' } })],
  ['value: merge object with headers', (r) => r.redactValue({ method: 'GET', url: '/api/orders', headers: { authorization: 'Bearer abc', accept: 'application/json' } })],
];

export async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};
  for (const [modeName, redactor] of [
    ['mask', createRedactor()],
    ['hmac', createRedactor({ mode: 'hmac', secret: 'a-bench-secret-of-32-bytes-long!' })],
  ] as const) {
    results[modeName] = {};
    for (const [name, run] of CASES) {
      const rate: Rate = measure(() => run(redactor), ITERATIONS);
      results[modeName]![name] = rate.nsPerOp;
      process.stdout.write(`${modeName.padEnd(5)} ${name.padEnd(45)} ${String(rate.nsPerOp).padStart(8)} ns/op\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ bench: 'redact', iterations: ITERATIONS, nsPerOp: results })}\n`);
}
