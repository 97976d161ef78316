// Decides whether a JSON line can be shipped as it was written: when the indexer, reading the line itself
// with the same reader (logRecordFromJson), would store exactly the record the parser would have built,
// and the text holds nothing the parsed fields do not. Pino's lines are the common case this serves.
import { logRecordFromJson } from '../model/json-record.js';
import { Severity, severityFromPinoLevel, severityFromText } from '../model/severity.js';
import { JSON_ID_FIELDS, scanMessage, type FoundIds } from './trace-ids.js';

/** A JSON line that may go out as written; `fields` is its parse, never modified. */
export interface VerbatimJson {
  /** The line, exactly as JSON.parse read it: compact, no escapes, ending in `}`. */
  text: string;
  fields: Record<string, unknown>;
  body: string;
  /** From `level` (0 when the line has none). */
  severityNumber: number;
  /** The line names its own host (`hostname`) / service (`service`). */
  hasHost: boolean;
  hasService: boolean;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;
/** From here on String(number) uses an exponent, and the number may have been written shorter (`1e21`). */
const EXPONENT_FORM = 1e21;
/** Nesting the canonical-length walk follows; deeper lines take the ordinary path. */
const MAX_DEPTH = 16;

/**
 * Whether the model's reader takes a key for a record field (or ignores it) rather than keeping it as an
 * attribute — asked of the reader itself, so this never drifts from it. Answers are remembered.
 */
const consumedCache = new Map<string, boolean>();
const CONSUMED_CACHE_SIZE = 1000;

export function isConsumedKey(key: string): boolean {
  let consumed = consumedCache.get(key);
  if (consumed === undefined) {
    const probe: Record<string, unknown> = {};
    probe[key] = 'x';
    consumed = logRecordFromJson(probe, 0).log.attributes?.[key] === undefined;
    if (consumedCache.size >= CONSUMED_CACHE_SIZE) consumedCache.clear();
    consumedCache.set(key, consumed);
  }
  return consumed;
}

/**
 * The length of the compact JSON text of `value` with no escapes (-1 when that cannot be known): with a
 * text that has no backslash, equal lengths prove the text holds no whitespace, no duplicate key and no
 * value the parse dropped — nothing but what `value` shows.
 */
function compactLength(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string': return value.length + 2;
    case 'number': return numberLength(value);
    case 'boolean': return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_DEPTH) return -1;
      if (Array.isArray(value)) {
        let n = value.length === 0 ? 2 : value.length + 1;
        for (let i = 0; i < value.length; i++) {
          const l = compactLength(value[i], depth + 1);
          if (l < 0) return -1;
          n += l;
        }
        return n;
      }
      let n = 1;
      let keys = 0;
      for (const key in value) {
        if (!hasOwnProperty.call(value, key)) continue;
        const l = compactLength((value as Record<string, unknown>)[key], depth + 1);
        if (l < 0) return -1;
        n += key.length + 3 + l;
        keys++;
      }
      return keys === 0 ? 2 : n + keys;
    }
    default: return -1;
  }
}

/**
 * String(value).length, or -1 for a number that may have been written shorter than that: the lengths
 * prove nothing unless no number token is shorter than its String(). Only an exponent can make it so,
 * and only for integers ending in 000 (`1e3`), fractions below 0.01 (`1e-3`) or magnitudes from 1e21 on.
 */
function numberLength(value: number): number {
  if (!Number.isFinite(value)) return -1;
  const magnitude = Math.abs(value);
  if (magnitude >= EXPONENT_FORM) return -1;
  if (Number.isInteger(value)) {
    if (value !== 0 && value % 1000 === 0) return -1;
    if (magnitude > Number.MAX_SAFE_INTEGER) return String(value).length;
    let n = value < 0 ? 2 : 1;
    for (let v = magnitude; v >= 10; v = Math.floor(v / 10)) n++;
    return n;
  }
  return magnitude < 0.01 ? -1 : String(value).length;
}

/** Lowercase hex digits, by character code. */
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;

/** `length` lowercase hex digits, not all zero: a valid trace or span ID, without a regex per line. */
function isLowerHexId(value: unknown, length: number): boolean {
  if (typeof value !== 'string' || value.length !== length) return false;
  let zeros = 0;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || HEX[c] === 0) return false;
    if (c === 0x30) zeros++;
  }
  return zeros !== length;
}

/** A field that names an ID the parser reads beyond the model (request IDs, traceparent, configured names). */
function idKeys(traceFields: readonly string[]): Set<string> {
  return new Set([...JSON_ID_FIELDS, 'http', ...traceFields, ...traceFields.map((f) => f.split('.')[0]!)]);
}

function hexFlags(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && value.length === 2 && /^[0-9a-fA-F]{2}$/.test(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Returns the line as a VerbatimJson when shipping it as written stores what parsing it would, or
 * undefined. Each field must be one the model takes whole (pino's `level`, `time`, `msg`, `hostname`,
 * `service`, valid `trace_id`/`span_id`/`trace_flags`) or one it keeps as an attribute; no field may
 * name an ID the parser would read beyond the model, and a line without a trace ID must carry none in
 * its message. Redaction is the caller's (through `keep` for attributes).
 */
export class VerbatimJsonReader {
  private readonly idFields: Set<string>;

  constructor(traceFields: readonly string[]) {
    this.idFields = idKeys(traceFields);
  }

  /** `keep` sees each field that would become an attribute; the line is not verbatim if it says no. */
  read(text: string, fields: Record<string, unknown>, keep?: (key: string, value: unknown) => boolean): VerbatimJson | undefined {
    if (text.charCodeAt(text.length - 1) !== 0x7d /* } */ || text.indexOf('\\') !== -1) return undefined;
    let body: string | undefined;
    let severityNumber: number = Severity.UNSPECIFIED;
    let hasHost = false;
    let hasService = false;
    let hasTraceId = false;
    let hasTime = false;
    let length = 1;
    let keys = 0;
    for (const key in fields) {
      if (!hasOwnProperty.call(fields, key)) continue;
      const value = fields[key];
      switch (key) {
        case 'level':
          if (typeof value === 'number' && Number.isFinite(value)) severityNumber = severityFromPinoLevel(value);
          else if (nonEmptyString(value)) severityNumber = severityFromText(value);
          else return undefined;
          break;
        case 'time':
          if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
          hasTime = true;
          break;
        case 'msg':
          if (typeof value !== 'string') return undefined;
          body = value;
          break;
        case 'hostname':
          if (!nonEmptyString(value)) return undefined;
          hasHost = true;
          break;
        case 'service':
          if (!nonEmptyString(value)) return undefined;
          hasService = true;
          break;
        case 'trace_id':
          if (!isLowerHexId(value, 32)) return undefined;
          hasTraceId = true;
          break;
        case 'span_id':
          if (!isLowerHexId(value, 16)) return undefined;
          break;
        case 'trace_flags':
          if (!hexFlags(value)) return undefined;
          break;
        case '__proto__':
          return undefined;
        default:
          // A field the model takes or ignores but that is not one of the above (a second message or
          // level, `v`, a marker, `span_end`) would be dropped or reinterpreted: not verbatim.
          if (isConsumedKey(key) || this.idFields.has(key)) return undefined;
          if (keep !== undefined && !keep(key, value)) return undefined;
      }
      const l = typeof value === 'string' ? value.length + 2 : compactLength(value, 1);
      if (l < 0) return undefined;
      length += key.length + 3 + l;
      keys++;
    }
    if (keys === 0 || length + keys - 1 + 1 !== text.length) return undefined;
    // The time must come from the line: the indexer's own clock would otherwise stand in for the agent's.
    if (!hasTime || body === undefined) return undefined;
    if (!hasTraceId && body.length > 0) {
      const found: FoundIds = {};
      scanMessage(found, body);
      for (const _ in found) return undefined;
    }
    return { text, fields, body, severityNumber, hasHost, hasService };
  }
}
