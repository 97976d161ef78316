// What the agent counts about itself, and those counts as Prometheus text on `GET /metrics`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class AgentMetrics {
  linesRead = 0;
  bytesRead = 0;
  linesEmpty = 0;
  linesCut = 0;
  linesInvalidUtf8 = 0;
  linesUnterminated = 0;
  recordsDropped: Record<'level' | 'drop' | 'keep', number> = { level: 0, drop: 0, keep: 0 };
  recordsSent = 0;
  recordsRejected = 0;
  batchesSent = 0;
  batchesDuplicate = 0;
  batchesRefused = 0;
  recordsRefused = 0;
  retries = 0;
  rotations = 0;
  truncations = 0;
  filesSkipped = 0;
  checkpointWrites = 0;
  // Gauges, refreshed by the agent.
  filesOpen = 0;
  bytesBehind = 0;
  bytesInFlight = 0;
  paused = 0;

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, labels = ''): void => {
      out.push(`# HELP logstitch_agent_${name} ${help}`, `# TYPE logstitch_agent_${name} ${type}`, `logstitch_agent_${name}${labels} ${value}`);
    };
    metric('lines_read_total', 'counter', 'Lines read from files.', this.linesRead);
    metric('bytes_read_total', 'counter', 'Bytes read from files.', this.bytesRead);
    metric('lines_empty_total', 'counter', 'Empty lines skipped.', this.linesEmpty);
    metric('lines_cut_total', 'counter', 'Lines longer than max_line_bytes, cut and flagged.', this.linesCut);
    metric('lines_invalid_utf8_total', 'counter', 'Lines with invalid UTF-8, kept with U+FFFD and flagged.', this.linesInvalidUtf8);
    metric('lines_unterminated_total', 'counter', 'Last lines shipped without their newline after waiting.', this.linesUnterminated);
    out.push('# HELP logstitch_agent_records_dropped_total Records dropped by filters.', '# TYPE logstitch_agent_records_dropped_total counter');
    for (const [reason, n] of Object.entries(this.recordsDropped)) out.push(`logstitch_agent_records_dropped_total{reason="${reason}"} ${n}`);
    metric('records_sent_total', 'counter', 'Records acknowledged by the sink.', this.recordsSent);
    metric('records_rejected_total', 'counter', 'Records the sink acknowledged but reported as rejected.', this.recordsRejected);
    metric('batches_sent_total', 'counter', 'Batches acknowledged by the sink.', this.batchesSent);
    metric('batches_duplicate_total', 'counter', 'Batches the indexer had already stored (re-sent after a restart).', this.batchesDuplicate);
    metric('batches_refused_total', 'counter', 'Batches refused with a 4xx; their records were not stored.', this.batchesRefused);
    metric('records_refused_total', 'counter', 'Records in refused batches.', this.recordsRefused);
    metric('retries_total', 'counter', 'Requests retried after a connection error, timeout, 429 or 5xx.', this.retries);
    metric('rotations_total', 'counter', 'Files rotated away (renamed out of the globs or deleted) and drained.', this.rotations);
    metric('truncations_total', 'counter', 'Files truncated in place (copytruncate), restarted from 0.', this.truncations);
    metric('files_skipped_total', 'counter', 'Matching paths skipped (directories, copies of known files, unreadable).', this.filesSkipped);
    metric('checkpoint_writes_total', 'counter', 'Checkpoint file writes.', this.checkpointWrites);
    metric('files_open', 'gauge', 'Files being followed.', this.filesOpen);
    metric('bytes_behind', 'gauge', 'Bytes written to followed files and not yet read.', this.bytesBehind);
    metric('bytes_in_flight', 'gauge', 'Bytes of records sealed into batches and not yet acknowledged.', this.bytesInFlight);
    metric('paused', 'gauge', '1 while reading waits for in-flight bytes to drain (backpressure).', this.paused);
    return `${out.join('\n')}\n`;
  }
}

/** Serves `GET /metrics` on 127.0.0.1 only: the counts are for the machine's own scraper. */
export async function serveMetrics(metrics: AgentMetrics, port: number, refresh: () => void = () => {}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      refresh();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
