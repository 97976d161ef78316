// What each field of a JSON line is to the indexer's reader — a record field it takes whole, one it takes
// or ignores in a way a line going out as written cannot follow, or an attribute — for both checks of
// whether a line may go out as written (over its parse in json-verbatim.ts, over its bytes in json-scan.ts).
import { logRecordFromJson } from '../model/json-record.js';
import { JSON_ID_FIELDS, scanMessage, type FoundIds } from './trace-ids.js';

/** Key names whose answers are remembered; past this many, the memory starts again. */
const CACHE_SIZE = 1000;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * Whether the model's reader takes a key for a record field (or ignores it) rather than keeping it as an
 * attribute — asked of the reader itself, so this never drifts from it. Answers are remembered.
 */
const consumedCache = new Map<string, boolean>();

export function isConsumedKey(key: string): boolean {
  let consumed = consumedCache.get(key);
  if (consumed === undefined) {
    const probe: Record<string, unknown> = {};
    probe[key] = 'x';
    consumed = logRecordFromJson(probe, 0).log.attributes?.[key] === undefined;
    if (consumedCache.size >= CACHE_SIZE) consumedCache.clear();
    consumedCache.set(key, consumed);
  }
  return consumed;
}

/** What a key is to the reader. */
export const enum KeyClass {
  Level, Time, Msg, Hostname, Service, TraceId, SpanId, TraceFlags,
  /** A field the model takes or ignores that is none of the above, or one naming an ID: not as written. */
  Refuse,
  /** Kept as an attribute (subject to the caller's `keep`). */
  Attribute,
}

const FIELD_CLASSES: Record<string, KeyClass> = {
  level: KeyClass.Level, time: KeyClass.Time, msg: KeyClass.Msg, hostname: KeyClass.Hostname, service: KeyClass.Service,
  trace_id: KeyClass.TraceId, span_id: KeyClass.SpanId, trace_flags: KeyClass.TraceFlags,
};

/** Classifies keys for one parser config: the configured traceFields name IDs the parser reads beyond the model. */
export class KeyClassifier {
  /** Fields that name an ID the parser reads beyond the model (request IDs, traceparent, configured names). */
  private readonly idFields: Set<string>;
  private readonly classes = new Map<string, KeyClass>();

  constructor(traceFields: readonly string[]) {
    this.idFields = new Set([...JSON_ID_FIELDS, 'http', ...traceFields, ...traceFields.map((f) => f.split('.')[0]!)]);
  }

  classOf(key: string): KeyClass {
    let kind = this.classes.get(key);
    if (kind === undefined) {
      kind = hasOwnProperty.call(FIELD_CLASSES, key) ? FIELD_CLASSES[key]!
        : key === '__proto__' || isConsumedKey(key) || this.idFields.has(key) ? KeyClass.Refuse : KeyClass.Attribute;
      if (this.classes.size >= CACHE_SIZE) this.classes.clear();
      this.classes.set(key, kind);
    }
    return kind;
  }
}

/** Lowercase hex digits, by character code. */
const LOWER_HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = 1;

/** `length` lowercase hex digits, not all zero: a valid trace (32) or span (16) ID as the model checks it, without a regex per line. */
export function isLowerHexText(value: string, length: number): boolean {
  if (value.length !== length) return false;
  let zeros = 0;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 256 || LOWER_HEX[c] === 0) return false;
    if (c === 0x30) zeros++;
  }
  return zeros !== length;
}

/** A hex digit of either case (trace flags are read so). */
export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Whether a message names an ID the parser would read (a line without a trace ID of its own is then not as written). */
export function messageNamesId(body: string): boolean {
  if (body.length === 0) return false;
  const found: FoundIds = {};
  scanMessage(found, body);
  for (const _ in found) return true;
  return false;
}
