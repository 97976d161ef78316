// `logstitch ingest FILE…`: imports log files once, through the agent's pipeline, and exits.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { agentConfigFrom, parseAgentYaml } from '../agent/config.js';
import { duration } from '../agent/config-values.js';
import { agentLogger } from '../agent/agent.js';
import { importFiles } from '../agent/import.js';
import { progressReporter } from '../agent/status.js';
import { UsageError } from './usage.js';

export const INGEST_USAGE = `Usage: logstitch ingest [options] FILE…

Imports log files once: every line is parsed, redacted and shipped to the indexer exactly as the agent
would ship it. Importing the same unchanged file again stores its lines once.

Options:
  --indexer URL          The indexer (default $LOGSTITCH_INDEXER_URL or http://127.0.0.1:4318)
  --otlp                 Ship as OTLP/HTTP JSON to URL/v1/logs instead
  --service NAME         Service name for lines that carry none
  --config FILE          Take the parser, multiline, filters, redaction and sink from an agent config
                         (its first source; the files given here replace its include list)
  --give-up-after TIME   Fail when the indexer stays unreachable this long (default 60s)
  -h, --help             Show this help

Exit codes: 0 every line was stored; 1 something was not (a file unreadable, a batch refused, the
indexer unreachable); 2 usage error.
`;

const OPTIONS = {
  indexer: { type: 'string' },
  otlp: { type: 'boolean' },
  service: { type: 'string' },
  config: { type: 'string' },
  'give-up-after': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function ingest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (values.help === true) {
    process.stdout.write(INGEST_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('name at least one FILE to import');
  let doc: Record<string, unknown> = {};
  if (values.config !== undefined) {
    const text = await readFile(values.config, 'utf8').catch((error: Error) => {
      throw new UsageError(`cannot read --config ${values.config}: ${error.message}`);
    });
    doc = parseAgentYaml(text);
  }
  const sources = Array.isArray(doc.sources) && doc.sources.length > 0 ? (doc.sources as Array<Record<string, unknown>>) : [{}];
  const first: Record<string, unknown> = { ...sources[0], include: ['(given on the command line)'] };
  if (values.service !== undefined) first.service = values.service;
  const sink = { ...((doc.sink as object | undefined) ?? {}) } as Record<string, unknown>;
  if (values.indexer !== undefined) sink.url = values.indexer;
  if (values.otlp === true) sink.type = 'otlp';
  const config = agentConfigFrom({ ...doc, sources: [first], sink, ...(process.env.LOGSTITCH_LOG_LEVEL ? { log_level: process.env.LOGSTITCH_LOG_LEVEL } : { log_level: doc.log_level ?? 'warn' }) });
  const giveUpAfterMs = duration(values['give-up-after'], '--give-up-after', 60_000);
  const log = agentLogger(config.logLevel);
  const progress = progressReporter(process.stderr);
  const result = await importFiles(config, positionals, { log, giveUpAfterMs, onProgress: (p) => progress.update(p) });
  progress.done();
  for (const { path, reason } of result.failed) process.stderr.write(`logstitch ingest: ${path}: ${reason}\n`);
  if (result.gaveUp) process.stderr.write(`logstitch ingest: the indexer at ${config.sink.url} stayed unreachable for ${giveUpAfterMs / 1000} s; giving up\n`);
  if (result.batchesRefused > 0) process.stderr.write(`logstitch ingest: the indexer refused ${result.batchesRefused} batch(es) (${result.recordsRefused} records); see the log above for its reasons\n`);
  process.stdout.write(`imported ${result.files} file(s): ${result.lines} lines read, ${result.recordsSent} records stored${result.duplicates > 0 ? ` (${result.duplicates} batches already stored before)` : ''}${result.recordsRejected > 0 ? `, ${result.recordsRejected} rejected` : ''}\n`);
  const ok = result.failed.length === 0 && !result.gaveUp && result.batchesRefused === 0;
  return ok ? 0 : 1;
}
