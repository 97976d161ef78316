// Values of the fields that need no store vocabulary: level, trace, span and attr.NAME.
import { padTraceId, traceIdFromLegacy } from '../model/ids.js';
import type { SearchTerm } from '../model/search-plan.js';
import { buildVocabulary } from './lunr-api.js';
import { badValue, termShape } from './patterns.js';
import type { Clause } from './syntax.js';

/** Level names a query may use, and the plan's name for each (a Map: `level:constructor` is no level). */
const LEVELS = new Map([
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
]);
const LEVEL_NAMES = buildVocabulary([...LEVELS.keys()]);
const LEVEL_LIST = 'trace, debug, info, warn (or warning), error, fatal';

const HEX_RE = /^[0-9a-fA-F]*$/;
const TRACE_ID_RE = /^[0-9a-fA-F]{32}$/;
/** A span ID, or a 64-bit trace ID (B3, Jaeger). */
const HEX16_RE = /^[0-9a-fA-F]{16}$/;

/** `level:error`, `level:WARNING`, `level:err*`, `level:eror~1` → level names. */
export function levelTerm(clause: Clause): SearchTerm {
  requireValue(clause);
  const shape = termShape(clause.text.toLowerCase(), clause);
  let names: string[];
  if (shape.kind === 'literal') {
    const name = LEVELS.get(shape.value);
    names = name === undefined ? [] : [name];
  } else {
    const pattern =
      shape.kind === 'fuzzy'
        ? { fuzzy: shape.term, editDistance: shape.editDistance }
        : { wildcard: shape.kind === 'prefix' ? `${shape.prefix}*` : shape.pattern };
    names = LEVEL_NAMES.match(pattern).map((n) => LEVELS.get(n) ?? n);
  }
  if (names.length === 0) {
    throw badValue(clause, `"${clause.source}" is not a level; the levels are ${LEVEL_LIST}`);
  }
  return { field: 'level', values: [...new Set(names)], match: 'exact' };
}

/**
 * `trace:4BF92F35…` (32 hex) → that ID, lowercased; `trace:4bf92f35*` → a prefix; anything else is a
 * legacy request ID or alias: the value as typed (the store resolves aliases) plus the trace ID
 * traceIdFromLegacy derives from it, so a line stamped with either is found. A 16-hex value may be a
 * 64-bit B3/Jaeger ID, so its zero-padded 128-bit form is offered too.
 */
export function traceTerm(clause: Clause): SearchTerm {
  requireValue(clause);
  refuseFuzzy(clause);
  const shape = termShape(clause.text, clause);
  if (shape.kind === 'prefix') {
    if (!HEX_RE.test(shape.prefix) || shape.prefix.length > 32) {
      throw badValue(clause, `"${clause.source}": a trace prefix is the first hex digits of a trace ID, e.g. trace:4bf92f35*`);
    }
    return { field: 'trace', values: [shape.prefix.toLowerCase()], match: 'prefix' };
  }
  if (shape.kind !== 'literal') {
    throw badValue(
      clause,
      `"${clause.source}": trace takes a trace ID, a request ID, or the first hex digits of a trace ID and a trailing * (trace:4bf92f35*)`,
    );
  }
  const value = shape.value;
  if (TRACE_ID_RE.test(value)) return { field: 'trace', values: [value.toLowerCase()], match: 'exact' };
  const legacy = traceIdFromLegacy(value);
  if (legacy === undefined) {
    throw badValue(clause, `"${clause.source}" is not a trace ID or request ID (at most 256 printable characters)`);
  }
  const values = [value];
  if (HEX16_RE.test(value)) values.push(padTraceId(value.toLowerCase()));
  values.push(legacy.traceId);
  return { field: 'trace', values: [...new Set(values)], match: 'exact' };
}

/** `span:00F067AA0BA902B7` → lowercased; `span:00f067aa*` → a prefix. */
export function spanTerm(clause: Clause): SearchTerm {
  requireValue(clause);
  refuseFuzzy(clause);
  const shape = termShape(clause.text, clause);
  if (shape.kind === 'prefix' && HEX_RE.test(shape.prefix) && shape.prefix.length <= 16) {
    return { field: 'span', values: [shape.prefix.toLowerCase()], match: 'prefix' };
  }
  if (shape.kind === 'literal' && HEX16_RE.test(shape.value)) {
    return { field: 'span', values: [shape.value.toLowerCase()], match: 'exact' };
  }
  throw badValue(
    clause,
    `"${clause.source}": span takes a 16-hex span ID (span:00f067aa0ba902b7) or its first hex digits and a trailing * (span:00f067aa*)`,
  );
}

/** `attr.order_id:A-17` → the value as typed; `attr.user:ann*` → a prefix; `attr.user:*` → any value. */
export function attrTerm(clause: Clause): SearchTerm {
  requireValue(clause);
  refuseFuzzy(clause);
  const shape = termShape(clause.text, clause);
  if (shape.kind === 'literal') return { field: clause.field, values: [shape.value], match: 'exact' };
  if (shape.kind === 'prefix') return { field: clause.field, values: [shape.prefix], match: 'prefix' };
  throw badValue(clause, `"${clause.source}": attribute values take only a trailing wildcard, e.g. ${clause.field}:A-1*`);
}

/** lunr lets `service:\` through as an empty term. */
export function requireValue(clause: Clause): void {
  if (clause.text.length === 0) {
    throw badValue(clause, `"${clause.source}" has no value; write ${clause.field}:VALUE`);
  }
}

/** IDs and attribute values are exact: a near miss is another request. */
function refuseFuzzy(clause: Clause): void {
  if (clause.editDistance > 0) {
    throw badValue(clause, `"${clause.source}": fuzzy matching (~N) works on msg, service, host and level, not on ${clause.field}`);
  }
}
