// The reading side: traces by ID or alias (one narrow range of trace_index, then the rows it points at),
// searches newest first with cursors, services, vocabularies and stats — all over visible appends only.
import { isValidTraceId, traceIdFromLegacy } from '../../model/ids.js';
import type { SearchPlan } from '../../model/search-plan.js';
import { StoreError } from '../errors.js';
import type { SearchPage, ServiceSummary, StoreStats, TraceResult, VocabularyField } from '../types.js';
import type { Connection } from './connection.js';
import { HAS, SPAN_HAS, VOCAB_FIELD } from './encode.js';
import { compilePlan, traceValues } from './plan.js';
import { beats, LOG_COLUMNS, spanOf, storedLog, SPAN_COLUMNS, type LogRow, type SpanRow } from './rows.js';
import type { Layout } from './schema.js';
import { int, str, strList, u64 } from './sql.js';

export const DEFAULT_TRACE_LIMIT = 10_000;
export const MAX_PAGE = 10_000;
const MAX_VOCABULARY = 10_000;
const ORDER_DESC = 'ORDER BY time DESC, attempt DESC, row DESC';

interface Position {
  time: number;
  attempt: string;
  row: number;
}

export function encodeCursor(p: Position): string {
  return `c1.${p.time}.${p.attempt}.${p.row}`;
}

export function decodeCursor(cursor: string): Position {
  const parts = typeof cursor === 'string' ? cursor.split('.') : [];
  const [tag, time, attempt, row] = parts;
  if (parts.length !== 4 || tag !== 'c1' || !/^-?\d+$/.test(time!) || !Number.isSafeInteger(Number(time)) || !/^\d{1,20}$/.test(attempt!) || !/^\d{1,10}$/.test(row!)) {
    throw new StoreError('STORE_BAD_CURSOR', `the cursor ${JSON.stringify(String(cursor).slice(0, 80))} was not made by this store: pass back nextCursor exactly as a page gave it`);
  }
  return { time: Number(time), attempt: attempt!, row: Number(row) };
}

/** Rows strictly older than the cursor in (time, attempt, row) order. */
function beforeCursor(p: Position): string {
  return `(time < ${int(p.time)} OR (time = ${int(p.time)} AND (attempt < ${u64(p.attempt)} OR (attempt = ${u64(p.attempt)} AND row < ${int(p.row)}))))`;
}

/** Byte order, as ClickHouse sorts strings. */
export const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class Reader {
  constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
  ) {}

  private t(name: Parameters<Layout['table']>[0]): string {
    return this.layout.table(name);
  }

  async search(plan: SearchPlan, page: { limit: number; cursor?: string }, h: string): Promise<SearchPage> {
    const limit = page.limit;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new StoreError('STORE_BAD_QUERY', `limit must be a whole number from 1 to ${MAX_PAGE} (got ${String(limit)})`);
    }
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const aliasTraces = await this.aliasTraces(traceValues(plan), h);
    const compiled = compilePlan(plan, (value) => {
      const text = value.trim();
      const ids = new Set([text.toLowerCase(), ...(aliasTraces.get(text) ?? [])]);
      const legacy = traceIdFromLegacy(text);
      if (legacy !== undefined) ids.add(legacy.traceId);
      return [...ids];
    });
    if (compiled.impossible) return { logs: [] };
    const where = [...compiled.where, ...(after === undefined ? [] : [beforeCursor(after)])];
    const filter = `${where.length === 0 ? '1' : where.join(' AND ')}${h}`;
    // The keys of the page first (only the filtered columns are read for every candidate), then the rows.
    const keys = `SELECT service, time, attempt, row FROM ${this.t('logs')} WHERE ${filter} ${ORDER_DESC} LIMIT ${limit + 1}`;
    const rows = await this.connection.rows<LogRow>(
      `SELECT ${LOG_COLUMNS} FROM ${this.t('logs')} WHERE (service, time, attempt, row) ${this.layout.inSub} (${keys}) ${ORDER_DESC}`,
      'searching logs',
    );
    const logs = rows.slice(0, limit).map(storedLog);
    if (rows.length <= limit) return { logs };
    const last = rows[limit - 1]!;
    return { logs, nextCursor: encodeCursor({ time: Number(last.time), attempt: last.akey, row: Number(last.row) }) };
  }

  /** Alias → the traces it names (visible links only). */
  private async aliasTraces(aliases: string[], h: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const wanted = aliases.filter((a) => a.length > 0);
    if (wanted.length === 0) return out;
    const rows = await this.connection.rows<{ alias: string; trace_id: string }>(
      `SELECT DISTINCT alias, trace_id FROM ${this.t('aliases')} WHERE alias IN (${strList(wanted)})${h}`,
      'looking up aliases',
    );
    for (const r of rows) out.set(r.alias, [...(out.get(r.alias) ?? []), r.trace_id]);
    return out;
  }

  /** The trace an ID or alias names: a trace ID itself, else the alias's most recently linked trace, else the ID a legacy value maps to. */
  private async resolveTrace(value: string, h: string): Promise<string | undefined> {
    const text = value.trim();
    if (text.length === 0) return undefined;
    const lower = text.toLowerCase();
    if (lower.length === 32 && isValidTraceId(lower)) return lower;
    const [link] = await this.connection.rows<{ trace_id: string }>(
      `SELECT trace_id FROM ${this.t('aliases')} WHERE alias = ${str(text)}${h} ORDER BY linked DESC LIMIT 1`,
      'looking up an alias',
    );
    return link?.trace_id ?? traceIdFromLegacy(text)?.traceId;
  }

  /**
   * A trace in one round of three queries: its logs (the trace index range names their keys, which are
   * then a narrow read of the logs' sort key), its aliases, its spans.
   */
  async trace(idOrAlias: string, limit: number, h: string): Promise<TraceResult | undefined> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('STORE_BAD_QUERY', `limit must be a whole number ≥ 1 (got ${String(limit)})`);
    const traceId = await this.resolveTrace(String(idOrAlias), h);
    if (traceId === undefined) return undefined;
    const id = str(traceId);
    // On a cluster the index rows and the lines of a trace live on the same shard (both hash the trace ID),
    // so each shard matches its lines against its own local index: one distributed query, no GLOBAL set.
    const keys = `SELECT service, time, attempt, row FROM ${this.layout.local('trace_index')} WHERE trace_id = ${id}${h} ORDER BY time, attempt, row LIMIT ${limit}`;
    const [logRows, links, spanRows] = await Promise.all([
      this.connection.rows<LogRow>(`SELECT ${LOG_COLUMNS} FROM ${this.t('logs')} WHERE (service, time, attempt, row) IN (${keys}) ORDER BY time, attempt, row LIMIT ${limit}`, 'reading a trace’s logs'),
      this.connection.rows<{ alias: string }>(`SELECT DISTINCT alias FROM ${this.t('trace_aliases')} WHERE trace_id = ${id}${h}`, 'reading a trace’s aliases'),
      this.connection.rows<SpanRow>(`SELECT ${SPAN_COLUMNS} FROM ${this.t('spans')} WHERE trace_id = ${id}${h}`, 'reading spans'),
    ]);
    const aliases = links.map((r) => r.alias).sort(byBytes);
    const logs = logRows.map(storedLog);
    const spans = this.bestSpans(spanRows, limit);
    if (logs.length === 0 && spans.length === 0 && aliases.length === 0) return undefined;
    return { traceId, aliases, logs, spans };
  }

  /** Of each span stored more than once, the winning copy; in start order, at most `limit`. */
  bestSpans(rows: SpanRow[], limit: number) {
    const best = new Map<string, SpanRow>();
    for (const row of rows) {
      const kept = best.get(row.span_id);
      if (kept === undefined || beats(row, kept)) best.set(row.span_id, row);
    }
    return [...best.values()]
      .sort((a, b) => Number(a.start) - Number(b.start) || byBytes(a.span_id, b.span_id))
      .slice(0, limit)
      .map(spanOf);
  }

  async services(h: string): Promise<ServiceSummary[]> {
    // A span stored twice counts once, under the service of its winning copy (highest rank, first stored).
    const rows = await this.connection.rows<{ s: string; logs: string; spans: string; errors: string; first: string; last: string }>(
      `SELECT s, sum(l) AS logs, sum(p) AS spans, sum(e) AS errors, min(f) AS first, max(z) AS last FROM (
         SELECT service AS s, count() AS l, toUInt64(0) AS p, countIf(severity >= 17) AS e, min(time) AS f, max(time) AS z
           FROM ${this.t('logs')} WHERE ${presentBit(HAS.service)}${h} GROUP BY service
         UNION ALL
         SELECT ws AS s, toUInt64(0) AS l, count() AS p, toUInt64(0) AS e, min(wt) AS f, max(wt) AS z FROM (
           SELECT argMax(service, k) AS ws, argMax(presence, k) AS wp, argMax(start, k) AS wt FROM (
             SELECT trace_id, span_id, service, presence, start, rank * 4503599627370496 + (4503599627370495 - bitAnd(toUInt64(stored), 4503599627370495)) AS k
             FROM ${this.t('spans')} WHERE 1${h})
           GROUP BY trace_id, span_id)
         WHERE bitAnd(wp, ${SPAN_HAS.service}) != 0 GROUP BY ws)
       GROUP BY s ORDER BY s`,
      'summing up services',
    );
    return rows.map((r) => ({ service: r.s, logs: Number(r.logs), spans: Number(r.spans), errorLogs: Number(r.errors), firstSeen: Number(r.first), lastSeen: Number(r.last) }));
  }

  async vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]> {
    const n = Math.max(0, Math.min(MAX_VOCABULARY, Math.floor(Number(limit)) || 0));
    if (!Object.hasOwn(VOCAB_FIELD, field)) throw new StoreError('STORE_BAD_QUERY', `no vocabulary for ${JSON.stringify(field)}: use msg, service or host`);
    if (n === 0) return [];
    const text = String(prefix ?? '');
    const stem = field === 'msg' ? text.toLowerCase() : text;
    const rows = await this.connection.rows<{ term: string }>(
      `SELECT DISTINCT term FROM ${this.t('vocabulary')} WHERE field = ${VOCAB_FIELD[field]} AND term >= ${str(stem)} AND startsWith(term, ${str(stem)}) ORDER BY term LIMIT ${n}`,
      'reading the vocabulary',
    );
    return rows.map((r) => r.term);
  }

  async stats(h: string): Promise<StoreStats> {
    const [counts, parts] = await Promise.all([
      this.connection.rows<{ logs: string; spans: string; aliases: string }>(
        `SELECT (SELECT count() FROM ${this.t('logs')} WHERE 1${h}) AS logs,
                (SELECT uniqExact(trace_id, span_id) FROM ${this.t('spans')} WHERE 1${h}) AS spans,
                (SELECT uniqExact(alias, trace_id) FROM ${this.t('aliases')} WHERE 1${h}) AS aliases`,
        'counting records',
      ),
      this.bytes(),
    ]);
    const c = counts[0]!;
    return { logs: Number(c.logs), spans: Number(c.spans), aliases: Number(c.aliases), bytes: parts };
  }

  /** Bytes on disk of the active parts of logstitch's tables, on every node. */
  async bytes(): Promise<number> {
    const rows = await this.connection.rowsEverywhere<{ b: string }>(
      `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = ${str(this.layout.database)}`,
      'measuring the stored data',
    );
    return rows.reduce((sum, r) => sum + Number(r.b), 0);
  }
}

function presentBit(bit: number): string {
  return `bitAnd(presence, ${bit}) != 0`;
}
