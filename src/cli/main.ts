#!/usr/bin/env node
// The logstitch command: parses the command line and hands each command its work.
import { parseArgs } from 'node:util';
import { runChainDemo } from '../../samples/chain/demo.js';

const USAGE = `Usage: logstitch <command> [options]

Commands:
  demo        Run the sample service chain (checkout → inventory → shipping) and print
              every log line it writes, stamped with the trace each request belongs to.

Options:
  -h, --help     Show this help (also: logstitch <command> --help)
  -v, --version  Print the version

Environment:
  NO_COLOR       Print without colours.
`;

const DEMO_USAGE = `Usage: logstitch demo [--json]

Starts three sample services on 127.0.0.1 (express + pino, fastify + winston, node:http + console),
sends four checkouts through them — with X-Trace-ID, traceparent, B3, and no header — and prints the
lines each service logged. Every line of a request carries the same trace_id.

Options:
  --json      Print the results as JSON instead of text
  -h, --help  Show this help
`;

class UsageError extends Error {}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }
  const color = values.json !== true && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const results = await runChainDemo({ write: (text) => (values.json === true ? undefined : process.stdout.write(text)), color });
  if (values.json === true) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return results.every((r) => r.status === 200 && r.unstamped === 0) ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    case '-v':
    case '--version':
      process.stdout.write(`${await version()}\n`);
      return 0;
    case 'demo':
      return demo(rest);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`logstitch: ${(error as Error).message ?? String(error)}\n`);
    if (usage) process.stderr.write(`Run 'logstitch --help' for usage.\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
