// The Store interface: everything the indexer asks of storage, with no SQL (or any engine) showing.
import type { LineList } from '../model/line-list.js';
import type { MinuteRollup } from '../model/metrics.js';
import type { LogRecord, Span } from '../model/records.js';
import type { SearchPlan } from '../model/search-plan.js';

/** A legacy ID that names the same request as a trace ID (an `abc-123` header, a `trace_alias` field). */
export interface AliasLink {
  alias: string;
  traceId: string;
  /** The line that carried the alias beside the trace ID, when a line did (shown as "joined by"). */
  joinedBy?: { service?: string; time: number; body: string };
}

/** What one acknowledged request stores, all or nothing. */
export interface IngestBatch {
  /** Idempotency key: a batch ID stored once is not stored again (retries after a lost reply). */
  batchId?: string;
  logs: LogRecord[];
  spans: Span[];
  aliases: AliasLink[];
  /**
   * Metrics derived from this batch (and from nothing else), per service and minute. Stored with the
   * batch, all or nothing, so a retried batch is counted once.
   */
  rollups?: MinuteRollup[];
}

/** An alias link as stored: when it was last linked, and the line that linked it when one did. */
export interface StoredAliasLink extends AliasLink {
  /** When it was last linked, µs since the epoch. */
  linked: number;
}

export interface RollupQuery {
  /** µs; minutes starting at or after from and before to. */
  from: number;
  to: number;
  /** Only these services (all when absent or empty). */
  services?: string[];
  /**
   * `minute` (default): a row per service and minute; `hour`: a row per service and hour (from and to
   * then select whole hours), for percentiles over long ranges without reading every minute.
   */
  resolution?: 'minute' | 'hour';
  /** false leaves latency histograms out (empty): counts only, much cheaper to read. Default true. */
  latency?: boolean;
}

export interface SpanQuery {
  /** µs; spans starting at or after from and before to. */
  from: number;
  to: number;
  limit: number;
}

export interface AppendResult {
  /** True when the batch ID had been stored before and nothing was written this time. */
  duplicate: boolean;
  logs: number;
  spans: number;
}

/** A log record as stored: with the store's ID, which is also the position cursors count from. */
export interface StoredLog extends LogRecord {
  id: string;
}

export interface TraceResult {
  traceId: string;
  /** Every legacy ID stitched to this trace. */
  aliases: string[];
  /** In time order. */
  logs: StoredLog[];
  /** In start order; a span stored twice (same span ID) appears once. */
  spans: Span[];
}

/**
 * A trace whose lines stay in the store's own columns until one is asked for (`logs.at`): what the trace
 * view reads, which weighs every line and sends a few thousand.
 */
export interface TraceOfLines extends Omit<TraceResult, 'logs'> {
  logs: LineList<StoredLog>;
}

export interface SearchPage {
  /** Newest first. */
  logs: StoredLog[];
  /** Opaque; pass it back for the next (older) page. Absent on the last page. */
  nextCursor?: string;
}

export interface ServiceSummary {
  service: string;
  logs: number;
  spans: number;
  /** Error-level log lines (SeverityNumber ≥ 17). */
  errorLogs: number;
  /** µs since the epoch. */
  firstSeen: number;
  lastSeen: number;
}

/** Vocabularies a query can expand wildcards and fuzzy terms against. */
export type VocabularyField = 'msg' | 'service' | 'host';

export interface RetentionPolicy {
  /** Drop records older than this many µs. */
  maxAgeUs?: number;
  /** Drop the oldest records until the stored data is at most this many bytes. */
  maxBytes?: number;
}

export interface RetentionResult {
  deletedLogs: number;
  deletedSpans: number;
}

export interface StoreStats {
  logs: number;
  spans: number;
  aliases: number;
  bytes: number;
}

export interface Store {
  /** Stores a batch durably; resolves only after it is committed (the indexer acknowledges then). */
  append(batch: IngestBatch): Promise<AppendResult>;
  /** Everything about a trace, found by its trace ID or any alias; undefined when unknown. */
  trace(idOrAlias: string, options?: { limit?: number }): Promise<TraceResult | undefined>;
  /** As `trace`, the lines left in the store's columns; optional (the trace view calls `trace` without it). */
  traceOfLines?(idOrAlias: string, options?: { limit?: number }): Promise<TraceOfLines | undefined>;
  /** Log records matching the plan, newest first. */
  search(plan: SearchPlan, page: { limit: number; cursor?: string }): Promise<SearchPage>;
  /** Services seen, with counts. */
  services(): Promise<ServiceSummary[]>;
  /** Known values of a field, starting with `prefix`, for expanding wildcard and fuzzy terms (at most `limit`). */
  vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]>;
  /** Deletes what the policy no longer keeps. */
  applyRetention(policy: RetentionPolicy): Promise<RetentionResult>;
  stats(): Promise<StoreStats>;
  /** Alias links naming any of these trace IDs or aliases (at most `limit`, most recently linked first). */
  aliasLinks(query: { traceIds?: string[]; aliases?: string[] }, limit: number): Promise<StoredAliasLink[]>;
  /** Aliases linked to more than one trace (an operator's sign that an ID is reused), most traces first. */
  ambiguousAliases(limit: number): Promise<Array<{ alias: string; traceIds: string[] }>>;
  /** Spans that started in a time range, oldest first (learning clock skew, finding broken hops). */
  spans(query: SpanQuery): Promise<Span[]>;
  /** The stored rollups in a range, summed per service and minute (or hour), in (minute, service) order. */
  rollups(query: RollupQuery): Promise<MinuteRollup[]>;
  /** Finishes what is in progress and releases the store. */
  close(): Promise<void>;
}
