// Tail-sampling policies: what makes a whole trace worth keeping, in the spirit of the Collector's tail_sampling.
import type { LogRecord, Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { CorrelateError } from './errors.js';

/**
 * - `error`: a span with status error or HTTP status ≥ 500, or (unless `logs: false`) an error-level log
 *   line — the Collector's status_code policy looks at spans only;
 * - `latency`: the trace (earliest start to latest end) lasted at least `thresholdMs`;
 * - `slower-than-p99`: a server span took longer than its service's p99 (from the `p99` dependency);
 * - `probabilistic`: `percentage` of traces, decided on the trace ID so every indexer agrees;
 * - `always`: everything (for testing a pipeline).
 * A trace is kept when any policy says so.
 */
export type TailPolicy =
  | { type: 'error'; name?: string; logs?: boolean }
  | { type: 'latency'; name?: string; thresholdMs: number }
  | { type: 'slower-than-p99'; name?: string }
  | { type: 'probabilistic'; name?: string; percentage: number }
  | { type: 'always'; name?: string };

export const DEFAULT_TAIL_POLICIES: readonly TailPolicy[] = [
  { type: 'error' },
  { type: 'latency', thresholdMs: 5000 },
  { type: 'slower-than-p99' },
  { type: 'probabilistic', percentage: 10 },
];

/** What the policies read of a held trace. */
export interface HeldTrace {
  traceId: string;
  spans: readonly Span[];
  logs: readonly LogRecord[];
}

export type P99Of = (service: string) => number | undefined;

export function policyName(p: TailPolicy): string {
  return p.name ?? p.type;
}

/** Checks policies from configuration; a bad one is a CorrelateError naming it and what to write. */
export function checkPolicies(policies: unknown): TailPolicy[] {
  const fail = (i: number, what: string): never => {
    throw new CorrelateError('SAMPLER_CONFIG_INVALID', `Tail-sampling policy ${i}: ${what}.`);
  };
  if (!Array.isArray(policies)) throw new CorrelateError('SAMPLER_CONFIG_INVALID', 'Tail-sampling policies must be a list, e.g. [{"type":"error"},{"type":"probabilistic","percentage":10}].');
  return policies.map((p: unknown, i): TailPolicy => {
    if (typeof p !== 'object' || p === null) return fail(i, 'must be an object with a type');
    const q = p as Record<string, unknown>;
    if (q.name !== undefined && typeof q.name !== 'string') fail(i, 'name must be text');
    switch (q.type) {
      case 'error':
        if (q.logs !== undefined && typeof q.logs !== 'boolean') fail(i, 'logs must be true or false');
        return q as TailPolicy;
      case 'latency':
        if (typeof q.thresholdMs !== 'number' || !(q.thresholdMs >= 0)) fail(i, 'latency needs thresholdMs, a number of milliseconds ≥ 0');
        return q as TailPolicy;
      case 'probabilistic':
        if (typeof q.percentage !== 'number' || !(q.percentage >= 0 && q.percentage <= 100)) fail(i, 'probabilistic needs percentage between 0 and 100');
        return q as TailPolicy;
      case 'slower-than-p99':
      case 'always':
        return q as TailPolicy;
      default:
        return fail(i, `unknown type ${JSON.stringify(q.type)}; the types are error, latency, slower-than-p99, probabilistic, always`);
    }
  });
}

/** The low 52 bits of the trace ID against the ratio: the same answer for the same trace everywhere. */
export function sampledByTraceId(traceId: string, percentage: number): boolean {
  if (percentage >= 100) return true;
  if (!(percentage > 0)) return false;
  const low = Number.parseInt(traceId.slice(-13), 16);
  return Number.isFinite(low) && low < (percentage / 100) * 2 ** 52;
}

function httpStatus(span: Span): number | undefined {
  const v = span.attributes?.['http.status_code'] ?? span.attributes?.['http.response.status_code'];
  return typeof v === 'number' ? v : undefined;
}

function traceDurationUs(t: HeldTrace): number {
  let start = Infinity;
  let end = -Infinity;
  for (const s of t.spans) {
    if (s.start < start) start = s.start;
    if (s.start + s.duration > end) end = s.start + s.duration;
  }
  if (t.spans.length === 0) {
    for (const l of t.logs) {
      if (l.time < start) start = l.time;
      if (l.time > end) end = l.time;
    }
  }
  return end > start ? end - start : 0;
}

export function policyMatches(p: TailPolicy, t: HeldTrace, p99Of: P99Of | undefined): boolean {
  switch (p.type) {
    case 'error':
      return t.spans.some((s) => s.status === 'error' || (httpStatus(s) ?? 0) >= 500) || (p.logs !== false && t.logs.some((l) => isErrorSeverity(l.severityNumber)));
    case 'latency':
      return traceDurationUs(t) >= p.thresholdMs * 1000;
    case 'slower-than-p99':
      return (
        p99Of !== undefined &&
        t.spans.some((s) => {
          if (s.kind !== 'server' || s.service === undefined) return false;
          const p99 = p99Of(s.service);
          return p99 !== undefined && s.duration > p99;
        })
      );
    case 'probabilistic':
      return sampledByTraceId(t.traceId, p.percentage);
    case 'always':
      return true;
  }
}

/** The first policy that keeps the trace, or undefined to drop it. */
export function decide(policies: readonly TailPolicy[], t: HeldTrace, p99Of: P99Of | undefined): string | undefined {
  for (const p of policies) if (policyMatches(p, t, p99Of)) return policyName(p);
  return undefined;
}
