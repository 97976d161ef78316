// The reading side of the SQLite store: traces by ID or alias, search, services, vocabularies, stats.
import { isValidTraceId, traceIdFromLegacy } from '../../model/ids.js';
import type { Span } from '../../model/records.js';
import { SPAN_KINDS, SPAN_STATUSES } from '../../model/records.js';
import type { SearchPlan } from '../../model/search-plan.js';
import type { RollupQuery, SearchPage, ServiceSummary, SpanQuery, StoredAliasLink, StoredLog, StoreStats, TraceOfLines, TraceResult, VocabularyField } from '../types.js';
import { lineArray } from '../../model/line-list.js';
import { BlockView } from './block.js';
import { BlockLines, type TraceBlock } from './block-lines.js';
import { SPAN_ORIGINS } from '../checks.js';
import { StoreError } from '../errors.js';
import type { Db } from './schema.js';
import { rowIdPrefix, search, type BlockRow, type BlockSource } from './search.js';
import { ftsString, MARK_PREFIX, traceMark } from './marks.js';
import { NAME_HOST, NAME_SERVICE } from './writer.js';
import { packRollups, type PackedRollups, type RollupTuple } from './rollup-rows.js';

export const DEFAULT_TRACE_LIMIT = 10_000;
const MAX_VOCABULARY = 10_000;

interface StoredBlockRow {
  key: number;
  services: string;
  hosts: string;
  min_time: number;
}

interface LinkRow {
  alias: string;
  trace: Buffer;
  linked: number;
  joined_by: string | null;
}

function linkOf(row: LinkRow): StoredAliasLink {
  const link: StoredAliasLink = { alias: row.alias, traceId: row.trace.toString('hex'), linked: row.linked };
  if (row.joined_by !== null) link.joinedBy = JSON.parse(row.joined_by) as NonNullable<StoredAliasLink['joinedBy']>;
  return link;
}

interface SpanRow {
  key: number;
  rank: number;
  trace: Buffer;
  span: Buffer;
  parent: Buffer | null;
  name: string;
  kind: number;
  start: number;
  duration: number;
  status: number;
  service: number;
  origin: number;
  attrs: string | null;
}

/** A row of the `spans` statement: key, rank, span ID, parent ID (hex), name, kind, start, duration, status, service, origin, attributes. */
type TraceSpanTuple = [number, number, string, string | null, string, number, number, number, number, number, number, string | null];
const KEY = 0;
const RANK = 1;
const SPAN_ID = 2;
const START = 6;

export class Reader implements BlockSource {
  private readonly s;
  private byId = new Map<number, string>();
  private byName = { service: new Map<string, number>(), host: new Map<string, number>() };
  private namesSeen = -1;
  private readonly lists = new Map<string, readonly number[]>();

  /** readTrace in a read transaction, made once: better-sqlite3 builds a wrapper with five variants per `transaction` call (~2.5 KB a lookup). */
  private readonly traceRead: (idOrAlias: string, limit: number) => TraceOfLines | undefined;

  constructor(readonly db: Db) {
    this.traceRead = db.transaction((idOrAlias: string, limit: number) => this.readTrace(idOrAlias, limit));
    const p = (sql: string) => db.prepare(sql);
    const blockCols = 'b.key AS key, b.services AS services, b.hosts AS hosts, b.min_time AS min_time';
    this.s = {
      scan: p(`SELECT ${blockCols} FROM blocks AS b WHERE b.key BETWEEN ? AND ? ORDER BY b.key DESC`),
      match: p(`SELECT ${blockCols} FROM block_terms AS t CROSS JOIN blocks AS b ON b.key = t.rowid WHERE t.block_terms MATCH ? AND t.rowid BETWEEN ? AND ? ORDER BY t.rowid DESC`),
      data: p('SELECT cols, bodies, extras, texts FROM block_data WHERE key = ?'),
      traceBlocks: p(`SELECT ${blockCols} FROM block_terms AS t CROSS JOIN blocks AS b ON b.key = t.rowid WHERE t.block_terms MATCH ?`),
      spanChunks: p('SELECT c.first AS first, c.last AS last FROM span_terms AS t CROSS JOIN span_chunks AS c ON c.id = t.rowid WHERE t.span_terms MATCH ?'),
      // A trace's spans as tuples with their IDs in hex, made by SQLite: a 2,000-span trace reads in a third
      // of the time it took as row objects with three Buffers each (then turned into hex one by one).
      spans: p(`SELECT key, rank, lower(hex(span)), CASE WHEN parent IS NULL THEN NULL ELSE lower(hex(parent)) END, name, kind, start, duration, status, service, origin, attrs FROM spans WHERE key BETWEEN ? AND ? AND trace = ?`).raw(true),
      aliasesOf: p('SELECT alias FROM aliases WHERE trace = ? ORDER BY alias').pluck(),
      aliasTrace: p('SELECT trace FROM aliases WHERE alias = ? ORDER BY linked DESC LIMIT 1').pluck(),
      aliasTraces: p('SELECT trace FROM aliases WHERE alias = ? LIMIT 1000').pluck(),
      linksOfTrace: p('SELECT alias, trace, linked, joined_by FROM aliases WHERE trace = ? ORDER BY linked DESC LIMIT ?'),
      linksOfAlias: p('SELECT alias, trace, linked, joined_by FROM aliases WHERE alias = ? ORDER BY linked DESC LIMIT ?'),
      ambiguous: p(`SELECT alias, group_concat(hex(trace)) AS traces, count(*) AS n FROM aliases GROUP BY alias HAVING n > 1 ORDER BY n DESC, alias LIMIT ?`),
      spansBetween: p('SELECT key, trace, span, parent, name, kind, start, duration, status, service, origin, rank, attrs FROM spans WHERE start >= ? AND start < ? ORDER BY start LIMIT ?'),
      rollups: p('SELECT minute, service, requests, errors, lines, error_lines, traced_lines, latency FROM rollups WHERE period = ? AND minute >= ? AND minute < ? ORDER BY minute, service').raw(),
      rollupCounts: p('SELECT minute, service, requests, errors, lines, error_lines, traced_lines FROM rollups WHERE period = ? AND minute >= ? AND minute < ? ORDER BY minute, service').raw(),
      namesMax: p('SELECT max(id) FROM names').pluck(),
      names: p('SELECT id, kind, name FROM names'),
      services: p(`SELECT n.name AS service, s.logs AS logs, s.spans AS spans, s.error_logs AS errorLogs, s.first_seen AS firstSeen, s.last_seen AS lastSeen
        FROM service_stats AS s JOIN names AS n ON n.id = s.service WHERE s.logs > 0 OR s.spans > 0 ORDER BY n.name`),
      vocabMsg: p(`SELECT term FROM block_vocab WHERE term >= ? AND term < ? AND (term < '${MARK_PREFIX}' OR term >= '\u0081') AND doc > 0 ORDER BY term LIMIT ?`).pluck(),
      vocabServices: p('SELECT n.name FROM names AS n JOIN service_stats AS s ON s.service = n.id WHERE n.kind = 1 AND substr(n.name, 1, ?) = ? AND (s.logs > 0 OR s.spans > 0) ORDER BY n.name LIMIT ?').pluck(),
      vocabHosts: p('SELECT name FROM names WHERE kind = 2 AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?').pluck(),
      totals: p('SELECT coalesce(sum(logs), 0) AS logs, coalesce(sum(spans), 0) AS spans FROM service_stats'),
      aliasCount: p("SELECT value FROM meta WHERE key = 'aliases'").pluck(),
    };
  }

  // BlockSource

  *blocks(fts: string | undefined, lowKey: number, highKey: number): Iterable<BlockRow> {
    const rows = (fts === undefined ? this.s.scan.iterate(lowKey, highKey) : this.s.match.iterate(fts, lowKey, highKey)) as Iterable<StoredBlockRow>;
    for (const row of rows) yield this.blockRow(row);
  }

  private blockRow(row: StoredBlockRow): BlockRow {
    return { key: row.key, services: this.idList(row.services), hosts: this.idList(row.hosts), min_time: row.min_time };
  }

  /** `3,7` → [3, 7], remembered: blocks mostly share a few lists. */
  private idList(text: string): readonly number[] {
    let list = this.lists.get(text);
    if (list === undefined) {
      if (this.lists.size > 10_000) this.lists.clear();
      this.lists.set(text, (list = text.split(',').map(Number)));
    }
    return list;
  }

  data(key: number): BlockView {
    const row = this.s.data.get(key) as { cols: Buffer; bodies: string; extras: string; texts: string };
    return new BlockView(key, row.cols, row.bodies, row.extras, JSON.parse(row.texts) as string[]);
  }

  name(id: number): string | undefined {
    if (id === 0) return undefined;
    if (!this.byId.has(id)) this.loadNames(true);
    return this.byId.get(id);
  }

  ids(kind: 'service' | 'host', value: string, prefix: boolean): number[] {
    const names = this.byName[kind];
    if (!prefix) {
      const id = names.get(value);
      return id === undefined ? [] : [id];
    }
    const out: number[] = [];
    for (const [name, id] of names) if (name.startsWith(value)) out.push(id);
    return out;
  }

  traceIdsFor(value: string): string[] {
    const text = value.trim();
    const ids = new Set([text.toLowerCase()]);
    for (const trace of this.s.aliasTraces.all(text) as Buffer[]) ids.add(trace.toString('hex'));
    const legacy = traceIdFromLegacy(text);
    if (legacy !== undefined) ids.add(legacy.traceId);
    return [...ids];
  }

  // Store queries

  search(plan: SearchPlan, page: { limit: number; cursor?: string }): SearchPage {
    this.loadNames(false);
    return this.db.transaction(() => search(this, plan, page))();
  }

  trace(idOrAlias: string, limit = DEFAULT_TRACE_LIMIT): TraceResult | undefined {
    const found = this.traceOfLines(idOrAlias, limit);
    return found === undefined ? undefined : { ...found, logs: lineArray(found.logs) as StoredLog[] };
  }

  /** As trace(), with the lines left in their blocks (records made on demand): only on the caller's thread. */
  traceOfLines(idOrAlias: string, limit = DEFAULT_TRACE_LIMIT): TraceOfLines | undefined {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('STORE_BAD_QUERY', `limit must be a whole number ≥ 1 (got ${String(limit)})`);
    return this.traceRead(String(idOrAlias), limit);
  }

  private readTrace(idOrAlias: string, limit: number): TraceOfLines | undefined {
    const traceId = this.resolveTrace(idOrAlias);
    if (traceId === undefined) return undefined;
    const id = Buffer.from(traceId, 'hex');
    const logs = this.traceLines(traceId, id, limit);
    const spans = this.traceSpans(traceId, id, limit);
    const aliases = this.s.aliasesOf.all(id) as string[];
    if (logs.length === 0 && spans.length === 0 && aliases.length === 0) return undefined;
    return { traceId, aliases, logs, spans };
  }

  aliasLinks(query: { traceIds?: string[]; aliases?: string[] }, limit: number): StoredAliasLink[] {
    const n = Math.max(0, Math.min(10_000, Math.floor(Number(limit)) || 0));
    const seen = new Set<string>();
    const out: StoredAliasLink[] = [];
    const add = (rows: LinkRow[]) => {
      for (const row of rows) {
        const link = linkOf(row);
        const key = `${link.traceId}/${link.alias}`;
        if (!seen.has(key)) seen.add(key), out.push(link);
      }
    };
    return this.db.transaction(() => {
      for (const id of query.traceIds ?? []) {
        const lower = String(id).toLowerCase();
        if (isValidTraceId(lower)) add(this.s.linksOfTrace.all(Buffer.from(lower, 'hex'), n) as LinkRow[]);
      }
      for (const alias of query.aliases ?? []) add(this.s.linksOfAlias.all(String(alias), n) as LinkRow[]);
      return out.sort((a, b) => b.linked - a.linked).slice(0, n);
    })();
  }

  ambiguousAliases(limit: number): Array<{ alias: string; traceIds: string[] }> {
    const rows = this.s.ambiguous.all(Math.max(0, Math.min(10_000, Math.floor(Number(limit)) || 0))) as Array<{ alias: string; traces: string }>;
    return rows.map((r) => ({ alias: r.alias, traceIds: r.traces.toLowerCase().split(',').sort() }));
  }

  spansBetween(query: SpanQuery): Span[] {
    this.loadNames(false);
    const limit = Math.max(0, Math.min(1_000_000, Math.floor(Number(query.limit)) || 0));
    const best = new Map<string, SpanRow>();
    for (const row of this.s.spansBetween.all(query.from, query.to, limit) as SpanRow[]) {
      const key = `${row.trace.toString('hex')}/${row.span.toString('hex')}`;
      const kept = best.get(key);
      if (kept === undefined || row.rank > kept.rank) best.set(key, row);
    }
    return [...best.values()].sort((a, b) => a.start - b.start || a.key - b.key).map((row) => this.span(row));
  }

  /** Packed (see rollup-rows.ts): one array of numbers crosses to the caller's thread, not 11.5k objects a day. */
  rollups(query: RollupQuery): PackedRollups {
    this.loadNames(false);
    const wanted = query.services !== undefined && query.services.length > 0 ? new Set(query.services.map((s) => this.byName.service.get(s) ?? -1)) : undefined;
    const withLatency = query.latency !== false;
    const statement = withLatency ? this.s.rollups : this.s.rollupCounts;
    const rows = statement.all(query.resolution === 'hour' ? 60 : 1, query.from, query.to) as RollupTuple[];
    return packRollups(rows, (id) => this.name(id) ?? '', wanted, withLatency);
  }

  services(): ServiceSummary[] {
    return this.s.services.all() as ServiceSummary[];
  }

  vocabulary(field: VocabularyField, prefix: string, limit: number): string[] {
    const n = Math.max(0, Math.min(MAX_VOCABULARY, Math.floor(Number(limit)) || 0));
    if (n === 0) return [];
    const text = String(prefix ?? '');
    switch (field) {
      case 'msg': {
        const stem = text.toLowerCase();
        return this.s.vocabMsg.all(stem, `${stem}\u{10ffff}`, n) as string[];
      }
      case 'service':
        return this.s.vocabServices.all(text.length, text, n) as string[];
      case 'host':
        return this.s.vocabHosts.all(text.length, text, n) as string[];
      default:
        throw new StoreError('STORE_BAD_QUERY', `no vocabulary for ${JSON.stringify(field)}: use msg, service or host`);
    }
  }

  stats(): StoreStats {
    return this.db.transaction(() => {
      const totals = this.s.totals.get() as { logs: number; spans: number };
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const size = this.db.pragma('page_size', { simple: true }) as number;
      return { logs: totals.logs, spans: totals.spans, aliases: Number(this.s.aliasCount.get() ?? 0), bytes: (pages - free) * size };
    })();
  }

  /** The trace an ID or alias names: a trace ID itself, else the most recently linked trace of the alias, else the ID a legacy value maps to. */
  private resolveTrace(value: string): string | undefined {
    const text = value.trim();
    if (text.length === 0) return undefined;
    const lower = text.toLowerCase();
    if (lower.length === 32 && isValidTraceId(lower)) return lower;
    const linked = this.s.aliasTrace.get(text) as Buffer | undefined;
    if (linked !== undefined) return linked.toString('hex');
    return traceIdFromLegacy(text)?.traceId;
  }

  private traceLines(traceId: string, id: Buffer, limit: number): BlockLines {
    // Blocks in key order and rows in block order, then by time (stably): time, then where stored.
    const stored = (this.s.traceBlocks.all(ftsString(traceMark(traceId))) as StoredBlockRow[]).sort((a, b) => a.key - b.key);
    const blocks: TraceBlock[] = [];
    const rows: number[][] = [];
    for (const row of stored) {
      const block = this.blockRow(row);
      const view = this.data(block.key);
      const found: number[] = [];
      view.rowsOfTrace(id, found);
      if (found.length === 0) continue;
      // Names and the ID prefix once per block, not once per row.
      blocks.push({ view, services: block.services.map((n) => this.name(n)), hosts: block.hosts.map((n) => this.name(n)), idPrefix: rowIdPrefix(block.key) });
      rows.push(found);
    }
    // Every line carries the trace's 16 bytes: one string for all of them, not one made per line.
    return new BlockLines(blocks, rows, limit, id.toString('hex'));
  }

  /** The trace's spans in start order; of a span stored twice, the copy of highest rank (then the first stored). */
  private traceSpans(traceId: string, id: Buffer, limit: number): Span[] {
    const best = new Map<string, TraceSpanTuple>();
    const hex = id.toString('hex');
    for (const chunk of this.s.spanChunks.all(ftsString(traceMark(traceId))) as Array<{ first: number; last: number }>) {
      for (const row of this.s.spans.all(chunk.first, chunk.last, id) as TraceSpanTuple[]) {
        const kept = best.get(row[SPAN_ID]);
        if (kept === undefined || row[RANK] > kept[RANK] || (row[RANK] === kept[RANK] && row[KEY] < kept[KEY])) best.set(row[SPAN_ID], row);
      }
    }
    // Lowercase hex of equal-length IDs sorts as their bytes do.
    return [...best.values()]
      .sort((a, b) => a[START] - b[START] || (a[SPAN_ID] < b[SPAN_ID] ? -1 : a[SPAN_ID] > b[SPAN_ID] ? 1 : 0))
      .slice(0, limit)
      .map((row) => this.traceSpan(hex, row));
  }

  private traceSpan(traceId: string, row: TraceSpanTuple): Span {
    const [, , spanId, parent, name, kind, start, duration, status, serviceId, originId, attrs] = row;
    const span: Span = { traceId, spanId, name, kind: SPAN_KINDS[kind] ?? 'internal', start, duration, status: SPAN_STATUSES[status] ?? 'unset' };
    if (parent !== null) span.parentSpanId = parent;
    const service = this.name(serviceId);
    if (service !== undefined) span.service = service;
    if (attrs !== null) span.attributes = JSON.parse(attrs) as Span['attributes'] & object;
    const origin = SPAN_ORIGINS[originId];
    if (origin !== undefined) span.origin = origin;
    return span;
  }

  private span(row: SpanRow): Span {
    const span: Span = {
      traceId: row.trace.toString('hex'),
      spanId: row.span.toString('hex'),
      name: row.name,
      kind: SPAN_KINDS[row.kind] ?? 'internal',
      start: row.start,
      duration: row.duration,
      status: SPAN_STATUSES[row.status] ?? 'unset',
    };
    if (row.parent !== null) span.parentSpanId = row.parent.toString('hex');
    const service = this.name(row.service);
    if (service !== undefined) span.service = service;
    if (row.attrs !== null) span.attributes = JSON.parse(row.attrs) as Span['attributes'] & object;
    const origin = SPAN_ORIGINS[row.origin];
    if (origin !== undefined) span.origin = origin;
    return span;
  }

  /** Reloads the name tables when they grew (always, when `force`). */
  private loadNames(force: boolean): void {
    const max = (this.s.namesMax.get() as number | null) ?? 0;
    if (!force && max === this.namesSeen) return;
    this.namesSeen = max;
    this.byId = new Map();
    this.byName = { service: new Map(), host: new Map() };
    for (const row of this.s.names.all() as Array<{ id: number; kind: number; name: string }>) {
      this.byId.set(row.id, row.name);
      if (row.kind === NAME_SERVICE) this.byName.service.set(row.name, row.id);
      else if (row.kind === NAME_HOST) this.byName.host.set(row.name, row.id);
    }
  }
}
