// Ships sealed batches: encodes and gzips each, POSTs it with its batch ID, retries connection errors,
// timeouts, 429 and 5xx with exponential backoff and full jitter (honouring Retry-After) for as long as
// it takes, and counts a batch the sink refuses (4xx) instead of retrying it forever.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { backoffDelay } from '../../adapters/shared/backoff.js';
import type { Batch } from './batches.js';
import type { SinkConfig } from './config.js';
import type { Encoder } from './encode.js';
import { createHttpAgent, post, type PostOutcome, type PostTarget } from './http-post.js';
import type { AgentMetrics } from './metrics.js';

const gzipAsync = promisify(gzip);

/**
 * Whether 'auto' compression sends gzip to `url`: not to a loopback address, where the bytes never touch
 * a network and gzip (~1.5–2 µs a record even at level 1) would cost more than the rest of the pipeline.
 */
export function gzipFor(url: URL, compression: SinkConfig['compression']): boolean {
  if (compression !== 'auto') return compression === 'gzip';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

export class Sender {
  private readonly config: SinkConfig;
  private readonly encoder: Encoder;
  private readonly target: PostTarget;
  private readonly gzip: boolean;
  private readonly metrics: AgentMetrics;
  private readonly log: Logger;
  private readonly done: (batch: Batch) => void;
  private readonly queue: Batch[] = [];
  private active = 0;
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];
  /** Consecutive failed attempts across batches, for the status line and to log a recovery once. */
  failing = 0;

  constructor(config: SinkConfig, encoder: Encoder, metrics: AgentMetrics, log: Logger, done: (batch: Batch) => void) {
    this.config = config;
    this.encoder = encoder;
    this.metrics = metrics;
    this.log = log;
    this.done = done;
    const url = new URL(`${config.url}${encoder.path}`);
    this.gzip = gzipFor(url, config.compression);
    this.target = { url, contentType: encoder.contentType, token: config.token, timeoutMs: config.requestTimeoutMs, agent: createHttpAgent(url, config.concurrency) };
  }

  get pending(): number {
    return this.queue.length + this.active;
  }

  enqueue(batches: Batch[]): void {
    this.queue.push(...batches);
    this.pump();
  }

  /** Resolves when nothing is queued or being sent. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: batches not acknowledged stay sealed in the checkpoint and are re-sent after a restart. */
  close(): void {
    this.abort.abort();
    this.queue.length = 0;
    this.target.agent.destroy();
  }

  private pump(): void {
    while (this.active < this.config.concurrency && this.queue.length > 0 && !this.abort.signal.aborted) {
      const batch = this.queue.shift()!;
      this.active++;
      void this.deliver(batch).finally(() => {
        this.active--;
        this.pump();
        if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async body(batch: Batch): Promise<{ body: Buffer[]; headers: Record<string, string> }> {
    const headers: Record<string, string> = {};
    if (this.encoder.path === '/ingest') {
      headers['x-logstitch-batch-id'] = batch.id;
      // Lines shipped as written carry no observed time of their own; the indexer takes the batch's.
      if (batch.observedAt > 0) headers['x-logstitch-observed-time'] = String(batch.observedAt * 1000);
    }
    // NDJSON needs no encoding: its pieces go out as they are, unless they are compressed.
    if (!this.encoder.grouped && !this.gzip) return { body: batch.body, headers };
    const records = batch.body.length === 1 ? batch.body[0]! : Buffer.concat(batch.body);
    const raw = this.encoder.body(records, batch.offsets, batch.groups);
    if (!this.gzip) return { body: [raw], headers };
    headers['content-encoding'] = 'gzip';
    return { body: [await gzipAsync(raw, { level: 1 })], headers };
  }

  private async deliver(batch: Batch): Promise<void> {
    const { body, headers } = await this.body(batch);
    const records = batch.records;
    // The request body holds the records now; let the batch's copy go while the request waits.
    batch.body = [];
    batch.groups = [];
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      const outcome = await post(this.target, body, headers, this.abort.signal);
      if (this.abort.signal.aborted) return;
      if (outcome.kind === 'retry') {
        this.metrics.retries++;
        if (this.failing++ === 0 || attempt % 20 === 19) this.log.warn({ batch: batch.id, attempt: attempt + 1, reason: outcome.reason }, 'the sink did not take the batch; retrying with backoff');
        const wait = outcome.retryAfterMs ?? backoffDelay(attempt, this.config.backoffInitialMs, this.config.backoffMaxMs);
        await this.sleep(wait);
        continue;
      }
      if (this.failing > 0) this.log.info({ failedAttempts: this.failing }, 'the sink is taking batches again');
      this.failing = 0;
      this.settle(batch, records, outcome);
      this.done(batch);
      return;
    }
  }

  private settle(batch: Batch, records: number, outcome: Exclude<PostOutcome, { kind: 'retry' }>): void {
    if (outcome.kind === 'refused') {
      this.metrics.batchesRefused++;
      this.metrics.recordsRefused += records;
      this.log.error({ batch: batch.id, path: batch.path, range: [batch.start, batch.end], records, reason: outcome.reason }, 'the sink refused a batch; its records were not stored and the agent moves past them');
      return;
    }
    this.metrics.batchesSent++;
    const reply = outcome.reply;
    if (reply?.duplicate === true) {
      this.metrics.batchesDuplicate++;
      this.log.info({ batch: batch.id }, 'the indexer already had this batch (re-sent after a restart); not stored twice');
      return;
    }
    const rejected = rejectedCount(reply);
    this.metrics.recordsSent += records - rejected;
    this.metrics.recordsRejected += rejected;
    if (rejected > 0) this.log.warn({ batch: batch.id, rejected, errors: reply?.errors ?? reply?.partialSuccess }, 'the sink rejected some records of a batch');
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function rejectedCount(reply: Record<string, unknown> | undefined): number {
  if (typeof reply?.rejected === 'number') return reply.rejected;
  const partial = reply?.partialSuccess as Record<string, unknown> | undefined;
  const n = Number(partial?.rejectedLogRecords ?? 0);
  return Number.isFinite(n) ? n : 0;
}
