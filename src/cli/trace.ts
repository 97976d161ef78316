// `logstitch trace ID`: one trace in the terminal — the summary, a waterfall with the critical path and
// the gaps, and the logs under their spans (all of them: what the view left out is paged in).
import { parseArgs } from 'node:util';
import { IndexerClient } from './client.js';
import { paint } from './format.js';
import { renderTrace, type TraceLogsReply, type TraceViewReply } from './waterfall.js';
import { UsageError, useColor } from './usage.js';

export const TRACE_USAGE = `Usage: logstitch trace [options] ID

Prints a trace found by its trace ID or any alias (an X-Request-ID value, a legacy ID): where the time
went in one sentence, a waterfall of its spans (received and derived from logs, clock skew adjusted,
the critical path marked), the gaps no service accounts for, and every log line under its span (a big
trace's lines are fetched page by page).

Options:
  --raw            Show times as the services logged them, without the clock-skew adjustment
  --no-logs        Leave out the log lines
  --width N        Width of the waterfall's bars (default: fits the terminal)
  --json           Print the trace view as JSON, every line included
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
  const id = encodeURIComponent(positionals[0]!);
  const logs = values['no-logs'] !== true;
  if (values.json === true) {
    const view = await client.get<TraceViewReply>(`/api/traces/${id}`, { logs: logs ? 'all' : '0' });
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const view = await client.get<TraceViewReply>(`/api/traces/${id}`, logs ? {} : { logs: '0' });
  if (logs && (view.logsOmitted ?? 0) > 0) view.logs = await allLines(client, view.traceId);
  process.stdout.write(renderTrace(view, { width, raw: values.raw === true, logs, paint: paint(useColor(process.stdout)) }));
  return 0;
}

/** Lines fetched per page: a few MB of JSON at most. */
const PAGE_LINES = 5000;

/** Every line of the trace, in time order, through GET /api/traces/:id/logs. */
async function allLines(client: IndexerClient, traceId: string): Promise<TraceViewReply['logs']> {
  const logs: TraceViewReply['logs'] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get<TraceLogsReply>(`/api/traces/${encodeURIComponent(traceId)}/logs`, { limit: String(PAGE_LINES), cursor });
    for (const log of page.logs) logs.push(log);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return logs;
}
