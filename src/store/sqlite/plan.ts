// A SearchPlan compiled for the block store: an FTS5 expression that finds the candidate blocks, and
// tests that decide, row by row, what the plan means exactly.
import { isValidTraceId } from '../../model/ids.js';
import type { SearchPlan, SearchTerm } from '../../model/search-plan.js';
import { StoreError } from '../errors.js';
import { levelSeverities } from '../levels.js';
import type { BlockInfo, RowContext } from './rows.js';
import { MAX_TOKEN_LENGTH, valueTokens } from '../tokens.js';
import { ftsString, hostMark, levelMark, serviceMark, TRACE_MARK_HEX, traceMark } from './marks.js';

export type { BlockInfo } from './rows.js';

export interface Test {
  /** true or false when the block alone decides; undefined when rows must be looked at. */
  block(b: BlockInfo): boolean | undefined;
  row(r: RowContext): boolean;
}

export interface CompiledPlan {
  /** No row can match (a term no value of which can ever hold). */
  impossible: boolean;
  /** FTS5 query over block terms; undefined when no group can be looked up (then blocks are scanned). */
  fts: string | undefined;
  groups: Test[][];
  none: Test[];
  from: number;
  to: number;
}

/** Names known to the store, both ways. */
export interface NameLookup {
  ids(kind: 'service' | 'host', value: string, prefix: boolean): number[];
  /** Every trace ID a `trace:` value may stand for: itself, the traces it is an alias of, the ID a legacy value maps to. */
  traceIdsFor(value: string): string[];
}

interface Compiled {
  test: Test;
  /** FTS5 sub-expression, or undefined when this term cannot be looked up in the index. */
  fts: string | undefined;
  /** No value of the term can ever hold. */
  never: boolean;
}

export function compilePlan(plan: SearchPlan, names: NameLookup): CompiledPlan {
  let impossible = false;
  const ftsGroups: string[] = [];
  const groups: Test[][] = [];
  for (const group of plan.all ?? []) {
    const terms = group.map((term) => compileTerm(term, names)).filter((c) => !c.never);
    if (terms.length === 0) {
      impossible = true;
      continue;
    }
    groups.push(terms.map((c) => c.test));
    if (terms.every((c) => c.fts !== undefined)) ftsGroups.push(terms.length === 1 ? terms[0]!.fts! : `(${terms.map((c) => c.fts).join(' OR ')})`);
  }
  const none = (plan.none ?? []).map((term) => compileTerm(term, names)).filter((c) => !c.never).map((c) => c.test);
  const from = plan.from ?? -Infinity;
  const to = plan.to ?? Infinity;
  if (typeof from !== 'number' || typeof to !== 'number' || Number.isNaN(from) || Number.isNaN(to)) {
    throw new StoreError('STORE_BAD_QUERY', 'from and to must be µs since the epoch');
  }
  return { impossible: impossible || from > to, fts: ftsGroups.length > 0 ? ftsGroups.join(' AND ') : undefined, groups, none, from, to };
}

function compileTerm(term: SearchTerm, names: NameLookup): Compiled {
  const values = Array.isArray(term.values) ? term.values.map(String) : [];
  const prefix = term.match === 'prefix';
  const field = String(term.field);
  switch (field) {
    case 'msg':
      return msgTerm(values, prefix);
    case 'service':
    case 'host':
      return nameTerm(field, values, prefix, names);
    case 'level':
      return levelTerm(values, prefix);
    case 'trace':
      return idTerm(prefix ? values : [...new Set(values.flatMap((v) => names.traceIdsFor(v)))], prefix, (r) => r.view.traceHex(r.i) ?? r.extra()?.tr, true);
    case 'span':
      return idTerm(values, prefix, (r) => r.view.spanHex(r.i) ?? r.extra()?.sp, false);
    default:
      if (field.startsWith('attr.') && field.length > 5) return attrTerm(field.slice(5), values, prefix);
      throw new StoreError('STORE_BAD_QUERY', `unknown search field ${JSON.stringify(field)}: use msg, service, level, host, trace, span or attr.NAME`);
  }
}

const rowOnly = (row: (r: RowContext) => boolean): Test => ({ block: () => undefined, row });

function msgTerm(values: string[], prefix: boolean): Compiled {
  const alternatives = values.map(valueTokens).filter((tokens) => tokens.length > 0);
  if (alternatives.length === 0) return { test: rowOnly(() => false), fts: undefined, never: true };
  const fts = alternatives.map((tokens) => {
    // A token cut at MAX_TOKEN_LENGTH stands for every token that starts with it.
    const parts = tokens.map((t, i) => ((prefix && i === tokens.length - 1) || t.length >= MAX_TOKEN_LENGTH ? `${ftsString(t)}*` : ftsString(t)));
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  });
  const test = rowOnly((r) => alternatives.some((tokens) => tokens.every((t, i) => r.has(t, prefix && i === tokens.length - 1))));
  return { test, fts: fts.length === 1 ? fts[0] : `(${fts.join(' OR ')})`, never: false };
}

function nameTerm(field: 'service' | 'host', values: string[], prefix: boolean, names: NameLookup): Compiled {
  const ids = new Set(values.flatMap((v) => names.ids(field, v, prefix)));
  if (ids.size === 0) return { test: rowOnly(() => false), fts: undefined, never: true };
  const listOf = field === 'service' ? (b: BlockInfo) => b.services : (b: BlockInfo) => b.hosts;
  const rowName = field === 'service' ? (r: RowContext) => r.block.services[r.view.serviceIndex(r.i)]! : (r: RowContext) => r.block.hosts[r.view.hostIndex(r.i)]!;
  const mark = field === 'service' ? serviceMark : hostMark;
  const fts = [...ids].map((id) => ftsString(mark(id)));
  const block = (b: BlockInfo): boolean | undefined => {
    let some = false;
    let every = true;
    for (const id of listOf(b)) {
      if (ids.has(id)) some = true;
      else every = false;
    }
    return !some ? false : every ? true : undefined;
  };
  return { test: { block, row: (r) => ids.has(rowName(r)) }, fts: fts.length === 1 ? fts[0] : `(${fts.join(' OR ')})`, never: false };
}

function levelTerm(values: string[], prefix: boolean): Compiled {
  const severities = levelSeverities(values, prefix);
  const wanted = new Uint8Array(256);
  for (const s of severities) wanted[s] = 1;
  if (severities.length === 0) return { test: rowOnly(() => false), fts: undefined, never: true };
  return {
    test: rowOnly((r) => wanted[r.view.severity(r.i)] === 1),
    fts: `(${severities.map((s) => ftsString(levelMark(s))).join(' OR ')})`,
    never: false,
  };
}

function idTerm(values: string[], prefix: boolean, get: (r: RowContext) => string | undefined, indexed: boolean): Compiled {
  const wanted = values.map((v) => v.trim().toLowerCase());
  const test = rowOnly((r) => {
    const id = get(r);
    if (id === undefined) return false;
    return prefix ? wanted.some((w) => id.startsWith(w)) : wanted.includes(id);
  });
  // Only hex values are in the index (as their first 12 digits); anything else is looked for row by row.
  const hex = wanted.every((w) => (prefix ? /^[0-9a-f]*$/.test(w) : isValidTraceId(w)));
  if (!indexed || !hex || wanted.length === 0) return { test, fts: undefined, never: wanted.length === 0 };
  const fts = wanted.map((w) => (w.length >= TRACE_MARK_HEX ? ftsString(traceMark(w)) : `${ftsString(traceMark(w))}*`));
  return { test, fts: fts.length === 1 ? fts[0] : `(${fts.join(' OR ')})`, never: false };
}

function attrTerm(name: string, values: string[], prefix: boolean): Compiled {
  const path = name.includes('.') ? name.split('.') : undefined;
  const test = rowOnly((r) => {
    const attributes = r.extra()?.a;
    if (attributes === undefined || attributes === null || typeof attributes !== 'object') return false;
    let value: unknown = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    if (value === undefined && path !== undefined) value = walk(attributes, path);
    if (value === undefined) return false;
    const candidates = Array.isArray(value) ? value.map(asText) : [asText(value)];
    return candidates.some((c) => values.some((v) => (prefix ? c.startsWith(v) : c === v)));
  });
  return { test, fts: undefined, never: values.length === 0 };
}

function walk(value: unknown, path: string[]): unknown {
  let at = value;
  for (const part of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** An attribute value as the text a query names it by: strings as they are, other values as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
