// A SearchPlan as SQL: every value bound as a parameter, full-text tokens quoted as FTS5 strings.
import { hashLegacyId, traceIdFromLegacy } from '../../model/ids.js';
import type { SearchPlan, SearchTerm } from '../../model/search-plan.js';
import { ID_SLOTS } from './schema.js';

const LEVELS: Record<string, [number, number]> = {
  trace: [1, 4],
  debug: [5, 8],
  info: [9, 12],
  warn: [13, 16],
  warning: [13, 16],
  error: [17, 20],
  fatal: [21, 24],
};

export interface SearchSql {
  /** False when some required group can never match (an expansion that found no words). */
  possible: boolean;
  /** FTS5 MATCH expression for the required text terms, or undefined. */
  match: string | undefined;
  /** Conditions on the logs table (alias `l`), and their parameters in order. */
  where: string[];
  params: unknown[];
}

/** A token as an FTS5 string: inside double quotes nothing is syntax; quotes are doubled. */
function ftsString(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

function ftsTerm(term: SearchTerm): string {
  return term.values.map((v) => (term.match === 'prefix' ? `${ftsString(v)}*` : ftsString(v))).join(' OR ');
}

function likePrefix(value: string): string {
  return `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `$."name"` with the name's quotes and backslashes escaped, for json_extract. */
function jsonPath(name: string): string {
  return `$."${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** All IDs a trace value may stand for: itself, its legacy mapping, and traces its alias names. */
function traceIds(values: string[]): string[] {
  const ids = new Set<string>();
  for (const value of values) {
    ids.add(value.toLowerCase());
    const legacy = traceIdFromLegacy(value);
    if (legacy !== undefined) ids.add(legacy.traceId);
    else ids.add(hashLegacyId(value));
  }
  return [...ids];
}

/** One term as a condition on the logs table (never the full text), with its parameters. */
function condition(term: SearchTerm, params: unknown[]): string {
  const field = term.field;
  const prefix = term.match === 'prefix';
  const column = field === 'service' ? 'l.service' : field === 'host' ? 'l.host' : field === 'span' ? 'l.span_id' : field === 'trace' ? 'l.trace_id' : undefined;
  if (field === 'level') {
    const ranges = term.values.map((v) => LEVELS[v.toLowerCase()]).filter((r): r is [number, number] => r !== undefined);
    if (ranges.length === 0) return '0';
    return `(${ranges.map((r) => (params.push(r[0], r[1]), 'l.severity BETWEEN ? AND ?')).join(' OR ')})`;
  }
  if (field.startsWith('attr.')) {
    const path = jsonPath(field.slice(5));
    if (prefix && term.values.some((v) => v === '')) {
      params.push(path);
      return 'json_type(l.attrs, ?) IS NOT NULL';
    }
    if (prefix) return `(${term.values.map((v) => (params.push(path, likePrefix(v)), "CAST(json_extract(l.attrs, ?) AS TEXT) LIKE ? ESCAPE '\\'")).join(' OR ')})`;
    params.push(path, ...term.values);
    return `CAST(json_extract(l.attrs, ?) AS TEXT) IN (${term.values.map(() => '?').join(', ')})`;
  }
  if (column === undefined) return '0';
  if (prefix) {
    if (term.values.some((v) => v === '')) return `${column} IS NOT NULL`;
    return `(${term.values.map((v) => (params.push(likePrefix(field === 'trace' || field === 'span' ? v.toLowerCase() : v)), `${column} LIKE ? ESCAPE '\\'`)).join(' OR ')})`;
  }
  if (field === 'trace') {
    const ids = traceIds(term.values);
    const aliasParams = term.values;
    params.push(...ids, ...aliasParams);
    return `(l.trace_id IN (${ids.map(() => '?').join(', ')}) OR l.trace_id IN (SELECT trace_id FROM aliases WHERE alias IN (${aliasParams.map(() => '?').join(', ')})))`;
  }
  const values = field === 'span' ? term.values.map((v) => v.toLowerCase()) : term.values;
  params.push(...values);
  return `${column} IN (${values.map(() => '?').join(', ')})`;
}

export function searchSql(plan: SearchPlan): SearchSql {
  const where: string[] = [];
  const params: unknown[] = [];
  const text: string[] = [];
  for (const group of plan.all) {
    const terms = group.filter((t) => t.values.length > 0);
    if (terms.length === 0) return { possible: false, match: undefined, where, params };
    if (terms.every((t) => t.field === 'msg')) {
      text.push(terms.length === 1 ? `(${ftsTerm(terms[0]!)})` : `(${terms.map((t) => `(${ftsTerm(t)})`).join(' OR ')})`);
      continue;
    }
    // A group mixing text and fields (not produced by the query language today) is read term by term.
    const parts = terms.map((t) => (t.field === 'msg' ? (params.push(ftsTerm(t)), 'l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)') : condition(t, params)));
    where.push(`(${parts.join(' OR ')})`);
  }
  for (const term of plan.none) {
    if (term.values.length === 0) continue;
    if (term.field === 'msg') {
      params.push(ftsTerm(term));
      where.push('l.id NOT IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)');
    } else {
      where.push(`NOT COALESCE(${condition(term, params)}, 0)`);
    }
  }
  if (plan.from !== undefined) {
    params.push(Math.floor(plan.from / 1000) * ID_SLOTS, plan.from);
    where.push('l.id >= ? AND l.time >= ?');
  }
  if (plan.to !== undefined) {
    params.push(Math.floor(plan.to / 1000) * ID_SLOTS + ID_SLOTS - 1, plan.to);
    where.push('l.id <= ? AND l.time <= ?');
  }
  return { possible: true, match: text.length > 0 ? text.join(' AND ') : undefined, where, params };
}
