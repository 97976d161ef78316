// `logstitch search QUERY`: log lines matching a query, newest first, from an indexer.
import { parseArgs } from 'node:util';
import type { StoredLog } from '../store/types.js';
import { IndexerClient, timeArg } from './client.js';
import { fit, formatTime, levelLabel, paint, printable } from './format.js';
import { UsageError, useColor } from './usage.js';

export const SEARCH_USAGE = `Usage: logstitch search [options] QUERY

Prints the log lines that match QUERY, newest first. QUERY uses lunr's syntax, e.g.
  logstitch search 'service:checkout level:error +timeout -retry conn*'
  logstitch search 'trace:abc-123'
Fields: msg (the default), service, level, host, trace, span, attr.NAME; +must, -must-not, word*, word~1.

Options:
  --from TIME      Only lines at or after TIME: ISO 8601, epoch ms, or a time ago (15m, 2h, 7d)
  --to TIME        Only lines before TIME
  --limit N        Lines per page (default 100, at most 1000)
  --all            Follow the pages to the end (progress on stderr)
  --json           Print the answer as JSON (one object per page)
  --indexer URL    The indexer to ask (default http://127.0.0.1:4318, or $LOGSTITCH_INDEXER)
  --token TOKEN    Query token (default $LOGSTITCH_QUERY_TOKEN)
  -h, --help       Show this help

Exit codes: 0 lines found or not, 1 the indexer failed or is unreachable, 2 bad usage or a query the
parser rejects (its message is printed).
`;

interface Page {
  logs: StoredLog[];
  nextCursor?: string;
}

export async function search(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      indexer: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(SEARCH_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('search needs a QUERY, e.g. logstitch search "service:checkout level:error"');
  const limit = values.limit ?? '100';
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000, not ${JSON.stringify(limit)}`);
  const client = new IndexerClient({ indexer: values.indexer, token: values.token });
  const params = { q: positionals.join(' '), from: timeArg(values.from, '--from'), to: timeArg(values.to, '--to'), limit };
  const p = paint(useColor(process.stdout));
  const progress = values.all === true && process.stderr.isTTY === true;
  let cursor: string | undefined;
  let total = 0;
  do {
    const page = await client.get<Page>('/api/search', { ...params, cursor });
    total += page.logs.length;
    if (values.json === true) process.stdout.write(`${JSON.stringify(page)}\n`);
    else for (const log of page.logs) process.stdout.write(`${formatLine(log, p)}\n`);
    if (progress) process.stderr.write(`\r${total.toLocaleString()} lines…`);
    cursor = values.all === true ? page.nextCursor : undefined;
    if (values.all !== true && page.nextCursor !== undefined && values.json !== true) process.stderr.write(p.dim(`(more: --all, or narrow with --from/--to)\n`));
  } while (cursor !== undefined);
  if (progress) process.stderr.write(`\r${total.toLocaleString()} lines\n`);
  if (total === 0 && values.json !== true) process.stderr.write('no lines match\n');
  return 0;
}

export function formatLine(log: StoredLog, p: ReturnType<typeof paint>): string {
  const service = log.service ?? '-';
  const trace = log.traceId === undefined ? ' '.repeat(12) : p.dim(log.traceId.slice(0, 12));
  return `${p.dim(formatTime(log.time))} ${levelLabel(log.severityNumber, p)} ${p.keyed(service, fit(service, 12))} ${trace} ${printable(log.body)}`;
}
