// A JSON line (pino, winston, bunyan, ECS, OpenTelemetry names) → record, through the model's reader.
import { logRecordFromJson } from '../model/json-record.js';
import type { ParseContext } from './record.js';
import { applyIds, JSON_ID_FIELDS, noteId, scanMessage, type FoundIds } from './trace-ids.js';
import type { ParsedLine } from './types.js';

const PLAIN_ID_FIELDS = JSON_ID_FIELDS.filter((key) => !key.includes('.'));

// Time fields the model reads, plus python-json-logger's `asctime`, in the model's order.
const TIME_FIELDS = ['time', 'timestamp', '@timestamp', 'ts', 'asctime', 'date', 'datetime'];
const HAS_ZONE_RE = /(?:[Zz]|[+-]\d{2}:?\d{2}|UTC|GMT)$/;

/**
 * The model reads a zone-less time string as UTC and gives up on formats it does not know; here such
 * a string is read again in the configured zone, with every format the text parsers know.
 */
function refineTime(fields: Record<string, unknown>, log: { time: number }, observed: number, ctx: ParseContext): void {
  for (const key of TIME_FIELDS) {
    const value = fields[key];
    if (typeof value !== 'string') {
      if (value !== undefined) return;
      continue;
    }
    if (log.time !== observed && HAS_ZONE_RE.test(value)) return;
    const time = ctx.time.read(value, observed);
    if (time !== undefined) log.time = time;
    return;
  }
}

/** ECS nests the request ID as http.request.id; read without building a path. */
function requestIdOfEcs(http: unknown): unknown {
  if (typeof http !== 'object' || http === null) return undefined;
  const request = (http as Record<string, unknown>).request;
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>).id : undefined;
}

/**
 * Reads a line that should be a JSON object; returns why not when it is not one. The hot path of the
 * agent: one JSON.parse, the model's reader, and a handful of property lookups.
 */
export function parseJsonLine(line: string, observed: number, ctx: ParseContext): ParsedLine | string {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'JSON, but not an object';
  return parseJsonFields(obj as Record<string, unknown>, observed, ctx);
}

/** The record for a JSON line already parsed into `fields` (which are not modified). */
export function parseJsonFields(fields: Record<string, unknown>, observed: number, ctx: ParseContext): ParsedLine {
  const read = logRecordFromJson(fields, observed);
  const log = read.log;
  if (log.time === observed || !ctx.time.isUtc) refineTime(fields, log, observed, ctx);
  if (log.service === undefined && ctx.service !== undefined) log.service = ctx.service;
  if (log.host === undefined && ctx.host !== undefined) log.host = ctx.host;
  let found: FoundIds | undefined;
  for (const key of PLAIN_ID_FIELDS) {
    const value = fields[key];
    if (value !== undefined) noteId((found ??= {}), key === 'traceparent' ? 'traceparent' : 'request', value);
  }
  const ecs = fields['http.request.id'] ?? requestIdOfEcs(fields.http);
  if (ecs !== undefined) noteId((found ??= {}), 'request', ecs);
  for (const key of ctx.traceFields) {
    const value = fields[key] ?? dotted(fields, key);
    if (value !== undefined) noteId((found ??= {}), 'request', value);
  }
  if (log.traceId === undefined) {
    // A trace_id the model's reader kept as an attribute (not 32 hex) is a legacy ID.
    const kept = log.attributes?.trace_id;
    if (typeof kept === 'string') noteId((found ??= {}), 'trace', kept);
    if (log.body.length > 0) scanMessage((found ??= {}), log.body);
  }
  if (found !== undefined) applyIds(log, read.aliases, found);
  const parsed: ParsedLine = { log, aliases: read.aliases };
  if (read.span !== undefined) parsed.span = read.span;
  if (read.warning !== undefined) parsed.warning = read.warning;
  return parsed;
}

function dotted(obj: Record<string, unknown>, path: string): unknown {
  if (path in obj) return obj[path];
  let value: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
