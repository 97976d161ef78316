// A batch as the writer stores it, built in the caller's thread: log records packed into blocks (rows of
// a service kept together, each block in time order), spans and alias links checked and flattened. The
// column sections are ArrayBuffers, so a worker thread receives them without a copy.
import { isValidSpanId, isValidTraceId } from '../../model/ids.js';
import type { LogRecord, Span } from '../../model/records.js';
import { SPAN_KINDS, SPAN_STATUSES } from '../../model/records.js';
import type { MinuteRollup } from '../../model/metrics.js';
import type { IngestBatch } from '../types.js';
import { BLOCK_ROWS, BLOCK_SPAN_US, BODY_SEPARATOR, FLAG_OBSERVED, FLAG_SPAN, FLAG_TRACE, FLAG_TRACE_FLAGS, layout, NO_TEXT, type Extras } from './block.js';
import { aliasLinksOf, checkRollup, checkTime, invalidRecord, normalizeId, ORIGIN_RANK, SPAN_ORIGINS } from '../checks.js';
import { StoreError } from '../errors.js';
import { addTokens, wellFormed } from '../tokens.js';
import { LEVEL_MARKS, NON_ASCII, TRACE_MARK_HEX, traceMark } from './marks.js';

export interface EncodedBlock {
  /**
   * What the block is found by besides its bodies: level and trace markers, and the tokens of bodies that
   * are not ASCII (with, in that case, the ASCII bodies' text, and asciiBodies false).
   */
  terms: string;
  /** The bodies are ASCII: the full-text index takes them as they are (FTS5's tokenizer splits them in C). */
  asciiBodies: boolean;
  /** The block's services and hosts; rows name them by index. */
  services: Array<string | undefined>;
  hosts: Array<string | undefined>;
  /** The severity texts rows name by index. */
  texts: string[];
  /** Per service (by index): rows, error rows, first and last time — four numbers each. */
  perService: number[];
  rows: number;
  errors: number;
  minTime: number;
  maxTime: number;
  cols: ArrayBuffer;
  bodies: string;
  extras: string;
}

export interface EncodedSpan {
  trace: string;
  span: string;
  parent: string | undefined;
  name: string;
  kind: number;
  start: number;
  duration: number;
  status: number;
  service: string | undefined;
  origin: number;
  /** Which copy of a span stored twice wins: the higher rank; on a tie, the first stored. */
  rank: number;
  attrs: string | undefined;
}

export interface EncodedBatch {
  batchId: string | undefined;
  logs: number;
  blocks: EncodedBlock[];
  spans: EncodedSpan[];
  /** Alias links, flattened: alias, trace ID, joined-by JSON or '', alias, … */
  aliases: string[];
  /** Checked rollups, as given. */
  rollups: MinuteRollup[];
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[97 + c] = HEX_VALUE[65 + c] = 10 + c;

/**
 * Writes a hex ID of `bytes` bytes (either case) into buf at `at`; false, writing nothing that matters,
 * when it is not 2 × bytes hex digits or is all zero (not a valid W3C ID). The hot path: no regex, no copy.
 */
export function writeHexId(buf: Buffer, at: number, id: unknown, bytes: number): boolean {
  if (typeof id !== 'string' || id.length !== 2 * bytes) return false;
  let any = 0;
  for (let i = 0; i < bytes; i++) {
    const hi = id.charCodeAt(2 * i);
    const lo = id.charCodeAt(2 * i + 1);
    const h = hi < 128 ? HEX_VALUE[hi]! : -1;
    const l = lo < 128 ? HEX_VALUE[lo]! : -1;
    if ((h | l) < 0) return false;
    const byte = (h << 4) | l;
    buf[at + i] = byte;
    any |= byte;
  }
  return any !== 0;
}

export function encodeBatch(batch: IngestBatch, blockRows = BLOCK_ROWS): EncodedBatch {
  const logs = batch.logs ?? [];
  const order = orderRows(logs);
  const blocks: EncodedBlock[] = [];
  let start = 0;
  while (start < order.length) {
    let min = logs[order[start]!]!.time;
    let max = min;
    let end = start + 1;
    for (; end < order.length && end - start < blockRows; end++) {
      const time = logs[order[end]!]!.time;
      if (Math.max(max, time) - Math.min(min, time) > BLOCK_SPAN_US) break;
      if (time < min) min = time;
      if (time > max) max = time;
    }
    const rows = order.slice(start, end);
    rows.sort((a, b) => logs[a]!.time - logs[b]!.time || a - b);
    blocks.push(encodeBlock(logs, rows));
    start = end;
  }
  const aliases = encodeAliases(batch);
  const rollups = (batch.rollups ?? []).map(checkRollup);
  const spans = (batch.spans ?? []).map(encodeSpan);
  return { batchId: batch.batchId === undefined ? undefined : wellFormed(String(batch.batchId)), logs: logs.length, blocks, spans, aliases, rollups };
}

export function transferables(batch: EncodedBatch): ArrayBuffer[] {
  return batch.blocks.map((b) => b.cols);
}

/** Row indices with each service's rows together, each service's in time order (stable). */
function orderRows(logs: readonly LogRecord[]): number[] {
  for (let i = 0; i < logs.length; i++) checkTime(logs[i]!.time, `logs[${i}].time`);
  const byService = new Map<string | undefined, number[]>();
  let last: string | undefined;
  let rows: number[] | undefined;
  for (let i = 0; i < logs.length; i++) {
    const service = logs[i]!.service;
    if (rows === undefined || service !== last) {
      last = service;
      rows = byService.get(service);
      if (rows === undefined) byService.set(service, (rows = []));
    }
    rows.push(i);
  }
  const order: number[] = [];
  for (const group of byService.values()) {
    let sorted = true;
    for (let j = 1; j < group.length && sorted; j++) sorted = logs[group[j - 1]!]!.time <= logs[group[j]!]!.time;
    if (!sorted) group.sort((a, b) => logs[a]!.time - logs[b]!.time || a - b);
    for (const i of group) order.push(i);
  }
  return order;
}

/** The index of `name` in `names`, added when new. */
function indexOf(names: Array<string | undefined>, name: string | undefined): number {
  const at = names.indexOf(name);
  if (at !== -1) return at;
  names.push(name);
  return names.length - 1;
}

function textIndex(texts: string[], text: string): number {
  const at = texts.indexOf(text);
  if (at !== -1) return at;
  texts.push(wellFormed(String(text)));
  return texts.length - 1;
}

function encodeBlock(logs: readonly LogRecord[], rows: number[]): EncodedBlock {
  const n = rows.length;
  const at = layout(n);
  const cols = new ArrayBuffer(at.size);
  const buf = Buffer.from(cols);
  const bodies: string[] = new Array(n);
  const extras: string[] = [];
  const marks = new Set<string>();
  const services: Array<string | undefined> = [];
  const hosts: Array<string | undefined> = [];
  const texts: string[] = [];
  const perService: number[] = [];
  let errors = 0;
  let lastService: string | undefined;
  let lastServiceIndex = -1;
  for (let j = 0; j < n; j++) {
    const index = rows[j]!;
    const r = logs[index]!;
    const time = r.time;
    buf.writeDoubleLE(time, at.time + 8 * j);
    const sev = typeof r.severityNumber === 'number' && r.severityNumber >= 0 && r.severityNumber <= 255 ? r.severityNumber | 0 : 0;
    buf[at.sev + j] = sev;
    marks.add(LEVEL_MARKS[sev]!);
    if (sev >= 17) errors++;
    if (lastServiceIndex === -1 || r.service !== lastService) {
      lastService = r.service;
      lastServiceIndex = indexOf(services, r.service);
      if (perService.length < 4 * services.length) perService.push(0, 0, time, time);
    }
    const s = 4 * lastServiceIndex;
    perService[s]!++;
    if (sev >= 17) perService[s + 1]!++;
    if (time < perService[s + 2]!) perService[s + 2] = time;
    if (time > perService[s + 3]!) perService[s + 3] = time;
    buf[at.service + j] = lastServiceIndex;
    buf[at.host + j] = indexOf(hosts, r.host);
    let flags = 0;
    if (r.observedTime !== undefined) {
      buf.writeDoubleLE(checkTime(r.observedTime, `logs[${index}].observedTime`), at.observed + 8 * j);
      flags |= FLAG_OBSERVED;
    }
    buf[at.text + j] = r.severityText === undefined ? NO_TEXT : textIndex(texts, r.severityText);
    const traceFlags = r.traceFlags;
    if (traceFlags !== undefined && Number.isInteger(traceFlags) && traceFlags >= 0 && traceFlags <= 255) {
      buf[at.traceFlags + j] = traceFlags;
      flags |= FLAG_TRACE_FLAGS;
    }
    let rawTrace: string | undefined;
    let rawSpan: string | undefined;
    if (r.traceId !== undefined) {
      if (writeHexId(buf, at.trace + 16 * j, r.traceId, 16)) {
        flags |= FLAG_TRACE;
        marks.add(traceMark((r.traceId as string).slice(0, TRACE_MARK_HEX).toLowerCase()));
      } else rawTrace = wellFormed(String(r.traceId));
    }
    if (r.spanId !== undefined) {
      if (writeHexId(buf, at.span + 8 * j, r.spanId, 8)) flags |= FLAG_SPAN;
      else rawSpan = wellFormed(String(r.spanId));
    }
    buf[at.flags + j] = flags;
    const body = typeof r.body === 'string' ? wellFormed(r.body) : String(r.body ?? '');
    bodies[j] = body;
    buf.writeUInt32LE(body.length, at.bodyLen + 4 * j);
    const extra = encodeExtras(r, rawTrace, rawSpan, index);
    if (extra.length > 0) extras.push(extra);
    buf.writeUInt32LE(extra.length, at.extraLen + 4 * j);
  }
  const text = bodies.join(BODY_SEPARATOR);
  const asciiBodies = !NON_ASCII.test(text);
  let terms = '';
  if (!asciiBodies) {
    const ascii: string[] = [];
    for (const body of bodies) {
      if (NON_ASCII.test(body)) addTokens(body, 0, body.length, marks);
      else ascii.push(body);
    }
    terms = `${ascii.join(BODY_SEPARATOR)} `;
  }
  for (const mark of marks) terms += `${mark} `;
  return {
    terms,
    asciiBodies,
    services: services.map((name) => (name === undefined ? undefined : wellFormed(String(name)))),
    hosts: hosts.map((name) => (name === undefined ? undefined : wellFormed(String(name)))),
    texts,
    perService,
    rows: n,
    errors,
    minTime: logs[rows[0]!]!.time,
    maxTime: logs[rows[n - 1]!]!.time,
    cols,
    bodies: text,
    extras: extras.join(''),
  };
}

function encodeExtras(r: LogRecord, rawTrace: string | undefined, rawSpan: string | undefined, index: number): string {
  const odd = r.traceFlags !== undefined && !(Number.isInteger(r.traceFlags) && r.traceFlags >= 0 && r.traceFlags <= 255);
  if (r.aliases === undefined && r.attributes === undefined && r.parseError === undefined && rawTrace === undefined && rawSpan === undefined && !odd) return '';
  // Built as text, field by field: a third of the cost of building an object and stringifying it.
  let json = '';
  const add = (key: keyof Extras, value: unknown) => {
    const text = JSON.stringify(value);
    if (text !== undefined) json += `${json.length === 0 ? '{' : ','}"${key}":${text}`;
  };
  try {
    if (odd) add('f', r.traceFlags);
    if (r.aliases !== undefined) add('al', r.aliases);
    if (r.attributes !== undefined) add('a', r.attributes);
    if (r.parseError !== undefined) add('pe', r.parseError);
    if (rawTrace !== undefined) add('tr', rawTrace);
    if (rawSpan !== undefined) add('sp', rawSpan);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw invalidRecord(`logs[${index}]`, `has attributes that are not JSON (${(error as Error).message})`);
  }
  return json.length === 0 ? '' : `${json}}`;
}

function encodeSpan(s: Span, i: number): EncodedSpan {
  const trace = normalizeId(String(s.traceId), isValidTraceId);
  if (trace === undefined) throw invalidRecord(`spans[${i}].traceId`, `must be 32 hex digits, not all zero (got ${JSON.stringify(s.traceId)})`);
  const span = normalizeId(String(s.spanId), isValidSpanId);
  if (span === undefined) throw invalidRecord(`spans[${i}].spanId`, `must be 16 hex digits, not all zero (got ${JSON.stringify(s.spanId)})`);
  const parent = s.parentSpanId === undefined ? undefined : normalizeId(String(s.parentSpanId), isValidSpanId);
  if (s.parentSpanId !== undefined && parent === undefined) throw invalidRecord(`spans[${i}].parentSpanId`, `must be 16 hex digits (got ${JSON.stringify(s.parentSpanId)})`);
  const start = checkTime(s.start, `spans[${i}].start`);
  const duration = typeof s.duration === 'number' && Number.isFinite(s.duration) ? s.duration : 0;
  const origin = Math.max(0, SPAN_ORIGINS.indexOf(s.origin));
  let attrs: string | undefined;
  try {
    attrs = s.attributes === undefined ? undefined : JSON.stringify(s.attributes);
  } catch (error) {
    throw invalidRecord(`spans[${i}]`, `has attributes that are not JSON (${(error as Error).message})`);
  }
  return {
    trace,
    span,
    parent,
    name: wellFormed(String(s.name ?? '')),
    kind: Math.max(0, SPAN_KINDS.indexOf(s.kind)),
    start,
    duration,
    status: Math.max(0, SPAN_STATUSES.indexOf(s.status)),
    service: s.service === undefined ? undefined : wellFormed(String(s.service)),
    origin,
    rank: ORIGIN_RANK[origin]!,
    attrs,
  };
}

/**
 * The batch's alias links, and those its log lines carry (an alias on a line with a trace ID names that
 * trace), flattened as alias, trace ID, joined-by JSON ('' when none) — a link from a line remembers it.
 */
function encodeAliases(batch: IngestBatch): string[] {
  const out: string[] = [];
  for (const link of aliasLinksOf(batch)) out.push(wellFormed(link.alias), link.traceId, link.joinedBy === undefined ? '' : wellFormed(JSON.stringify(link.joinedBy)));
  return out;
}

