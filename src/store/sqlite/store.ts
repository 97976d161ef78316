// SqliteStore: the embedded default Store — one SQLite database (WAL) in the data directory.
import type { MinuteRollup } from '../../model/metrics.js';
import type { Span } from '../../model/records.js';
import type { SearchPlan } from '../../model/search-plan.js';
import type {
  AppendResult,
  IngestBatch,
  RetentionPolicy,
  RollupQuery,
  SpanQuery,
  StoredAliasLink,
  RetentionResult,
  SearchPage,
  ServiceSummary,
  Store,
  StoreStats,
  TraceOfLines,
  TraceResult,
  VocabularyField,
} from '../types.js';
import { encodeBatch } from './encode.js';
import { InlineEngine, WorkerEngine, workerEntry, type Engine } from './engine.js';
import { Calls } from '../calls.js';
import { StoreError } from '../errors.js';
import { DEFAULT_TRACE_LIMIT } from './reader.js';
import { unpackRollups } from './rollup-rows.js';
import type { ConnectionOptions } from './schema.js';

export interface SqliteStoreOptions extends ConnectionOptions {
  /**
   * `worker`: the database runs in worker threads (writer, reader, checkpointer), so parsing in the caller's
   * thread and SQLite writing use two cores; trace lookups read on a connection of the caller's own (see
   * CALLER_READS in engine.ts); `inline`: everything in the caller's thread. `auto` (default): worker
   * threads when running from compiled JavaScript, inline from TypeScript source (tests).
   */
  threads?: 'auto' | 'worker' | 'inline';
  /** How long a batch ID is remembered for idempotent retries, µs (default 7 days). Pruned by applyRetention. */
  batchIdTtlUs?: number;
  /** Appends in flight before append() waits for one to finish (default 64): bounds memory under load. */
  maxPendingAppends?: number;
}

const WEEK_US = 7 * 24 * 3600 * 1_000_000;

export class SqliteStore implements Store {
  private readonly calls = new Calls();
  private appending = 0;
  private readonly waiting: Array<() => void> = [];

  private constructor(
    private readonly engine: Engine,
    private readonly maxPendingAppends: number,
    /** Which threading the store runs with. */
    readonly threads: 'worker' | 'inline',
  ) {}

  /** Opens the store in options.dataDir, creating the directory and database when they do not exist. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    if (typeof options.dataDir !== 'string' || options.dataDir.length === 0) {
      throw new StoreError('STORE_BAD_CONFIG', 'the SQLite store needs a dataDir: the directory its database lives in');
    }
    const engineOptions = { ...options, batchIdTtlUs: options.batchIdTtlUs ?? WEEK_US };
    const mode = options.threads ?? 'auto';
    const entry = mode === 'inline' ? undefined : workerEntry();
    if (mode === 'worker' && entry === undefined) {
      throw new StoreError('STORE_BAD_CONFIG', "threads: 'worker' needs the compiled store (dist/); from TypeScript source use threads: 'inline' or 'auto'");
    }
    const engine = entry === undefined ? new InlineEngine(engineOptions) : await WorkerEngine.start(entry, engineOptions);
    return new SqliteStore(engine, options.maxPendingAppends ?? 64, entry === undefined ? 'inline' : 'worker');
  }

  append(batch: IngestBatch): Promise<AppendResult> {
    return this.calls.track(async () => {
      // A slot freed while appends wait passes straight to the first of them.
      if (this.appending < this.maxPendingAppends) this.appending++;
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
      try {
        return await this.engine.append(encodeBatch(batch));
      } finally {
        const next = this.waiting.shift();
        if (next !== undefined) next();
        else this.appending--;
      }
    });
  }

  trace(idOrAlias: string, options?: { limit?: number }): Promise<TraceResult | undefined> {
    return this.calls.track(() => this.engine.read('trace', [idOrAlias, options?.limit ?? DEFAULT_TRACE_LIMIT]));
  }

  traceOfLines(idOrAlias: string, options?: { limit?: number }): Promise<TraceOfLines | undefined> {
    return this.calls.track(() => this.engine.read('traceOfLines', [idOrAlias, options?.limit ?? DEFAULT_TRACE_LIMIT]));
  }

  search(plan: SearchPlan, page: { limit: number; cursor?: string }): Promise<SearchPage> {
    return this.calls.track(() => this.engine.read('search', [plan, page]));
  }

  services(): Promise<ServiceSummary[]> {
    return this.calls.track(() => this.engine.read('services', []));
  }

  vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]> {
    return this.calls.track(() => this.engine.read('vocabulary', [field, prefix, limit]));
  }

  applyRetention(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.calls.track(() => this.engine.retention(policy));
  }

  stats(): Promise<StoreStats> {
    return this.calls.track(() => this.engine.read('stats', []));
  }

  aliasLinks(query: { traceIds?: string[]; aliases?: string[] }, limit: number): Promise<StoredAliasLink[]> {
    return this.calls.track(() => this.engine.read('aliasLinks', [query, limit]));
  }

  ambiguousAliases(limit: number): Promise<Array<{ alias: string; traceIds: string[] }>> {
    return this.calls.track(() => this.engine.read('ambiguousAliases', [limit]));
  }

  spans(query: SpanQuery): Promise<Span[]> {
    return this.calls.track(() => this.engine.read('spans', [query]));
  }

  rollups(query: RollupQuery): Promise<MinuteRollup[]> {
    return this.calls.track(async () => unpackRollups(await this.engine.read('rollups', [query])));
  }

  /** Waits for every call in progress, then closes the database. Calling it again returns the same promise. */
  close(): Promise<void> {
    return this.calls.close(async () => {
      await this.engine.close();
    });
  }
}
