// `logstitch errors`: requests, errors, error rate and latency percentiles per service, from an indexer.
import { parseArgs } from 'node:util';
import { IndexerClient, timeArg } from './client.js';
import { formatDuration, paint, percent, table } from './format.js';
import { useColor } from './usage.js';

export const ERRORS_USAGE = `Usage: logstitch errors [options]

Prints, per service, requests, errors, the error rate and p50/p95/p99 latency over a time range
(derived at ingest from every log line and span, before any sampling).

Options:
  --service NAME   Only this service (repeatable)
  --from TIME      Start: ISO 8601, epoch ms, or a time ago (default 24h)
  --to TIME        End (default now)
  --json           Print the answer as JSON
  --indexer URL    The indexer to ask (default http://127.0.0.1:4318, or $LOGSTITCH_INDEXER)
  --token TOKEN    Query token (default $LOGSTITCH_QUERY_TOKEN)
  -h, --help       Show this help
`;

export interface ServiceTotals {
  service: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export async function errors(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      service: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
      indexer: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(ERRORS_USAGE);
    return 0;
  }
  const client = new IndexerClient({ indexer: values.indexer, token: values.token });
  const answer = await client.get<{ from: number; to: number; totals: ServiceTotals[] }>('/api/metrics/errors', {
    service: values.service,
    from: timeArg(values.from ?? '24h', '--from'),
    to: timeArg(values.to, '--to'),
  });
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(errorsTable(answer.totals, paint(useColor(process.stdout))));
  return 0;
}

export function errorsTable(totals: ServiceTotals[], p: ReturnType<typeof paint>): string {
  if (totals.length === 0) return 'no requests or lines in this range\n';
  const ms = (us: number | null) => (us === null ? '-' : formatDuration(us));
  const rows = [...totals]
    .sort((a, b) => b.errorRate - a.errorRate || a.service.localeCompare(b.service))
    .map((t) => [t.service, String(t.requests), String(t.errors), t.errorRate > 0.05 ? p.red(percent(t.errorRate)) : percent(t.errorRate), ms(t.p50), ms(t.p95), ms(t.p99)]);
  return table(['service', 'requests', 'errors', 'error rate', 'p50', 'p95', 'p99'], rows, new Set([1, 2, 3, 4, 5, 6]));
}
