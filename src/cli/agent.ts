// `logstitch agent`: follows log files and ships every line to the indexer, until SIGINT or SIGTERM.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { agentConfigFrom, parseAgentYaml, type AgentConfig } from '../agent/config.js';
import { agentLogger, createAgent } from '../agent/agent.js';
import { startStatusLine } from '../agent/status.js';
import { UsageError } from './usage.js';

export const AGENT_USAGE = `Usage: logstitch agent --config agent.yaml
       logstitch agent --watch GLOB [--watch GLOB …] [--service NAME] [--indexer URL] [--data DIR]

Follows log files — through renames, rotation, truncation, restarts and indexer outages — and ships
every line to the indexer once. Configuration keys are described in src/agent/README.md.

Options:
  --config FILE         YAML configuration (sources, transforms, sink)
  --watch GLOB          Follow files matching GLOB (repeatable); adds a source to --config's
  --exclude GLOB        Skip matching files (repeatable; with --watch)
  --service NAME        Service name for lines that carry none (with --watch)
  --start-at WHERE      beginning (default) or end, for files never seen before (with --watch)
  --indexer URL         The indexer (default $LOGSTITCH_INDEXER_URL or http://127.0.0.1:4318)
  --otlp                Ship as OTLP/HTTP JSON to URL/v1/logs (an OpenTelemetry Collector)
  --data DIR            Where the checkpoint file lives (default ./.logstitch-agent)
  --metrics-port PORT   Serve GET /metrics (Prometheus text) on 127.0.0.1:PORT
  -h, --help            Show this help

Environment:
  LOGSTITCH_INGEST_TOKEN  Sent as "authorization: Bearer <token>" (or sink.token in the config)
  LOGSTITCH_LOG_LEVEL     The agent's own log level (stderr; default info)
`;

const OPTIONS = {
  config: { type: 'string' },
  watch: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  service: { type: 'string' },
  'start-at': { type: 'string' },
  indexer: { type: 'string' },
  otlp: { type: 'boolean' },
  data: { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The configuration the command line describes; undefined for --help. */
export async function agentCliConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig | undefined> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (values.help === true) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; files to follow go in --watch or the config`);
  let doc: Record<string, unknown> = {};
  if (values.config !== undefined) {
    const text = await readFile(values.config, 'utf8').catch((error: Error) => {
      throw new UsageError(`cannot read --config ${values.config}: ${error.message}`);
    });
    doc = parseAgentYaml(text);
  } else if (values.watch === undefined) {
    throw new UsageError('give --config FILE, or --watch GLOB for the simple case');
  }
  if (values.watch !== undefined) {
    const source: Record<string, unknown> = { name: 'watch', include: values.watch };
    if (values.exclude !== undefined) source.exclude = values.exclude;
    if (values.service !== undefined) source.service = values.service;
    if (values['start-at'] !== undefined) source.start_at = values['start-at'];
    doc.sources = [...(Array.isArray(doc.sources) ? doc.sources : []), source];
  }
  const sink = { ...((doc.sink as object | undefined) ?? {}) } as Record<string, unknown>;
  if (values.indexer !== undefined) sink.url = values.indexer;
  if (values.otlp === true) sink.type = 'otlp';
  doc.sink = sink;
  if (values.data !== undefined) doc.data_dir = values.data;
  if (values['metrics-port'] !== undefined) doc.metrics = { port: Number(values['metrics-port']) };
  if (env.LOGSTITCH_LOG_LEVEL !== undefined && doc.log_level === undefined) doc.log_level = env.LOGSTITCH_LOG_LEVEL;
  return agentConfigFrom(doc, env);
}

export async function agent(argv: string[]): Promise<number> {
  const config = await agentCliConfig(argv);
  if (config === undefined) {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const log = agentLogger(config.logLevel);
  const running = createAgent(config, { log });
  await running.start();
  if (running.metricsUrl !== undefined) log.info({ url: `${running.metricsUrl}/metrics` }, 'serving metrics');
  const stopStatus = startStatusLine(process.stdout, () => running.status());
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopStatus();
  await running.stop();
  return 0;
}
