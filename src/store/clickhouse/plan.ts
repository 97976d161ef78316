// A SearchPlan as a ClickHouse WHERE clause over `logs`, with the meaning the SQLite store gives it: message
// terms are whole tokens of the `tokens` column (the same tokenizer fills both stores), names and IDs are
// compared exactly or by prefix, attributes through the flattened `attr_keys`/`attr_values` pairs.
import type { SearchPlan, SearchTerm } from '../../model/search-plan.js';
import { MAX_TIME_US } from '../checks.js';
import { StoreError } from '../errors.js';
import { levelSeverities } from '../levels.js';
import { MAX_TOKEN_LENGTH, valueTokens } from '../tokens.js';
import { HAS } from './encode.js';
import { str, strList } from './sql.js';

/** What compiling needs from the store: the traces a `trace:` value may stand for (itself, aliases, legacy hash). */
export type TraceExpander = (value: string) => string[];

export interface CompiledPlan {
  /** No row can match. */
  impossible: boolean;
  /** Conditions joined with AND (empty: every row). */
  where: string[];
}

const NEVER = undefined;

export function compilePlan(plan: SearchPlan, traces: TraceExpander): CompiledPlan {
  const where: string[] = [];
  let impossible = false;
  for (const group of plan.all ?? []) {
    const terms = group.map((term) => compileTerm(term, traces)).filter((sql): sql is string => sql !== NEVER);
    if (terms.length === 0) impossible = true;
    else where.push(terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`);
  }
  const none = (plan.none ?? []).map((term) => compileTerm(term, traces)).filter((sql): sql is string => sql !== NEVER);
  if (none.length > 0) where.push(`NOT (${none.join(' OR ')})`);
  const from = plan.from ?? -MAX_TIME_US;
  const to = plan.to ?? MAX_TIME_US;
  if (typeof from !== 'number' || typeof to !== 'number' || Number.isNaN(from) || Number.isNaN(to)) {
    throw new StoreError('STORE_BAD_QUERY', 'from and to must be µs since the epoch');
  }
  const low = Math.max(-MAX_TIME_US, Math.ceil(from));
  const high = Math.min(MAX_TIME_US, Math.floor(to));
  if (low > high) impossible = true;
  if (plan.from !== undefined) where.push(`time >= ${low}`);
  if (plan.to !== undefined) where.push(`time <= ${high}`);
  return { impossible, where };
}

/** The trace values a plan's exact `trace:` terms name (for looking up their aliases first). */
export function traceValues(plan: SearchPlan): string[] {
  const out = new Set<string>();
  for (const term of [...(plan.all ?? []).flat(), ...(plan.none ?? [])]) {
    if (String(term.field) === 'trace' && term.match !== 'prefix' && Array.isArray(term.values)) for (const v of term.values) out.add(String(v).trim());
  }
  return [...out];
}

/** SQL for one term, or NEVER when no value of it can hold. */
function compileTerm(term: SearchTerm, traces: TraceExpander): string | undefined {
  const values = Array.isArray(term.values) ? term.values.map(String) : [];
  const prefix = term.match === 'prefix';
  const field = String(term.field);
  switch (field) {
    case 'msg':
      return msgTerm(values, prefix);
    case 'service':
      return nameTerm('service', HAS.service, values, prefix);
    case 'host':
      return nameTerm('host', HAS.host, values, prefix);
    case 'level':
      return levelTerm(values, prefix);
    case 'trace':
      return idTerm('trace_id', HAS.trace, prefix ? values : [...new Set(values.flatMap((v) => traces(v)))], prefix);
    case 'span':
      return idTerm('span_id', HAS.span, values, prefix);
    default:
      if (field.startsWith('attr.') && field.length > 5) return attrTerm(field.slice(5), values, prefix);
      throw new StoreError('STORE_BAD_QUERY', `unknown search field ${JSON.stringify(field)}: use msg, service, level, host, trace, span or attr.NAME`);
  }
}

function anyOf(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function msgTerm(values: string[], prefix: boolean): string | undefined {
  const alternatives = values.map(valueTokens).filter((tokens) => tokens.length > 0);
  if (alternatives.length === 0) return NEVER;
  return anyOf(
    alternatives.map((tokens) => {
      const whole: string[] = [];
      const starts: string[] = [];
      tokens.forEach((token, i) => {
        // A token cut at MAX_TOKEN_LENGTH stands for every token that starts with it (as stored).
        if ((prefix && i === tokens.length - 1) || token.length >= MAX_TOKEN_LENGTH) starts.push(`arrayExists(x -> startsWith(x, ${str(token)}), tokens)`);
        else whole.push(token);
      });
      const parts = [...(whole.length === 0 ? [] : [whole.length === 1 ? `has(tokens, ${str(whole[0]!)})` : `hasAll(tokens, [${strList(whole)}])`]), ...starts];
      return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
    }),
  );
}

function present(bit: number): string {
  return `bitAnd(presence, ${bit}) != 0`;
}

function nameTerm(column: string, bit: number, values: string[], prefix: boolean): string | undefined {
  if (values.length === 0) return NEVER;
  const match = prefix ? anyOf(values.map((v) => `startsWith(${column}, ${str(v)})`)) : `${column} IN (${strList(values)})`;
  return `(${present(bit)} AND ${match})`;
}

function levelTerm(values: string[], prefix: boolean): string | undefined {
  const severities = levelSeverities(values, prefix);
  if (severities.length === 0) return NEVER;
  return `severity IN (${severities.join(', ')})`;
}

function idTerm(column: string, bit: number, values: string[], prefix: boolean): string | undefined {
  const wanted = [...new Set(values.map((v) => v.trim().toLowerCase()))];
  if (wanted.length === 0) return NEVER;
  const match = prefix ? anyOf(wanted.map((w) => `startsWith(${column}, ${str(w)})`)) : `${column} IN (${strList(wanted)})`;
  return `(${present(bit)} AND ${match})`;
}

function attrTerm(name: string, values: string[], prefix: boolean): string | undefined {
  if (values.length === 0) return NEVER;
  const match = prefix ? anyOf(values.map((value) => `startsWith(v, ${str(value)})`)) : `v IN (${strList(values)})`;
  return `arrayExists((k, v) -> k = ${str(name)} AND ${match}, attr_keys, attr_values)`;
}
