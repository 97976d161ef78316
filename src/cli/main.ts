#!/usr/bin/env node
// The logstitch command: parses the command line and hands each command its work.
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage.js';

const USAGE = `Usage: logstitch <command> [options]

Commands:
  serve       Run the indexer: receive logs and spans, store them, answer the query API
  agent       Follow log files and ship every line to the indexer, once
  ingest      Import log files once through the agent's pipeline
  search      Print the log lines that match a query, newest first
  trace       Print one trace: where the time went, its waterfall, its logs
  errors      Print requests, errors, error rate and latency per service
  demo        Run the sample service chain and print every stamped log line it writes

Options:
  -h, --help     Show this help (also: logstitch <command> --help)
  -v, --version  Print the version

Environment:
  NO_COLOR       Print without colours.
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: `search` need not load the indexer, nor `serve` the sample services.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  agent: async () => (await import('./agent.js')).agent,
  ingest: async () => (await import('./ingest.js')).ingest,
  search: async () => (await import('./search.js')).search,
  trace: async () => (await import('./trace.js')).trace,
  errors: async () => (await import('./errors.js')).errors,
  demo: async () => (await import('./demo.js')).demo,
};

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load === undefined) throw new UsageError(`unknown command '${command}'`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true || (error as { code?: string }).code === 'CONFIG';
    process.stderr.write(`logstitch: ${(error as Error).message ?? String(error)}\n`);
    if (usage) process.stderr.write(`Run 'logstitch --help' for usage.\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
