// ClickHouseStore: the scale-out Store — logs, spans and aliases in ClickHouse (one server, or a cluster of
// shards behind Distributed tables), so that indexers stay stateless and as many as needed can run.
import { randomBytes } from 'node:crypto';
import type { MinuteRollup } from '../../model/metrics.js';
import type { Span } from '../../model/records.js';
import type { SearchPlan } from '../../model/search-plan.js';
import { nowMicros } from '../../model/time.js';
import { Calls } from '../calls.js';
import type {
  AppendResult,
  IngestBatch,
  RetentionPolicy,
  RetentionResult,
  RollupQuery,
  SearchPage,
  SpanQuery,
  StoredAliasLink,
  ServiceSummary,
  Store,
  StoreStats,
  TraceResult,
  VocabularyField,
} from '../types.js';
import { Connection } from './connection.js';
import { DerivedReader } from './derived.js';
import { encodeBatch } from './encode.js';
import { resolveOptions, type ClickHouseStoreOptions, type ResolvedOptions } from './options.js';
import { DEFAULT_TRACE_LIMIT, Reader } from './reader.js';
import { Retention } from './retention.js';
import { Layout, migrate } from './schema.js';
import { Hidden } from './visibility.js';
import { Writer } from './writer.js';

/** A new append's key: random, 64 bits, never 0. */
function newAttempt(): string {
  for (;;) {
    const key = randomBytes(8).readBigUInt64BE();
    if (key !== 0n) return key.toString();
  }
}

export class ClickHouseStore implements Store {
  private readonly calls = new Calls();
  private appending = 0;
  private readonly waiting: Array<() => void> = [];
  private linkClock = 0;
  private readonly writer: Writer;
  private readonly reader: Reader;
  private readonly retention: Retention;
  private readonly derived: DerivedReader;
  /** What every read leaves out: appends not committed, and the losers of raced batch IDs. */
  private readonly hidden: Hidden;

  private constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
    private readonly options: ResolvedOptions,
  ) {
    this.hidden = new Hidden(connection, layout, options.visibilityMaxAgeMs);
    this.writer = new Writer(connection, layout, options.maxGroupLogs, this.hidden);
    this.reader = new Reader(connection, layout);
    this.derived = new DerivedReader(connection, layout);
    this.retention = new Retention(connection, layout, options.batchIdTtlUs, options.abandonedAfterUs, this.hidden, () => this.reader.bytes());
  }

  /** Connects, creates or migrates the schema, and returns the store. */
  static async open(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
    const resolved = resolveOptions(options);
    const connection = await Connection.open(resolved);
    try {
      const layout = new Layout(resolved.database, resolved.cluster);
      await migrate(connection, layout);
      return new ClickHouseStore(connection, layout, resolved);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** The ClickHouse version this store talks to, as the server reports it. */
  get serverVersion(): string {
    return this.connection.version.text;
  }

  get database(): string {
    return this.layout.database;
  }

  append(batch: IngestBatch): Promise<AppendResult> {
    return this.calls.track(async () => {
      // Checked and encoded here, before it waits: a bad batch fails alone and at once.
      const now = nowMicros();
      this.linkClock = Math.max(now, this.linkClock + 1);
      const encoded = encodeBatch(batch, newAttempt(), now, this.linkClock, this.connection.binaryBodies);
      if (this.appending < this.options.maxPendingAppends) this.appending++;
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
      try {
        return await this.writer.append(encoded);
      } finally {
        const next = this.waiting.shift();
        if (next !== undefined) next();
        else this.appending--;
      }
    });
  }

  trace(idOrAlias: string, options?: { limit?: number }): Promise<TraceResult | undefined> {
    return this.calls.track(async () => this.reader.trace(idOrAlias, options?.limit ?? DEFAULT_TRACE_LIMIT, await this.hidden.where()));
  }

  search(plan: SearchPlan, page: { limit: number; cursor?: string }): Promise<SearchPage> {
    return this.calls.track(async () => this.reader.search(plan, page, await this.hidden.where()));
  }

  services(): Promise<ServiceSummary[]> {
    return this.calls.track(async () => this.reader.services(await this.hidden.where()));
  }

  vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]> {
    return this.calls.track(() => this.reader.vocabulary(field, prefix, limit));
  }

  applyRetention(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.calls.track(() => this.retention.apply(policy ?? {}));
  }

  stats(): Promise<StoreStats> {
    return this.calls.track(async () => this.reader.stats(await this.hidden.where()));
  }

  aliasLinks(query: { traceIds?: string[]; aliases?: string[] }, limit: number): Promise<StoredAliasLink[]> {
    return this.calls.track(async () => this.derived.aliasLinks(query ?? {}, limit, await this.hidden.where()));
  }

  ambiguousAliases(limit: number): Promise<Array<{ alias: string; traceIds: string[] }>> {
    return this.calls.track(async () => this.derived.ambiguousAliases(limit, await this.hidden.where()));
  }

  spans(query: SpanQuery): Promise<Span[]> {
    return this.calls.track(async () => this.derived.spans(query, await this.hidden.where()));
  }

  rollups(query: RollupQuery): Promise<MinuteRollup[]> {
    return this.calls.track(async () => this.derived.rollups(query, await this.hidden.where()));
  }

  /** Waits for every call in progress (queued appends are written), then closes the connections. */
  close(): Promise<void> {
    return this.calls.close(async () => {
      await this.writer.idle();
      await this.connection.close();
    });
  }
}

/** Opens the ClickHouse store: `openClickHouseStore({ url: 'http://127.0.0.1:8123' })`. */
export function openClickHouseStore(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
  return ClickHouseStore.open(options);
}
