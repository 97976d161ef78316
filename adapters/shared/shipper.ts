// Ships log lines from a service straight to the logstitch indexer in batches, without a log file.
//
// ## The ingest protocol (client side; the indexer implements the server side)
//
// Request: `POST <url>/ingest` — `url` is the shipper option, else $LOGSTITCH_INDEXER_URL, else
// http://127.0.0.1:4318; a URL whose path already ends with `/ingest` is used as is.
//   content-type: application/x-ndjson      one log line per line, each ending in "\n", UTF-8; lines are
//                                           JSON objects as the logger wrote them (see line-limit.ts for
//                                           the only rewriting: lines that are too long or multi-line)
//   content-encoding: gzip                  only when the uncompressed body is larger than gzipThreshold
//                                           (default 16 KiB); content-length is the size on the wire
//   x-logstitch-batch-id: <uuid v4>         the same for every retry of a batch: the indexer stores a
//                                           batch ID once and answers a repeat as if it were new
//   authorization: Bearer <token>           when the option `token` or $LOGSTITCH_INGEST_TOKEN is set
//
// Answer: any 2xx acknowledges the batch; 200 carries
//   { "accepted": n, "rejected": n, "errors": [{ "line": i, "reason": "..." }] }
// where `line` is the 0-based index of the line in the batch. Rejected lines are counted and reported on
// stderr (rate-limited); they are not resent. A 2xx without those fields counts as all accepted.
//   408, 429, 5xx, a connection error or no complete answer within timeoutMs (default 10 s): retried, the
//   same bytes under the same batch ID, after an exponential backoff with full jitter (base 200 ms, cap
//   30 s), or after Retry-After (seconds or HTTP date, obeyed up to 5 minutes) when the answer has one.
//   Retries go on while the process lives; meanwhile new lines queue up to maxBufferBytes. Once close()
//   has begun, retries come at most 1 s apart (Retry-After included), until its deadline.
//   Any other status (4xx, 3xx: redirects are not followed): the batch is dropped, counted in
//   rejectedLines, and the indexer's reason (`error`, `message` or `reason` of a JSON body, else the text)
//   is reported on stderr, rate-limited.
//
// ## Delivery
//
// One request at a time, so the indexer receives lines in the order they were added. A batch goes when it
// holds batchSize lines or batchBytes bytes, when its oldest line has waited about flushIntervalMs, or on
// flush()/close(). While the indexer is away the queue is bounded by maxBufferBytes: beyond it the oldest
// lines are dropped and counted, and a batch that was waiting to be retried is dropped too if newer lines
// were dropped meanwhile, so what is lost is always one contiguous stretch of the oldest lines. Memory is
// therefore at most maxBufferBytes plus one batch (batchBytes, and its gzip).
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { runUntraced } from '../../src/context/index.js';
import { backoffDelay } from './backoff.js';
import { createAgent, postBatch, type IngestOutcome, type IngestTarget, type PreparedBatch } from './ingest-request.js';
import { fitLine, needsFitting } from './line-limit.js';
import { LineQueue } from './line-queue.js';
import { displayUrl, resolveShipperOptions, type ResolvedShipperOptions, type ShipperOptions } from './shipper-options.js';
import { RateLimitedWarnings, writeToStderr } from './warnings.js';

export { ShipperConfigError, DEFAULT_INDEXER_URL, type ShipperOptions } from './shipper-options.js';

/** How long close() waits for the indexer by default: under pino's 10 s limit for a transport to end. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

export interface ShipperStats {
  /** Lines waiting in the queue (not counting the batch being delivered). */
  queuedLines: number;
  queuedBytes: number;
  /** Lines of the batch being delivered or retried. */
  inFlightLines: number;
  /** Lines the indexer accepted. */
  sentLines: number;
  /** Batches the indexer acknowledged. */
  sentBatches: number;
  /** Lines lost on our side: buffer full, or still undelivered when close() gave up, or added after close. */
  droppedLines: number;
  /** Lines the indexer refused: listed as rejected in its answer, or in a batch it answered with a 4xx. */
  rejectedLines: number;
  /** Requests that failed and were retried. */
  retries: number;
  /** The most recent delivery error, kept after recovery for diagnosis; null if none ever happened. */
  lastError: string | null;
}

interface InFlight {
  firstSeq: number;
  lineCount: number;
}

/** While closing, no retry waits longer than this. */
const CLOSING_MAX_BACKOFF_MS = 1000;

const gzipAsync = promisify(gzip);

export class BatchShipper {
  private readonly options: ResolvedShipperOptions;
  private readonly target: IngestTarget;
  private readonly agent: Agent;
  private readonly warnings: RateLimitedWarnings;
  private readonly queue = new LineQueue();
  private readonly abort = new AbortController();
  private readonly waiters: Array<{ seq: number; resolve: () => void }> = [];
  private inFlight: InFlight | undefined;
  private sendThroughSeq = 0;
  private overflowDrops = 0;
  private pumping = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private closePromise: Promise<void> | undefined;
  private closed = false;
  private abandoned = false;
  private counters = { sentLines: 0, sentBatches: 0, droppedLines: 0, rejectedLines: 0, retries: 0 };
  private lastError: string | null = null;

  /** Throws ShipperConfigError when an option is invalid; nothing after construction throws. */
  constructor(options: ShipperOptions = {}) {
    this.options = resolveShipperOptions(options);
    this.agent = createAgent(this.options.url);
    this.target = { url: this.options.url, token: this.options.token, timeoutMs: this.options.timeoutMs, agent: this.agent };
    this.warnings = new RateLimitedWarnings(this.options.onWarning ?? writeToStderr, this.options.warnIntervalMs);
    if (this.options.flushOnExit) {
      process.on('beforeExit', this.onBeforeExit);
      process.on('exit', this.onExit);
    }
  }

  /** The endpoint batches go to. */
  get url(): string {
    return displayUrl(this.options.url);
  }

  /** Queues one log line. Never throws, never waits: when the buffer is full the oldest lines make room. */
  add(line: string): void {
    try {
      if (this.closed) {
        this.counters.droppedLines++;
        this.warnings.tally('after-close', 1, (n) => `logstitch: dropped ${n} log line(s) written after the shipper to ${this.url} was closed`);
        return;
      }
      let text = typeof line === 'string' ? line : String(line);
      if (text.length === 0) return;
      let bytes = Buffer.byteLength(text);
      if (needsFitting(text, bytes, this.options.maxLineBytes)) {
        text = fitLine(text, this.options.maxLineBytes);
        bytes = Buffer.byteLength(text);
      }
      this.queue.push(text, bytes + 1);
      if (this.queue.bytes > this.options.maxBufferBytes) this.dropOverflow();
      if (this.closePromise) this.sendThroughSeq = this.queue.nextSeq;
      if (this.hasDueBatch()) this.pump();
      else this.armTimer();
    } catch (error) {
      // Only a bug can land here; losing the line beats throwing into the caller's logging.
      this.counters.droppedLines++;
      this.lastError = `internal error while queueing a line: ${String(error)}`;
    }
  }

  /** Resolves once every line added before the call has been delivered, refused or dropped. */
  flush(): Promise<void> {
    const seq = this.queue.nextSeq;
    if (this.isSettled(seq)) return Promise.resolve();
    this.sendThroughSeq = Math.max(this.sendThroughSeq, seq);
    const settled = new Promise<void>((resolve) => this.waiters.push({ seq, resolve }));
    this.pump();
    return settled;
  }

  /**
   * Sends everything queued, waiting at most `timeoutMs` for the indexer; then gives up, counts and
   * reports what could not be delivered, and releases the connection. Later add() calls drop their line.
   */
  close(timeoutMs: number = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.closePromise ??= this.shutDown(timeoutMs);
    return this.closePromise;
  }

  stats(): ShipperStats {
    return {
      queuedLines: this.queue.length,
      queuedBytes: this.queue.bytes,
      inFlightLines: this.inFlight?.lineCount ?? 0,
      ...this.counters,
      lastError: this.lastError,
    };
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    process.off('beforeExit', this.onBeforeExit);
    process.off('exit', this.onExit);
    clearTimeout(this.timer);
    // A retry may be waiting out a long backoff: try now, so a recovered indexer gets the lines in time.
    this.wake?.();
    let deadline: NodeJS.Timeout | undefined;
    // This timer is deliberately not unref'd: whoever closes wants the process to wait for the deadline.
    const timedOut = new Promise<boolean>((resolve) => {
      deadline = setTimeout(() => resolve(true), timeoutMs);
    });
    const drained = (async () => {
      while (!this.isSettled(this.queue.nextSeq)) await this.flush();
      return false;
    })();
    if (await Promise.race([drained, timedOut])) this.abandon(timeoutMs);
    clearTimeout(deadline);
    this.closed = true;
    this.warnings.releaseAll();
    this.agent.destroy();
  }

  private abandon(timeoutMs: number): void {
    this.abandoned = true;
    const lost = this.queue.clear() + (this.inFlight?.lineCount ?? 0);
    this.inFlight = undefined;
    this.counters.droppedLines += lost;
    this.abort.abort();
    this.wake?.();
    this.settleWaiters();
    if (lost > 0) {
      this.warnings.warn(
        'lost-on-close',
        `logstitch: gave up after ${timeoutMs} ms with ${lost} log line(s) not delivered to the indexer at ${this.url}` +
          ` (last error: ${this.lastError ?? 'none'}); they are lost`,
      );
    }
  }

  private hasDueBatch(): boolean {
    const queue = this.queue;
    if (queue.length === 0 || this.abandoned) return false;
    return queue.length >= this.options.batchSize || queue.bytes >= this.options.batchBytes || queue.headSeq < this.sendThroughSeq;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.drain()
      .catch((error: unknown) => {
        this.lastError = `internal error in the shipper: ${String(error)}`;
      })
      .finally(() => {
        this.pumping = false;
        if (this.hasDueBatch()) this.pump();
        else this.armTimer();
      });
  }

  private async drain(): Promise<void> {
    while (this.hasDueBatch()) {
      const firstSeq = this.queue.headSeq;
      const dropsWhenTaken = this.overflowDrops;
      const taken = this.queue.take(this.options.batchSize, this.options.batchBytes);
      this.inFlight = { firstSeq, lineCount: taken.lines.length };
      try {
        await this.deliver(await this.prepare(taken.lines), dropsWhenTaken);
      } catch (error) {
        // Only a bug (or zlib failing) lands here: count the batch as lost rather than wedge the queue.
        this.lastError = `internal error while shipping a batch: ${String(error)}`;
        if (this.inFlight) this.counters.droppedLines += this.inFlight.lineCount;
      }
      this.inFlight = undefined;
      this.settleWaiters();
    }
  }

  private async prepare(lines: string[]): Promise<PreparedBatch> {
    const raw = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const gzipped = raw.length > this.options.gzipThreshold;
    return { id: randomUUID(), body: gzipped ? await gzipAsync(raw) : raw, gzipped, lineCount: lines.length };
  }

  /** Sends one batch until the indexer answers for good, the batch is overtaken by drops, or close gives up. */
  private async deliver(batch: PreparedBatch, dropsWhenTaken: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.abandoned) return;
      if (attempt > 0 && this.overflowDrops > dropsWhenTaken) {
        // Newer lines were dropped while this batch waited for a retry: it is older, so it goes too.
        this.countDropped(batch.lineCount);
        return;
      }
      // Untraced: shipping logs from inside a request must not become a span of that request.
      const outcome = await runUntraced(() => postBatch(this.target, batch, this.abort.signal));
      if (this.abandoned) return;
      if (outcome.kind !== 'retry') {
        this.settle(outcome, batch);
        return;
      }
      this.counters.retries++;
      this.lastError = outcome.reason;
      if (!this.failing) {
        this.failing = true;
        this.warnings.warn('unreachable', `logstitch: cannot deliver logs to the indexer at ${this.url}: ${outcome.reason}; retrying, keeping up to ${formatBytes(this.options.maxBufferBytes)} of lines meanwhile`);
      }
      // Closing has a deadline: retry within it, however long the backoff or Retry-After would wait.
      const delay = this.closePromise
        ? backoffDelay(attempt, this.options.backoffBaseMs, Math.min(this.options.backoffMaxMs, CLOSING_MAX_BACKOFF_MS))
        : (outcome.retryAfterMs ?? backoffDelay(attempt, this.options.backoffBaseMs, this.options.backoffMaxMs));
      await this.pause(delay);
    }
  }

  private settle(outcome: Exclude<IngestOutcome, { kind: 'retry' }>, batch: PreparedBatch): void {
    if (this.failing) {
      this.failing = false;
      this.warnings.warn('recovered', `logstitch: delivering logs to the indexer at ${this.url} again`);
    }
    if (outcome.kind === 'refused') {
      this.counters.rejectedLines += batch.lineCount;
      this.lastError = outcome.reason;
      this.warnings.tally('refused', batch.lineCount, (n) => `logstitch: the indexer at ${this.url} refused ${n} log line(s) and they were dropped: ${outcome.reason}`);
      return;
    }
    this.counters.sentBatches++;
    this.counters.sentLines += outcome.accepted;
    if (outcome.rejected > 0) {
      this.counters.rejectedLines += outcome.rejected;
      const example = outcome.errors[0];
      const detail = example ? `; e.g. line ${example.line} of a batch: ${example.reason}` : '';
      this.warnings.tally('line-rejected', outcome.rejected, (n) => `logstitch: the indexer at ${this.url} rejected ${n} log line(s)${detail}`);
    }
  }

  private dropOverflow(): void {
    const dropped = this.queue.dropOldestBeyond(this.options.maxBufferBytes);
    if (dropped === 0) return;
    this.overflowDrops += dropped;
    this.countDropped(dropped);
    this.settleWaiters();
  }

  private countDropped(lines: number): void {
    this.counters.droppedLines += lines;
    this.warnings.tally(
      'dropped',
      lines,
      (n) =>
        `logstitch: dropped ${n} oldest log line(s): the ${formatBytes(this.options.maxBufferBytes)} buffer is full because the indexer at ${this.url}` +
        (this.lastError ? ` is unreachable or too slow (last error: ${this.lastError})` : ' has not taken the lines as fast as they came'),
    );
  }

  /** Waits before a retry. Idle time: the timer must not hold the process open (close() does when asked). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  private armTimer(): void {
    if (this.timer || this.queue.length === 0 || this.closePromise) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendThroughSeq = Math.max(this.sendThroughSeq, this.queue.nextSeq);
      this.pump();
    }, this.options.flushIntervalMs);
    // An idle shipper must not keep the process alive; 'beforeExit' sends what is left.
    this.timer.unref();
  }

  /** True when no line with a sequence number below `seq` is still queued or in flight. */
  private isSettled(seq: number): boolean {
    const oldest = this.inFlight?.firstSeq ?? this.queue.headSeq;
    return this.abandoned || oldest >= seq;
  }

  private settleWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as { seq: number; resolve: () => void };
      if (this.isSettled(waiter.seq)) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  // The event loop has emptied: send what is queued now instead of at the (unref'd) timer. A running
  // pump is either sending (its socket keeps the loop alive) or waiting to retry, which must not.
  private readonly onBeforeExit = (): void => {
    if (this.queue.length === 0 || this.pumping) return;
    this.sendThroughSeq = this.queue.nextSeq;
    this.pump();
  };

  private readonly onExit = (): void => {
    this.warnings.releaseAll();
    const lost = this.queue.length + (this.inFlight?.lineCount ?? 0);
    if (lost > 0) {
      this.warnings.warn(
        'lost-on-exit',
        `logstitch: process exiting with ${lost} log line(s) not delivered to the indexer at ${this.url}` +
          ` (last error: ${this.lastError ?? 'none'}); close() the shipper before exit to wait for them`,
      );
    }
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
