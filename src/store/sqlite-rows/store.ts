// The embedded store: SQLite (better-sqlite3) in WAL mode; a batch is acknowledged once it commits.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LogstitchError } from '../../model/errors.js';
import { isValidTraceId, traceIdFromLegacy } from '../../model/ids.js';
import type { LogRecord, Span, SpanKind, SpanStatus } from '../../model/records.js';
import type { SearchPlan } from '../../model/search-plan.js';
import { nowMicros } from '../../model/time.js';
import type { AppendResult, IngestBatch, RetentionPolicy, RetentionResult, SearchPage, ServiceSummary, Store, StoredLog, StoreStats, TraceResult, VocabularyField } from '../types.js';
import { ID_SLOTS, SCHEMA } from './schema.js';
import { searchSql } from './search-sql.js';

export interface SqliteStoreOptions {
  dataDir: string;
  /**
   * `normal` (default): a commit survives the process being killed, not the machine losing power.
   * `full`: also survives power loss, at a cost on every batch.
   */
  synchronous?: 'normal' | 'full';
}

interface LogRow {
  id: number;
  time: number;
  observed: number | null;
  trace_id: string | null;
  span_id: string | null;
  trace_flags: number | null;
  severity: number;
  severity_text: string | null;
  service: string | null;
  host: string | null;
  body: string;
  attrs: string | null;
  aliases: string | null;
  parse_error: string | null;
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  start: number;
  duration: number;
  status: string;
  service: string | null;
  attrs: string | null;
  origin: string | null;
}

const RECEIVED = "('otlp', 'zipkin')";
const RETENTION_CHUNK = 20_000;

function toLog(row: LogRow): StoredLog {
  const log: StoredLog = { id: String(row.id), time: row.time, severityNumber: row.severity, body: row.body };
  if (row.observed !== null) log.observedTime = row.observed;
  if (row.severity_text !== null) log.severityText = row.severity_text;
  if (row.trace_id !== null) log.traceId = row.trace_id;
  if (row.span_id !== null) log.spanId = row.span_id;
  if (row.trace_flags !== null) log.traceFlags = row.trace_flags;
  if (row.service !== null) log.service = row.service;
  if (row.host !== null) log.host = row.host;
  if (row.attrs !== null) log.attributes = JSON.parse(row.attrs) as StoredLog['attributes'];
  if (row.aliases !== null) log.aliases = JSON.parse(row.aliases) as string[];
  if (row.parse_error !== null) log.parseError = row.parse_error;
  return log;
}

function toSpan(row: SpanRow): Span {
  const span: Span = { traceId: row.trace_id, spanId: row.span_id, name: row.name, kind: row.kind as SpanKind, start: row.start, duration: row.duration, status: row.status as SpanStatus };
  if (row.parent_span_id !== null) span.parentSpanId = row.parent_span_id;
  if (row.service !== null) span.service = row.service;
  if (row.attrs !== null) span.attributes = JSON.parse(row.attrs) as Span['attributes'];
  if (row.origin !== null) span.origin = row.origin as Span['origin'];
  return span;
}

export class StoreClosedError extends LogstitchError {
  constructor() {
    super('STORE_CLOSED', 'the store is closed');
  }
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private closed = false;
  private seq = 0;
  private readonly statements;
  private readonly appendBatch: Database.Transaction<(batch: IngestBatch) => AppendResult>;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.db = new Database(join(options.dataDir, 'logstitch.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('mmap_size = 268435456');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      seenBatch: db.prepare('SELECT 1 FROM batches WHERE id = ?').pluck(),
      addBatch: db.prepare('INSERT INTO batches (id, at) VALUES (?, ?)'),
      insertLog: db.prepare(
        'INSERT OR IGNORE INTO logs (id, time, observed, trace_id, span_id, trace_flags, severity, severity_text, service, host, body, attrs, aliases, parse_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertText: db.prepare('INSERT INTO logs_fts (rowid, body) VALUES (?, ?)'),
      upsertSpan: db.prepare(
        `INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start, duration, status, service, attrs, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id, name = excluded.name, kind = excluded.kind, start = excluded.start,
           duration = excluded.duration, status = excluded.status, service = excluded.service, attrs = excluded.attrs, origin = excluded.origin
         WHERE excluded.origin IN ${RECEIVED} OR spans.origin NOT IN ${RECEIVED} OR spans.origin IS NULL`,
      ),
      addAlias: db.prepare('INSERT OR IGNORE INTO aliases (alias, trace_id, first_seen) VALUES (?, ?, ?)'),
      bumpService: db.prepare(
        `INSERT INTO service_stats (service, logs, spans, error_logs, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (service) DO UPDATE SET logs = logs + excluded.logs, spans = spans + excluded.spans, error_logs = error_logs + excluded.error_logs,
           first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
      ),
      addHost: db.prepare('INSERT OR IGNORE INTO hosts (host) VALUES (?)'),
      traceLogs: db.prepare('SELECT * FROM logs WHERE trace_id = ? ORDER BY time, id LIMIT ?'),
      traceSpans: db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start, span_id'),
      traceAliases: db.prepare('SELECT alias FROM aliases WHERE trace_id = ? ORDER BY first_seen, alias').pluck(),
      aliasTrace: db.prepare('SELECT trace_id FROM aliases WHERE alias = ? ORDER BY first_seen DESC LIMIT 1').pluck(),
    };
    this.appendBatch = db.transaction((batch: IngestBatch) => this.appendTx(batch));
  }

  private check(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** Inserts one log under an ID that follows its time; a taken ID moves to the next free slot. */
  private insertLog(log: LogRecord): number {
    const base = Math.floor(log.time / 1000) * ID_SLOTS;
    const attrs = log.attributes === undefined ? null : JSON.stringify(log.attributes);
    const aliases = log.aliases === undefined || log.aliases.length === 0 ? null : JSON.stringify(log.aliases);
    for (let attempt = 0; ; attempt++) {
      const id = base + ((this.seq++ + attempt) % ID_SLOTS) + (attempt >= ID_SLOTS ? ID_SLOTS * Math.floor(attempt / ID_SLOTS) : 0);
      const info = this.statements.insertLog.run(
        id, log.time, log.observedTime ?? null, log.traceId ?? null, log.spanId ?? null, log.traceFlags ?? null, log.severityNumber,
        log.severityText ?? null, log.service ?? null, log.host ?? null, log.body, attrs, aliases, log.parseError ?? null,
      );
      if (info.changes === 1) {
        if (log.body.length > 0) this.statements.insertText.run(id, log.body);
        return id;
      }
    }
  }

  private readonly appendTx = (batch: IngestBatch): AppendResult => {
    const s = this.statements;
    if (batch.batchId !== undefined) {
      if (s.seenBatch.get(batch.batchId) !== undefined) return { duplicate: true, logs: 0, spans: 0 };
      s.addBatch.run(batch.batchId, nowMicros());
    }
    const perService = new Map<string, { logs: number; spans: number; errors: number; first: number; last: number }>();
    const tally = (service: string | undefined, time: number, kind: 'logs' | 'spans', error: boolean) => {
      if (service === undefined) return;
      let t = perService.get(service);
      if (t === undefined) perService.set(service, (t = { logs: 0, spans: 0, errors: 0, first: time, last: time }));
      t[kind]++;
      if (error) t.errors++;
      if (time < t.first) t.first = time;
      if (time > t.last) t.last = time;
    };
    const hosts = new Set<string>();
    for (const log of batch.logs) {
      this.insertLog(log);
      tally(log.service, log.time, 'logs', log.severityNumber >= 17);
      if (log.host !== undefined) hosts.add(log.host);
    }
    for (const span of batch.spans) {
      s.upsertSpan.run(span.traceId, span.spanId, span.parentSpanId ?? null, span.name, span.kind, span.start, span.duration, span.status, span.service ?? null, span.attributes === undefined ? null : JSON.stringify(span.attributes), span.origin ?? null);
      tally(span.service, span.start, 'spans', false);
    }
    const now = nowMicros();
    for (const link of batch.aliases) s.addAlias.run(link.alias, link.traceId, now);
    for (const [service, t] of perService) s.bumpService.run(service, t.logs, t.spans, t.errors, t.first, t.last);
    for (const host of hosts) s.addHost.run(host);
    return { duplicate: false, logs: batch.logs.length, spans: batch.spans.length };
  };

  async append(batch: IngestBatch): Promise<AppendResult> {
    this.check();
    // IMMEDIATE: the write lock is taken at BEGIN, so a commit never fails half way for a busy reader.
    return this.appendBatch.immediate(batch);
  }

  /** The trace's records, or undefined when the store holds none for that ID. */
  private load(traceId: string, limit: number): TraceResult | undefined {
    const s = this.statements;
    const logs = s.traceLogs.all(traceId, limit) as LogRow[];
    const spans = s.traceSpans.all(traceId) as SpanRow[];
    const aliases = s.traceAliases.all(traceId) as string[];
    if (logs.length === 0 && spans.length === 0 && aliases.length === 0) return undefined;
    return { traceId, aliases, logs: logs.map(toLog), spans: spans.map(toSpan) };
  }

  /**
   * By trace ID first (the common case: one indexed read, no separate existence probe), then by
   * alias, then by the ID a legacy value maps to.
   */
  async trace(idOrAlias: string, options: { limit?: number } = {}): Promise<TraceResult | undefined> {
    this.check();
    const key = idOrAlias.trim();
    const lower = key.toLowerCase();
    const limit = options.limit ?? 100_000;
    if (isValidTraceId(lower)) {
      const found = this.load(lower, limit);
      if (found !== undefined) return found;
    }
    const aliased = this.statements.aliasTrace.get(key) as string | undefined;
    if (aliased !== undefined) return this.load(aliased, limit);
    const legacy = traceIdFromLegacy(key);
    if (legacy !== undefined && legacy.traceId !== lower) return this.load(legacy.traceId, limit);
    return undefined;
  }

  async search(plan: SearchPlan, page: { limit: number; cursor?: string }): Promise<SearchPage> {
    this.check();
    const sql = searchSql(plan);
    if (!sql.possible) return { logs: [] };
    const where = [...sql.where];
    const params: unknown[] = [];
    if (page.cursor !== undefined) {
      if (!/^\d{1,17}$/.test(page.cursor)) throw new LogstitchError('STORE_BAD_CURSOR', 'cursor is not one this store gave out; start again without it');
      where.push('l.id < ?');
    }
    const limit = Math.max(1, Math.min(page.limit, 10_000));
    let query: string;
    if (sql.match !== undefined) {
      query = `SELECT l.* FROM logs_fts f JOIN logs l ON l.id = f.rowid WHERE logs_fts MATCH ?${where.length > 0 ? ` AND ${where.join(' AND ')}` : ''} ORDER BY f.rowid DESC LIMIT ?`;
      params.push(sql.match, ...sql.params);
    } else {
      query = `SELECT l.* FROM logs l${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY l.id DESC LIMIT ?`;
      params.push(...sql.params);
    }
    if (page.cursor !== undefined) params.push(Number(page.cursor));
    params.push(limit + 1);
    const rows = this.db.prepare(query).all(...params) as LogRow[];
    const logs = rows.slice(0, limit).map(toLog);
    const result: SearchPage = { logs };
    if (rows.length > limit) result.nextCursor = logs[logs.length - 1]!.id;
    return result;
  }

  async services(): Promise<ServiceSummary[]> {
    this.check();
    const rows = this.db.prepare('SELECT service, logs, spans, error_logs AS errorLogs, first_seen AS firstSeen, last_seen AS lastSeen FROM service_stats ORDER BY service').all();
    return rows as ServiceSummary[];
  }

  async vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]> {
    this.check();
    const bounded = Math.max(1, Math.min(limit, 100_000));
    const upper = `${prefix}\u{10FFFF}`;
    const table = field === 'msg' ? 'SELECT term AS v FROM logs_vocab' : field === 'service' ? 'SELECT service AS v FROM service_stats' : 'SELECT host AS v FROM hosts';
    return this.db.prepare(`SELECT v FROM (${table}) WHERE v >= ? AND v < ? ORDER BY v LIMIT ?`).pluck().all(prefix, upper, bounded) as string[];
  }

  async applyRetention(policy: RetentionPolicy): Promise<RetentionResult> {
    this.check();
    let deletedLogs = 0;
    let deletedSpans = 0;
    if (policy.maxAgeUs !== undefined) {
      const cutoff = nowMicros() - policy.maxAgeUs;
      deletedLogs += this.deleteLogsBefore(Math.floor(cutoff / 1000) * ID_SLOTS);
      deletedSpans += this.db.prepare('DELETE FROM spans WHERE start < ?').run(cutoff).changes;
      this.db.prepare('DELETE FROM batches WHERE at < ?').run(cutoff);
    }
    if (policy.maxBytes !== undefined) {
      const oldest = this.db.prepare('SELECT id FROM logs ORDER BY id LIMIT 1 OFFSET ?').pluck();
      for (let guard = 0; this.usedBytes() > policy.maxBytes && guard < 10_000; guard++) {
        const edge = oldest.get(RETENTION_CHUNK) as number | undefined;
        if (edge === undefined) {
          deletedLogs += this.deleteLogsBefore(Number.MAX_SAFE_INTEGER);
          deletedSpans += this.db.prepare('DELETE FROM spans').run().changes;
          break;
        }
        deletedLogs += this.deleteLogsBefore(edge);
        const firstTime = this.db.prepare('SELECT min(time) FROM logs').pluck().get() as number | null;
        if (firstTime !== null) deletedSpans += this.db.prepare('DELETE FROM spans WHERE start < ?').run(firstTime).changes;
      }
    }
    if (deletedLogs > 0 || deletedSpans > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { deletedLogs, deletedSpans };
  }

  /** Deletes logs with IDs below `id`, a chunk per transaction so writers are not held up long. */
  private deleteLogsBefore(id: number): number {
    const chunk = this.db.transaction((limit: number) => {
      const ids = this.db.prepare('SELECT id FROM logs WHERE id < ? ORDER BY id LIMIT ?').pluck().all(id, limit) as number[];
      const removeText = this.db.prepare('DELETE FROM logs_fts WHERE rowid = ?');
      const removeLog = this.db.prepare('DELETE FROM logs WHERE id = ?');
      for (const row of ids) {
        removeText.run(row);
        removeLog.run(row);
      }
      return ids.length;
    });
    let total = 0;
    for (;;) {
      const n = chunk(RETENTION_CHUNK);
      total += n;
      if (n < RETENTION_CHUNK) return total;
    }
  }

  /** Bytes in use: pages that hold data, excluding free pages a delete left behind. */
  private usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  async stats(): Promise<StoreStats> {
    this.check();
    const count = (table: string) => this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { logs: count('logs'), spans: count('spans'), aliases: count('aliases'), bytes: this.usedBytes() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
