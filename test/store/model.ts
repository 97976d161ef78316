// The meaning of a SearchPlan, written plainly over an array: what every store's search must agree with.
import type { AttributeValue, LogRecord } from '../../src/model/records.js';
import type { SearchPlan, SearchTerm } from '../../src/model/search-plan.js';

const TOKEN_RE = /[\p{L}\p{N}]+/gu;
export const tokensOf = (text: string): string[] => text.toLowerCase().match(TOKEN_RE) ?? [];

const LEVELS: Record<string, [number, number]> = { trace: [1, 4], debug: [5, 8], info: [9, 12], warn: [13, 16], error: [17, 20], fatal: [21, 24] };

function attrText(value: AttributeValue | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => attrText(v));
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

function attribute(log: LogRecord, name: string): AttributeValue | undefined {
  const attrs = log.attributes;
  if (attrs === undefined) return undefined;
  if (Object.hasOwn(attrs, name)) return attrs[name];
  let at: AttributeValue | undefined = attrs;
  for (const part of name.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, AttributeValue>)[part];
  }
  return at;
}

export function termHolds(log: LogRecord, term: SearchTerm): boolean {
  const prefix = term.match === 'prefix';
  const eq = (have: string | undefined, want: string) => have !== undefined && (prefix ? have.startsWith(want) : have === want);
  return term.values.some((value) => {
    switch (term.field) {
      case 'msg': {
        const want = tokensOf(value);
        if (want.length === 0) return false;
        const have = new Set(tokensOf(log.body));
        const last = want.pop()!;
        return want.every((t) => have.has(t)) && (prefix ? [...have].some((t) => t.startsWith(last)) : have.has(last));
      }
      case 'service':
        return eq(log.service, value);
      case 'host':
        return eq(log.host, value);
      case 'level':
        return Object.entries(LEVELS).some(([name, [lo, hi]]) => (prefix ? name.startsWith(value) : name === value) && log.severityNumber >= lo && log.severityNumber <= hi);
      case 'trace':
        return eq(log.traceId, value.toLowerCase());
      case 'span':
        return eq(log.spanId, value.toLowerCase());
      default:
        return attrText(attribute(log, term.field.slice('attr.'.length))).some((text) => eq(text, value));
    }
  });
}

export function planHolds(log: LogRecord, plan: SearchPlan): boolean {
  if (plan.from !== undefined && log.time < plan.from) return false;
  if (plan.to !== undefined && log.time > plan.to) return false;
  return plan.all.every((group) => group.some((t) => termHolds(log, t))) && !plan.none.some((t) => termHolds(log, t));
}

/** The logs a search must return, newest first (the model's logs have distinct times). */
export function expectedSearch(logs: readonly LogRecord[], plan: SearchPlan): LogRecord[] {
  return logs.filter((l) => planHolds(l, plan)).sort((a, b) => b.time - a.time);
}
