// Where the database work runs: in the caller's thread (inline), or in two worker threads — a writer,
// so that HTTP parsing and SQLite writing use both cores, and a reader, so that searches wait for neither.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Span } from '../../model/records.js';
import type { SearchPlan } from '../../model/search-plan.js';
import type { AppendResult, RetentionPolicy, RetentionResult, RollupQuery, SearchPage, ServiceSummary, SpanQuery, StoredAliasLink, StoreStats, TraceOfLines, TraceResult, VocabularyField } from '../types.js';
import { transferables, type EncodedBatch } from './encode.js';
import { StoreError, type StoreErrorCode } from '../errors.js';
import { Reader } from './reader.js';
import { Retention } from './retention.js';
import type { PackedRollups } from './rollup-rows.js';
import { openDatabase, type ConnectionOptions, type Db } from './schema.js';
import { Writer } from './writer.js';

export interface EngineOptions extends ConnectionOptions {
  batchIdTtlUs: number;
}

/** The operations a reader answers: name → arguments and result. */
export interface ReadOps {
  trace: [[idOrAlias: string, limit: number], TraceResult | undefined];
  /** Only on the caller's thread: its lines are block views, which do not cross to another. */
  traceOfLines: [[idOrAlias: string, limit: number], TraceOfLines | undefined];
  search: [[plan: SearchPlan, page: { limit: number; cursor?: string }], SearchPage];
  services: [[], ServiceSummary[]];
  vocabulary: [[field: VocabularyField, prefix: string, limit: number], string[]];
  stats: [[], StoreStats];
  aliasLinks: [[query: { traceIds?: string[]; aliases?: string[] }, limit: number], StoredAliasLink[]];
  ambiguousAliases: [[limit: number], Array<{ alias: string; traceIds: string[] }>];
  spans: [[query: SpanQuery], Span[]];
  rollups: [[query: RollupQuery], PackedRollups];
}
export type ReadOp = keyof ReadOps;

export interface Engine {
  append(batch: EncodedBatch): Promise<AppendResult>;
  retention(policy: RetentionPolicy): Promise<RetentionResult>;
  read<K extends ReadOp>(op: K, args: ReadOps[K][0]): Promise<ReadOps[K][1]>;
  close(): Promise<void>;
}

export const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs a reader's operation by name. */
export function runRead(reader: Reader, op: ReadOp, args: unknown[]): unknown {
  switch (op) {
    case 'trace':
      return reader.trace(args[0] as string, args[1] as number);
    case 'traceOfLines':
      return reader.traceOfLines(args[0] as string, args[1] as number);
    case 'search':
      return reader.search(args[0] as SearchPlan, args[1] as { limit: number; cursor?: string });
    case 'services':
      return reader.services();
    case 'vocabulary':
      return reader.vocabulary(args[0] as VocabularyField, args[1] as string, args[2] as number);
    case 'stats':
      return reader.stats();
    case 'aliasLinks':
      return reader.aliasLinks(args[0] as { traceIds?: string[]; aliases?: string[] }, args[1] as number);
    case 'ambiguousAliases':
      return reader.ambiguousAliases(args[0] as number);
    case 'spans':
      return reader.spansBetween(args[0] as SpanQuery);
    case 'rollups':
      return reader.rollups(args[0] as RollupQuery);
    default:
      throw new StoreError('STORE_BAD_QUERY', `unknown operation ${String(op)}`);
  }
}

/** Everything in the caller's thread, on one connection: simplest, and what runs from TypeScript source. */
export class InlineEngine implements Engine {
  private readonly db;
  private readonly writer;
  private readonly reader;
  private readonly retentionWork;
  private retentionChain: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions) {
    this.db = openDatabase(options, 'writer');
    this.writer = new Writer(this.db);
    this.reader = new Reader(this.db);
    this.retentionWork = new Retention(this.db, options.batchIdTtlUs);
  }

  async append(batch: EncodedBatch): Promise<AppendResult> {
    const result = this.writer.appendGroup([batch])[0]!;
    if (result instanceof Error) throw result;
    return result;
  }

  retention(policy: RetentionPolicy): Promise<RetentionResult> {
    const run = this.retentionChain.then(() => this.retentionWork.apply(policy, pause));
    this.retentionChain = run.catch(() => undefined);
    return run;
  }

  async read<K extends ReadOp>(op: K, args: ReadOps[K][0]): Promise<ReadOps[K][1]> {
    return runRead(this.reader, op, args) as ReadOps[K][1];
  }

  async close(): Promise<void> {
    await this.retentionChain;
    this.db.close();
  }
}

/** The compiled worker entry beside this module; absent when running from TypeScript source. */
export function workerEntry(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Reads answered on the caller's own connection rather than by the reader thread: a trace is a handful of
 * indexed block reads (a lookup's worker round trip cost as much as its reads), and for a trace of
 * thousands of lines, copying the decoded records back from a thread blocked the caller as long as reading
 * them itself. Searches and scans, which can read for seconds, stay on the reader thread.
 */
const CALLER_READS: ReadonlySet<ReadOp> = new Set(['trace', 'traceOfLines', 'aliasLinks']);

/** A writer, a reader and a checkpointer thread over one database file (WAL lets them run at once). */
export class WorkerEngine implements Engine {
  private constructor(
    private readonly writer: WorkerClient,
    private readonly reader: WorkerClient,
    private readonly checkpointer: WorkerClient,
    /** The caller's own read-only connection, for CALLER_READS. */
    private readonly local: { db: Db; reader: Reader },
  ) {}

  static async start(entry: URL, options: EngineOptions): Promise<WorkerEngine> {
    // The writer creates the schema; the others open what exists.
    const writer = await WorkerClient.start(entry, 'writer', options);
    const others = await Promise.allSettled([WorkerClient.start(entry, 'reader', options), WorkerClient.start(entry, 'checkpointer', options)]);
    const [reader, checkpointer] = others;
    let failure: unknown = (others.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined)?.reason;
    if (reader.status === 'fulfilled' && checkpointer.status === 'fulfilled') {
      try {
        const db = openDatabase(options, 'reader');
        return new WorkerEngine(writer, reader.value, checkpointer.value, { db, reader: new Reader(db) });
      } catch (error) {
        failure = error;
      }
    }
    await Promise.all([writer, ...others.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))].map((w) => w.close()));
    throw failure;
  }

  append(batch: EncodedBatch): Promise<AppendResult> {
    return this.writer.call('append', [batch], transferables(batch)) as Promise<AppendResult>;
  }

  retention(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.writer.call('retention', [policy]) as Promise<RetentionResult>;
  }

  read<K extends ReadOp>(op: K, args: ReadOps[K][0]): Promise<ReadOps[K][1]> {
    if (!CALLER_READS.has(op)) return this.reader.call(op, args) as Promise<ReadOps[K][1]>;
    try {
      return Promise.resolve(runRead(this.local.reader, op, args) as ReadOps[K][1]);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async close(): Promise<void> {
    // The store closes only once its calls are done, so no read is running on the caller's connection.
    this.local.db.close();
    await Promise.all([this.writer.close(), this.reader.close(), this.checkpointer.close()]);
  }
}

export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack !== undefined ? { stack: e.stack } : {}) };
}

function reviveError(e: SerializedError): Error {
  if (e.code?.startsWith('STORE_')) return new StoreError(e.code as StoreErrorCode, e.message);
  const error = new Error(e.message);
  error.name = e.name;
  if (e.code !== undefined) (error as Error & { code: string }).code = e.code;
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** One worker thread, called by request ID; a crashed worker fails every call in flight and every later one. */
class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private failure: Error | undefined;
  private closing = false;
  private exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly role: string,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (call === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0 && !this.closing) worker.unref();
      if (reply.ok) call.resolve(reply.value);
      else call.reject(reviveError(reply.error));
    });
    worker.on('error', (error) => this.fail(error));
    worker.once('exit', (code) => this.fail(new Error(`exited with code ${code}`)));
    // An idle store does not keep the process alive (what it acknowledged is committed); a call does.
    worker.unref();
  }

  static start(entry: URL, role: 'writer' | 'reader' | 'checkpointer', options: EngineOptions): Promise<WorkerClient> {
    const worker = new Worker(entry, { workerData: { role, options } });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new StoreError('STORE_WORKER_FAILED', `the store's ${role} thread exited with code ${code} while starting`));
      worker.once('exit', onExit);
      worker.once('message', (message: { ready: boolean; error?: SerializedError }) => {
        worker.off('exit', onExit);
        if (message.ready) resolve(new WorkerClient(worker, role));
        else {
          reject(reviveError(message.error!));
          void worker.terminate();
        }
      });
    });
  }

  call(op: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }

  async close(): Promise<void> {
    // Referenced until the thread is gone: whoever awaits close() waits for that.
    this.closing = true;
    this.worker.ref();
    if (this.failure === undefined) {
      await this.call('close', []).catch(() => undefined);
      this.failure = new StoreError('STORE_CLOSED', 'the store is closed: open it again to use it');
    }
    await this.exited;
  }

  private fail(cause: Error): void {
    if (this.failure !== undefined) return;
    this.failure = new StoreError('STORE_WORKER_FAILED', `the store's ${this.role} thread failed (${cause.message}): reopen the store`, { cause });
    for (const call of this.pending.values()) call.reject(this.failure);
    this.pending.clear();
  }
}
