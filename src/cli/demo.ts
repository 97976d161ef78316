// `logstitch demo`: the sample chain, its checkouts and the stamped lines each one produced.
import { parseArgs } from 'node:util';
import { runChainDemo } from '../../samples/chain/demo.js';
import { useColor } from './usage.js';

export const DEMO_USAGE = `Usage: logstitch demo [--json]

Starts three sample services on 127.0.0.1 (express + pino, fastify + winston, node:http + console),
sends four checkouts through them — with X-Trace-ID, traceparent, B3, and no header — and prints the
lines each service logged. Every line of a request carries the same trace_id.

Options:
  --json      Print the results as JSON instead of text
  -h, --help  Show this help
`;

export async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }
  const json = values.json === true;
  const results = await runChainDemo({ write: (text) => (json ? undefined : process.stdout.write(text)), color: !json && useColor(process.stdout) });
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return results.every((r) => r.status === 200 && r.unstamped === 0) ? 0 : 1;
}
