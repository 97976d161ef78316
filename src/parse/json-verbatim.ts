// Decides whether a JSON line can be shipped as it was written: when the indexer, reading the line itself
// with the same reader (logRecordFromJson), would store exactly the record the parser would have built,
// and the text holds nothing the parsed fields do not. Pino's lines are the common case this serves.
import { Severity, severityFromPinoLevel, severityFromText } from '../model/severity.js';
import { isHexDigit, isLowerHexText, KeyClass, KeyClassifier, messageNamesId } from './verbatim-keys.js';

export { isConsumedKey } from './verbatim-keys.js';

/** What the agent needs of a line that may go out as written, to filter and enrich it. */
export interface VerbatimFacts {
  body: string;
  /** From `level` (0 when the line has none). */
  severityNumber: number;
  /** The line names its own host (`hostname`) / service (`service`). */
  hasHost: boolean;
  hasService: boolean;
}

/** A JSON line that may go out as written; `fields` is its parse, never modified. */
export interface VerbatimJson extends VerbatimFacts {
  /** The line, exactly as JSON.parse read it: compact, no escapes, ending in `}`. */
  text: string;
  fields: Record<string, unknown>;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;
/** From here on String(number) uses an exponent, and the number may have been written shorter (`1e21`). */
const EXPONENT_FORM = 1e21;
/** Nesting the canonical-length walk follows; deeper lines take the ordinary path. */
const MAX_DEPTH = 16;

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
    const n = digits(magnitude);
    return value < 0 ? n + 1 : n;
  }
  return magnitude < 0.01 ? -1 : String(value).length;
}

/** Decimal digits of a safe integer, by comparisons (no division per digit: times have 13 to 16 of them). */
function digits(m: number): number {
  if (m < 1e8) {
    if (m < 1e4) return m < 1e2 ? (m < 1e1 ? 1 : 2) : m < 1e3 ? 3 : 4;
    return m < 1e6 ? (m < 1e5 ? 5 : 6) : m < 1e7 ? 7 : 8;
  }
  if (m < 1e12) return m < 1e10 ? (m < 1e9 ? 9 : 10) : m < 1e11 ? 11 : 12;
  return m < 1e14 ? (m < 1e13 ? 13 : 14) : m < 1e15 ? 15 : 16;
}

/**
 * The last trace ID found valid: the lines of one request follow each other and share it, and comparing
 * two strings is cheaper than checking 32 characters.
 */
let lastTraceId = '';

function isTraceId(value: unknown): boolean {
  if (value === lastTraceId) return true;
  if (typeof value !== 'string' || !isLowerHexText(value, 32)) return false;
  lastTraceId = value as string;
  return true;
}

function hexFlags(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && value.length === 2 && isHexDigit(value.charCodeAt(0)) && isHexDigit(value.charCodeAt(1));
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
  private readonly classifier: KeyClassifier;
  /**
   * The previous line's keys and their classes, in order: lines of one logger share their keys (the same
   * interned strings), and comparing a key with the one at its place last time is cheaper than a lookup.
   */
  private lastKeys: string[] = [];
  private lastClasses: KeyClass[] = [];

  constructor(traceFields: readonly string[]) {
    this.classifier = new KeyClassifier(traceFields);
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
    const lastKeys = this.lastKeys;
    const lastClasses = this.lastClasses;
    for (const key in fields) {
      if (!hasOwnProperty.call(fields, key)) continue;
      const value = fields[key];
      let kind: KeyClass;
      if (lastKeys[keys] === key) kind = lastClasses[keys]!;
      else {
        kind = this.classifier.classOf(key);
        lastKeys[keys] = key;
        lastClasses[keys] = kind;
      }
      switch (kind) {
        case KeyClass.Level:
          if (typeof value === 'number' && Number.isFinite(value)) severityNumber = severityFromPinoLevel(value);
          else if (nonEmptyString(value)) severityNumber = severityFromText(value);
          else return undefined;
          break;
        case KeyClass.Time:
          if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
          hasTime = true;
          break;
        case KeyClass.Msg:
          if (typeof value !== 'string') return undefined;
          body = value;
          break;
        case KeyClass.Hostname:
          if (!nonEmptyString(value)) return undefined;
          hasHost = true;
          break;
        case KeyClass.Service:
          if (!nonEmptyString(value)) return undefined;
          hasService = true;
          break;
        case KeyClass.TraceId:
          if (!isTraceId(value)) return undefined;
          hasTraceId = true;
          break;
        case KeyClass.SpanId:
          if (typeof value !== 'string' || !isLowerHexText(value, 16)) return undefined;
          break;
        case KeyClass.TraceFlags:
          if (!hexFlags(value)) return undefined;
          break;
        case KeyClass.Refuse:
          // A field the model takes or ignores but that is not one of the above (a second message or
          // level, `v`, a marker, `span_end`) would be dropped or reinterpreted; an ID field is read
          // beyond the model: not verbatim.
          return undefined;
        default:
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
    if (!hasTraceId && messageNamesId(body)) return undefined;
    return { text, fields, body, severityNumber, hasHost, hasService };
  }
}
