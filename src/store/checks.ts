// What every store checks in a batch before storing any of it, and the span ranking both stores share:
// a bad record rejects the whole batch with an error naming the record and the field.
import { isValidTraceId } from '../model/ids.js';
import type { MinuteRollup } from '../model/metrics.js';
import { StoreError } from './errors.js';
import type { AliasLink, IngestBatch } from './types.js';

/** Record times must lie within ± this (µs; years 1843–2096), so that they stay exact in a JS number and in keys built from them. */
export const MAX_TIME_US = 4_000_000_000_000_000;
/** How much of the line that joined an alias to its trace is kept with the link. */
const JOINED_BY_BODY_CHARS = 200;

/** Where a stored span came from; stores keep the index. */
export const SPAN_ORIGINS = [undefined, 'otlp', 'zipkin', 'span-end-line', 'access-log', 'log-extent'] as const;
/**
 * Which copy of a span stored twice wins, by origin index: a span received from an SDK (OTLP, Zipkin)
 * beats one derived from log lines; among derived ones, the span-end line (written by the span's own code)
 * beats an access-log line, which beats a mere log extent. Unknown origin ranks between received and derived.
 */
export const ORIGIN_RANK: readonly number[] = [3, 5, 5, 2, 1, 0];

export function invalidRecord(where: string, problem: string): StoreError {
  return new StoreError('STORE_INVALID_RECORD', `${where} ${problem}; the batch was not stored, fix the record and send it again`);
}

/** A record time, checked: µs since the epoch, finite and within ±MAX_TIME_US. */
export function checkTime(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_TIME_US) {
    throw invalidRecord(where, `must be µs since the epoch, a finite number within ±${MAX_TIME_US} (got ${String(value)})`);
  }
  return value;
}

/** Lowercase hex IDs are kept; an uppercase one is lowercased; anything else is undefined. */
export function normalizeId(value: string, valid: (v: string) => boolean): string | undefined {
  if (valid(value)) return value;
  const lower = value.toLowerCase();
  return lower !== value && valid(lower) ? lower : undefined;
}

/**
 * A batch's alias links, checked and each once: the links it names (a bad one rejects the batch) and the
 * aliases its lines carry beside a valid trace ID, joined by that line (service, time, the body's start).
 */
export function aliasLinksOf(batch: IngestBatch): AliasLink[] {
  const seen = new Set<string>();
  const out: AliasLink[] = [];
  const add = (alias: unknown, traceId: string, joinedBy: AliasLink['joinedBy']) => {
    if (typeof alias !== 'string' || alias.length === 0) return;
    const key = `${traceId}${alias}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(joinedBy === undefined ? { alias, traceId } : { alias, traceId, joinedBy });
  };
  (batch.aliases ?? []).forEach((link, i) => {
    const trace = normalizeId(String(link.traceId), isValidTraceId);
    if (trace === undefined) throw invalidRecord(`aliases[${i}].traceId`, `must be 32 hex digits, not all zero (got ${JSON.stringify(link.traceId)})`);
    if (typeof link.alias !== 'string' || link.alias.length === 0) throw invalidRecord(`aliases[${i}].alias`, 'must be a non-empty string');
    add(link.alias, trace, link.joinedBy);
  });
  for (const r of batch.logs ?? []) {
    if (r.aliases === undefined || r.aliases.length === 0 || r.traceId === undefined) continue;
    const trace = normalizeId(String(r.traceId), isValidTraceId);
    if (trace === undefined) continue;
    const joinedBy = { ...(r.service !== undefined ? { service: r.service } : {}), time: r.time, body: String(r.body).slice(0, JOINED_BY_BODY_CHARS) };
    for (const alias of r.aliases) add(alias, trace, joinedBy);
  }
  return out;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Rollups are the indexer's own figures, but a store checks what it is given like any other input. */
export function checkRollup(r: MinuteRollup, i: number): MinuteRollup {
  const where = `rollups[${i}]`;
  if (typeof r.service !== 'string') throw invalidRecord(`${where}.service`, 'must be a string');
  if (!Number.isSafeInteger(r.minute) || r.minute % 60_000_000 !== 0) throw invalidRecord(`${where}.minute`, 'must be the µs start of a minute');
  for (const key of ['requests', 'errors', 'lines', 'errorLines', 'tracedLines'] as const) {
    if (!isCount(r[key])) throw invalidRecord(`${where}.${key}`, 'must be a whole number ≥ 0');
  }
  const h = r.latency;
  if (typeof h !== 'object' || h === null || !isCount(h.count) || ![h.sum, h.min, h.max].every(Number.isFinite) || typeof h.buckets !== 'object' || h.buckets === null || !Object.values(h.buckets).every(isCount)) {
    throw invalidRecord(`${where}.latency`, 'must be a histogram: {count, sum, min, max, buckets: {index: count}}');
  }
  return r;
}
