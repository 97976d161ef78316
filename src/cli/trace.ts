// `logstitch trace ID`: one trace in the terminal — the summary, a waterfall with the critical path and
// the gaps, and the logs under their spans.
import { parseArgs } from 'node:util';
import { IndexerClient } from './client.js';
import { paint } from './format.js';
import { renderTrace, type TraceViewReply } from './waterfall.js';
import { UsageError, useColor } from './usage.js';

export const TRACE_USAGE = `Usage: logstitch trace [options] ID

Prints a trace found by its trace ID or any alias (an X-Request-ID value, a legacy ID): where the time
went in one sentence, a waterfall of its spans (received and derived from logs, clock skew adjusted,
the critical path marked), the gaps no service accounts for, and the log lines under each span.

Options:
  --raw            Show times as the services logged them, without the clock-skew adjustment
  --no-logs        Leave out the log lines
  --width N        Width of the waterfall's bars (default: fits the terminal)
  --json           Print the trace view as JSON
  --indexer URL    The indexer to ask (default http://127.0.0.1:4318, or $LOGSTITCH_INDEXER)
  --token TOKEN    Query token (default $LOGSTITCH_QUERY_TOKEN)
  -h, --help       Show this help

Exit codes: 0 found, 1 no such trace or the indexer failed, 2 bad usage.
`;

export async function trace(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      raw: { type: 'boolean' },
      'no-logs': { type: 'boolean' },
      width: { type: 'string' },
      json: { type: 'boolean' },
      indexer: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(TRACE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('trace needs exactly one ID: a trace ID or an alias such as abc-123');
  const width = values.width === undefined ? Math.max(20, Math.min(100, (process.stdout.columns ?? 120) - 60)) : Number(values.width);
  if (!Number.isInteger(width) || width < 10 || width > 400) throw new UsageError(`--width must be a whole number from 10 to 400, not ${JSON.stringify(values.width)}`);
  const client = new IndexerClient({ indexer: values.indexer, token: values.token });
  const view = await client.get<TraceViewReply>(`/api/traces/${encodeURIComponent(positionals[0]!)}`);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(renderTrace(view, { width, raw: values.raw === true, logs: values['no-logs'] !== true, paint: paint(useColor(process.stdout)) }));
  return 0;
}
