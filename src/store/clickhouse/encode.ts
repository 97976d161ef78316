// A batch as ClickHouse rows: checked record by record (a bad one rejects the batch before anything is
// written), then written out as NDJSON for one INSERT per table, every row tagged with the append's key.
import { isValidSpanId, isValidTraceId } from '../../model/ids.js';
import type { MinuteRollup } from '../../model/metrics.js';
import type { AttributeValue, Attributes, LogRecord, Span } from '../../model/records.js';
import { SPAN_KINDS, SPAN_STATUSES } from '../../model/records.js';
import { aliasLinksOf, checkRollup, checkTime, invalidRecord, normalizeId, ORIGIN_RANK, SPAN_ORIGINS } from '../checks.js';
import { addTokens, wellFormed } from '../tokens.js';
import { JsonRows, type RowSink } from './jsonrows.js';
import { RowBinary, u64Bytes } from './rowbinary.js';
import type { AliasLink, IngestBatch } from '../types.js';

/** Bits of `logs.presence`: which optional fields a record has. */
export const HAS = { service: 1, host: 2, observed: 4, severityText: 8, traceFlags: 16, trace: 32, span: 64 } as const;
/** Bits of `spans.presence`. */
export const SPAN_HAS = { parent: 1, service: 2, attributes: 4 } as const;
/** `vocabulary.field` values. */
export const VOCAB_FIELD = { msg: 0, service: 1, host: 2 } as const;

export const DAY_US = 86_400_000_000;

/** What `extras` holds: the fields no column has. */
export interface Extras {
  f?: number;
  al?: string[];
  a?: Attributes;
  pe?: string;
}

/** The tables a batch's own rows go to. */
export const DATA_TABLES = ['logs', 'trace_index', 'spans', 'aliases', 'trace_aliases', 'rollups', 'vocabulary'] as const;
export type DataTable = (typeof DATA_TABLES)[number];
/**
 * The per-line tables, written as RowBinary (the rest, a few rows per batch, as NDJSON) — or, where the
 * connection carries bodies only as text, as JSONCompactEachRow.
 */
export const BINARY_TABLES: ReadonlySet<DataTable> = new Set(['logs', 'trace_index']);

export type InsertFormat = 'JSONEachRow' | 'JSONCompactEachRow' | 'RowBinary';

/** The format of a table's encoded rows. */
export function insertFormat(table: DataTable, body: Buffer | string): InsertFormat {
  if (typeof body !== 'string') return 'RowBinary';
  return BINARY_TABLES.has(table) ? 'JSONCompactEachRow' : 'JSONEachRow';
}

export interface EncodedBatch {
  batchId: string | undefined;
  attempt: string;
  logs: number;
  spans: number;
  /** Per table: RowBinary or JSONCompactEachRow (BINARY_TABLES), or NDJSON; empty when the batch has no rows for it. */
  rows: Record<DataTable, Buffer | string>;
}

const text = (value: unknown): string => (typeof value === 'string' ? wellFormed(value) : wellFormed(String(value)));

/** An attribute value as the text a query names it by: strings as they are, anything else as JSON. */
export function attributeText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/**
 * Every name `attr.NAME` can find a value under, with the texts it matches: a top-level key as it is
 * (dots and all), and nested keys as dotted paths unless a top-level key has that very name; an array
 * gives one text per element.
 */
export function attributePairs(attrs: Attributes, keys: string[], values: string[]): void {
  const add = (name: string, value: AttributeValue | undefined) => {
    if (value === undefined) return;
    if (Array.isArray(value)) for (const v of value) { keys.push(name); values.push(wellFormed(attributeText(v === undefined ? null : v))); }
    else { keys.push(name); values.push(wellFormed(attributeText(value))); }
  };
  const walk = (path: string, value: Record<string, AttributeValue>) => {
    for (const key of Object.keys(value)) {
      if (key.includes('.')) continue;
      const name = `${path}.${key}`;
      const inner = value[key];
      if (!Object.hasOwn(attrs, name)) add(name, inner);
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) walk(name, inner);
    }
  };
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    add(key, value);
    if (!key.includes('.') && value !== null && typeof value === 'object' && !Array.isArray(value)) walk(key, value);
  }
}

function extrasOf(r: LogRecord, index: number): string {
  const odd = r.traceFlags !== undefined && !(Number.isInteger(r.traceFlags) && r.traceFlags >= 0 && r.traceFlags <= 255);
  if (r.aliases === undefined && r.attributes === undefined && r.parseError === undefined && !odd) return '';
  const extras: Extras = {};
  if (odd) extras.f = r.traceFlags;
  if (r.aliases !== undefined) extras.al = r.aliases;
  if (r.attributes !== undefined) extras.a = r.attributes;
  if (r.parseError !== undefined) extras.pe = r.parseError;
  try {
    return wellFormed(JSON.stringify(extras));
  } catch (error) {
    throw invalidRecord(`logs[${index}]`, `has attributes that are not JSON (${(error as Error).message})`);
  }
}

/** Collects the rows of one batch; `attempt` is the key of the append writing it. */
class RowWriter {
  readonly logs: RowBinary | JsonRows;
  readonly traceIndex: RowBinary | JsonRows;
  private readonly attemptBytes: Buffer;
  spans = '';
  aliases = '';
  traceAliases = '';
  rollups = '';
  /** Per vocabulary field and day, the distinct terms seen (one row each). */
  private readonly vocab = new Map<string, Set<string>>();

  constructor(
    private readonly attempt: string,
    binary: boolean,
  ) {
    this.attemptBytes = u64Bytes(attempt);
    [this.logs, this.traceIndex] = binary ? [new RowBinary(), new RowBinary()] : [new JsonRows(), new JsonRows()];
  }

  /** The rows of a per-line table, as its insert's body. */
  static body(rows: RowBinary | JsonRows): Buffer | string {
    return rows instanceof RowBinary ? Buffer.from(rows.bytes()) : rows.text();
  }

  log(r: LogRecord, row: number): void {
    const time = Math.round(checkTime(r.time, `logs[${row}].time`));
    const severity = typeof r.severityNumber === 'number' && r.severityNumber >= 0 && r.severityNumber <= 255 ? r.severityNumber | 0 : 0;
    let presence = 0;
    let service = '';
    let host = '';
    let severityText = '';
    let observed = 0;
    let traceFlags = 0;
    let trace = '';
    let span = '';
    if (r.service !== undefined) [presence, service] = [presence | HAS.service, text(r.service)];
    if (r.host !== undefined) [presence, host] = [presence | HAS.host, text(r.host)];
    if (r.observedTime !== undefined) [presence, observed] = [presence | HAS.observed, Math.round(checkTime(r.observedTime, `logs[${row}].observedTime`))];
    if (r.severityText !== undefined) [presence, severityText] = [presence | HAS.severityText, text(r.severityText)];
    if (r.traceFlags !== undefined && Number.isInteger(r.traceFlags) && r.traceFlags >= 0 && r.traceFlags <= 255) [presence, traceFlags] = [presence | HAS.traceFlags, r.traceFlags];
    let hexTrace: string | undefined;
    if (r.traceId !== undefined) {
      hexTrace = normalizeId(String(r.traceId), isValidTraceId);
      [presence, trace] = [presence | HAS.trace, hexTrace ?? text(r.traceId)];
    }
    if (r.spanId !== undefined) [presence, span] = [presence | HAS.span, normalizeId(String(r.spanId), isValidSpanId) ?? text(r.spanId)];
    const body = typeof r.body === 'string' ? wellFormed(r.body) : String(r.body ?? '');
    const tokens = new Set<string>();
    addTokens(body, 0, body.length, tokens);
    const attrKeys: string[] = [];
    const attrValues: string[] = [];
    if (r.attributes !== undefined && r.attributes !== null && typeof r.attributes === 'object') attributePairs(r.attributes, attrKeys, attrValues);
    const extras = extrasOf(r, row);
    const day = Math.floor(time / DAY_US);
    const terms = this.terms(VOCAB_FIELD.msg, day);
    for (const token of tokens) terms.add(token);
    if (r.service !== undefined) this.terms(VOCAB_FIELD.service, day).add(service);
    if (r.host !== undefined) this.terms(VOCAB_FIELD.host, day).add(host);
    // The columns of `logs`, in table order.
    const b: RowSink = this.logs;
    b.i64(time);
    b.raw8(this.attemptBytes);
    b.u32(row);
    b.str(service);
    b.str(host);
    b.u8(severity);
    b.str(severityText);
    b.i64(observed);
    b.u8(traceFlags);
    b.u16(presence);
    b.str(trace);
    b.str(span);
    b.str(body);
    b.strings(tokens);
    b.strings(attrKeys);
    b.strings(attrValues);
    b.str(extras);
    b.endRow();
    if (hexTrace !== undefined) {
      // trace_id, time, service, attempt, row
      const t: RowSink = this.traceIndex;
      t.str(hexTrace);
      t.i64(time);
      t.str(service);
      t.raw8(this.attemptBytes);
      t.u32(row);
      t.endRow();
    }
  }

  span(sp: Span, seq: number, stored: number): void {
    const where = `spans[${seq}]`;
    const trace = normalizeId(String(sp.traceId), isValidTraceId);
    if (trace === undefined) throw invalidRecord(`${where}.traceId`, `must be 32 hex digits, not all zero (got ${JSON.stringify(sp.traceId)})`);
    const span = normalizeId(String(sp.spanId), isValidSpanId);
    if (span === undefined) throw invalidRecord(`${where}.spanId`, `must be 16 hex digits, not all zero (got ${JSON.stringify(sp.spanId)})`);
    const parent = sp.parentSpanId === undefined ? undefined : normalizeId(String(sp.parentSpanId), isValidSpanId);
    if (sp.parentSpanId !== undefined && parent === undefined) throw invalidRecord(`${where}.parentSpanId`, `must be 16 hex digits (got ${JSON.stringify(sp.parentSpanId)})`);
    const start = Math.round(checkTime(sp.start, `${where}.start`));
    const duration = typeof sp.duration === 'number' && Number.isFinite(sp.duration) ? sp.duration : 0;
    const origin = Math.max(0, SPAN_ORIGINS.indexOf(sp.origin));
    let attributes = '';
    try {
      attributes = sp.attributes === undefined ? '' : wellFormed(JSON.stringify(sp.attributes));
    } catch (error) {
      throw invalidRecord(where, `has attributes that are not JSON (${(error as Error).message})`);
    }
    let presence = 0;
    if (parent !== undefined) presence |= SPAN_HAS.parent;
    if (sp.service !== undefined) presence |= SPAN_HAS.service;
    if (sp.attributes !== undefined) presence |= SPAN_HAS.attributes;
    const service = sp.service === undefined ? '' : text(sp.service);
    if (sp.service !== undefined) this.terms(VOCAB_FIELD.service, Math.floor(start / DAY_US)).add(service);
    const s = JSON.stringify;
    this.spans += `{"trace_id":"${trace}","span_id":"${span}","attempt":${this.attempt},"seq":${seq},"stored":${stored},"rank":${ORIGIN_RANK[origin]},"presence":${presence},"parent":"${parent ?? ''}","name":${s(text(sp.name ?? ''))},"kind":${Math.max(0, SPAN_KINDS.indexOf(sp.kind))},"start":${start},"duration":${s(duration)},"status":${Math.max(0, SPAN_STATUSES.indexOf(sp.status))},"service":${s(service)},"origin":${origin},"attributes":${s(attributes)}}\n`;
  }

  alias(alias: string, trace: string, linked: number, joinedBy: AliasLink['joinedBy']): void {
    const a = JSON.stringify(wellFormed(alias));
    const joined = JSON.stringify(joinedBy === undefined ? '' : wellFormed(JSON.stringify(joinedBy)));
    this.aliases += `{"alias":${a},"trace_id":"${trace}","linked":${linked},"joined_by":${joined},"attempt":${this.attempt}}\n`;
    this.traceAliases += `{"trace_id":"${trace}","alias":${a},"linked":${linked},"joined_by":${joined},"attempt":${this.attempt}}\n`;
  }

  rollup(r: MinuteRollup, i: number): void {
    checkRollup(r, i);
    const h = r.latency;
    const s = JSON.stringify;
    const keys = Object.keys(h.buckets);
    this.rollups += `{"minute":${r.minute},"service":${s(wellFormed(r.service))},"attempt":${this.attempt},"requests":${r.requests},"errors":${r.errors},"lines":${r.lines},"error_lines":${r.errorLines},"traced_lines":${r.tracedLines},"lat_count":${h.count},"lat_sum":${s(h.sum)},"lat_min":${s(h.min)},"lat_max":${s(h.max)},"bucket_keys":${s(keys.map(wellFormed))},"bucket_counts":${s(keys.map((k) => h.buckets[k]))}}\n`;
  }

  private lastTermsKey = '';
  private lastTerms: Set<string> | undefined;

  private terms(field: number, day: number): Set<string> {
    const key = `${field}/${day}`;
    if (key === this.lastTermsKey) return this.lastTerms!;
    let set = this.vocab.get(key);
    if (set === undefined) this.vocab.set(key, (set = new Set()));
    this.lastTermsKey = key;
    this.lastTerms = set;
    return set;
  }

  vocabulary(): string {
    let out = '';
    for (const [key, terms] of this.vocab) {
      const [field, day] = key.split('/') as [string, string];
      for (const term of terms) out += `{"field":${field},"term":${JSON.stringify(term)},"day":${day}}\n`;
    }
    return out;
  }
}

/**
 * Checks and encodes a batch. `stored` orders copies of a span (the first stored wins among equals);
 * `linked` is when its aliases were linked (the latest link of an alias names its trace); `binary` false
 * writes the per-line tables as text (JSONCompactEachRow) rather than RowBinary.
 */
export function encodeBatch(batch: IngestBatch, attempt: string, stored: number, linked: number, binary = true): EncodedBatch {
  const w = new RowWriter(attempt, binary);
  const logs = batch.logs ?? [];
  const spans = batch.spans ?? [];
  logs.forEach((r, i) => w.log(r, i));
  spans.forEach((sp, i) => w.span(sp, i, stored));
  for (const link of aliasLinksOf(batch)) w.alias(link.alias, link.traceId, linked, link.joinedBy);
  (batch.rollups ?? []).forEach((r, i) => w.rollup(r, i));
  return {
    batchId: batch.batchId === undefined ? undefined : wellFormed(String(batch.batchId)),
    attempt,
    logs: logs.length,
    spans: spans.length,
    rows: { logs: RowWriter.body(w.logs), trace_index: RowWriter.body(w.traceIndex), spans: w.spans, aliases: w.aliases, trace_aliases: w.traceAliases, rollups: w.rollups, vocabulary: w.vocabulary() },
  };
}
