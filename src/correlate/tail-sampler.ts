// Tail-based sampling: holds each trace until it has been quiet, then keeps or drops it whole, logs included.
import type { LogRecord, Span } from '../model/records.js';
import { BoundedMap } from './bounded-map.js';
import { CorrelateError } from './errors.js';
import { checkPolicies, decide, DEFAULT_TAIL_POLICIES, type P99Of, type TailPolicy } from './tail-policies.js';
import { UNKNOWN_SERVICE } from './types.js';

export interface TailSamplerConfig {
  /** Off by default: everything passes straight through (and is counted). */
  enabled?: boolean;
  /** A trace is decided once nothing new arrived for it for this long. Default 10 s. */
  decisionWaitMs?: number;
  /** Traces held at once; past it the least recently active are decided early. Default 50,000. */
  maxTraces?: number;
  /** Estimated bytes held at once; past it, as above. Default 256 MiB. */
  maxBytes?: number;
  /** Decisions remembered, so late records follow their trace's decision. Default 200,000. */
  decisionMemory?: number;
  /** …and for how long. Default 30 minutes. */
  decisionTtlMs?: number;
  policies?: TailPolicy[];
}

export interface TailSamplerDeps {
  /** Milliseconds; injectable so tests need not sleep. Default Date.now. */
  now?: () => number;
  /** A service's p99 request duration in µs, for the slower-than-p99 policy (read from the rollups). */
  p99?: P99Of;
}

export interface Released<L extends LogRecord> {
  logs: L[];
  spans: Span[];
}

interface Held<L extends LogRecord> {
  traceId: string;
  spans: Span[];
  logs: L[];
  bytes: number;
  lastSeen: number;
}

interface Count {
  observed: number;
  kept: number;
}

export interface TailSamplerStats {
  enabled: boolean;
  held: { traces: number; bytes: number };
  /** Traces decided (none are counted while sampling is off). */
  traces: { observed: number; kept: number; dropped: number };
  spans: Count;
  logs: Count;
  /** Traces decided before their wait because the limits were reached. */
  earlyDecisions: number;
  /** Records that arrived after their trace was decided, by what happened to them. */
  late: { kept: number; dropped: number };
  /** Kept traces by the policy that kept them. */
  keptBy: Record<string, number>;
  services: Record<string, { spans: Count; logs: Count }>;
}

/** A rough size of a record in memory: enough to bound what is held, cheap enough to run on every record. */
export function approxBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'object': {
      if (value === null) return 8;
      if (depth > 8) return 64;
      let n = 32;
      if (Array.isArray(value)) for (const v of value) n += approxBytes(v, depth + 1);
      else for (const k in value) n += 16 + 2 * k.length + approxBytes((value as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default:
      return 8;
  }
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new CorrelateError('SAMPLER_CONFIG_INVALID', `Tail sampling: ${what} must be a positive number (got ${String(value)}).`);
  }
  return value;
}

/**
 * Call `offer` with each batch before storing it and store what it returns; call `poll` every second or
 * so and store what it returns; call `flush` on shutdown. Metrics must be rolled up from the batch as
 * offered, before sampling, so error rates stay exact.
 */
export class TailSampler<L extends LogRecord = LogRecord> {
  private readonly enabled: boolean;
  private readonly wait: number;
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly ttl: number;
  private readonly policies: TailPolicy[];
  private readonly now: () => number;
  private readonly p99: P99Of | undefined;
  private readonly held = new Map<string, Held<L>>();
  private readonly decisions: BoundedMap<string, { keep: boolean; at: number }>;
  private heldBytes = 0;
  private readonly counts: Omit<TailSamplerStats, 'enabled' | 'held'> = {
    traces: { observed: 0, kept: 0, dropped: 0 },
    spans: { observed: 0, kept: 0 },
    logs: { observed: 0, kept: 0 },
    earlyDecisions: 0,
    late: { kept: 0, dropped: 0 },
    keptBy: {},
    services: {},
  };

  constructor(config: TailSamplerConfig = {}, deps: TailSamplerDeps = {}) {
    this.enabled = config.enabled === true;
    this.wait = positive(config.decisionWaitMs, 10_000, 'decisionWaitMs');
    this.maxTraces = positive(config.maxTraces, 50_000, 'maxTraces');
    this.maxBytes = positive(config.maxBytes, 256 * 1024 * 1024, 'maxBytes');
    this.ttl = positive(config.decisionTtlMs, 30 * 60_000, 'decisionTtlMs');
    this.decisions = new BoundedMap(positive(config.decisionMemory, 200_000, 'decisionMemory'));
    this.policies = config.policies === undefined ? [...DEFAULT_TAIL_POLICIES] : checkPolicies(config.policies);
    this.now = deps.now ?? Date.now;
    this.p99 = deps.p99;
  }

  private service(name: string | undefined): { spans: Count; logs: Count } {
    return (this.counts.services[name ?? UNKNOWN_SERVICE] ??= { spans: { observed: 0, kept: 0 }, logs: { observed: 0, kept: 0 } });
  }

  private release(out: Released<L>, spans: readonly Span[], logs: readonly L[]): void {
    for (const s of spans) {
      out.spans.push(s);
      this.counts.spans.kept++;
      this.service(s.service).spans.kept++;
    }
    for (const l of logs) {
      out.logs.push(l);
      this.counts.logs.kept++;
      this.service(l.service).logs.kept++;
    }
  }

  /** The decision made for a trace and still remembered. */
  decisionOf(traceId: string): 'keep' | 'drop' | undefined {
    const d = this.decisions.peek(traceId);
    if (d === undefined) return undefined;
    if (this.now() - d.at > this.ttl) {
      this.decisions.delete(traceId);
      return undefined;
    }
    return d.keep ? 'keep' : 'drop';
  }

  /** Takes a batch; returns what can be stored now (records of kept traces, records with no trace ID). */
  offer(batch: { logs: readonly L[]; spans: readonly Span[] }): Released<L> {
    const out: Released<L> = { logs: [], spans: [] };
    for (const s of batch.spans) {
      this.counts.spans.observed++;
      this.service(s.service).spans.observed++;
    }
    for (const l of batch.logs) {
      this.counts.logs.observed++;
      this.service(l.service).logs.observed++;
    }
    if (!this.enabled) {
      this.release(out, batch.spans, batch.logs);
      return out;
    }
    const now = this.now();
    const take = (traceId: string | undefined, span: Span | undefined, log: L | undefined): void => {
      if (traceId === undefined) return this.release(out, span ? [span] : [], log ? [log] : []);
      const decided = this.decisionOf(traceId);
      if (decided !== undefined) {
        if (decided === 'keep') this.release(out, span ? [span] : [], log ? [log] : []);
        this.counts.late[decided === 'keep' ? 'kept' : 'dropped']++;
        return;
      }
      let h = this.held.get(traceId);
      if (h === undefined) {
        h = { traceId, spans: [], logs: [], bytes: 0, lastSeen: now };
        this.counts.traces.observed++;
      }
      // Re-inserting keeps the map ordered by last activity, so the quietest trace is always first.
      this.held.delete(traceId);
      this.held.set(traceId, h);
      h.lastSeen = now;
      const bytes = approxBytes(span ?? log);
      h.bytes += bytes;
      this.heldBytes += bytes;
      if (span !== undefined) h.spans.push(span);
      if (log !== undefined) h.logs.push(log);
    };
    for (const s of batch.spans) take(s.traceId, s, undefined);
    for (const l of batch.logs) take(l.traceId, undefined, l);
    // One iterator for the whole loop: a fresh `values().next()` per decision would step again over every
    // slot the decisions before it left empty at the front of the Map (quadratic when the memory is full).
    const oldest = this.held.values();
    while (this.held.size > this.maxTraces || (this.heldBytes > this.maxBytes && this.held.size > 0)) {
      this.counts.earlyDecisions++;
      this.decideHeld(oldest.next().value!, out);
    }
    return out;
  }

  private decideHeld(h: Held<L>, out: Released<L>): void {
    this.held.delete(h.traceId);
    this.heldBytes -= h.bytes;
    const keptBy = decide(this.policies, h, this.p99);
    this.decisions.set(h.traceId, { keep: keptBy !== undefined, at: this.now() });
    if (keptBy === undefined) {
      this.counts.traces.dropped++;
      return;
    }
    this.counts.traces.kept++;
    this.counts.keptBy[keptBy] = (this.counts.keptBy[keptBy] ?? 0) + 1;
    this.release(out, h.spans, h.logs);
  }

  /** Decides every trace quiet for the decision wait; returns the records of those kept. */
  poll(): Released<L> {
    const out: Released<L> = { logs: [], spans: [] };
    const now = this.now();
    for (const h of this.held.values()) {
      if (now - h.lastSeen < this.wait) break;
      this.decideHeld(h, out);
    }
    return out;
  }

  /** Decides everything held (at shutdown); returns the records of traces kept. */
  flush(): Released<L> {
    const out: Released<L> = { logs: [], spans: [] };
    for (const h of [...this.held.values()]) this.decideHeld(h, out);
    return out;
  }

  stats(): TailSamplerStats {
    return { enabled: this.enabled, held: { traces: this.held.size, bytes: this.heldBytes }, ...structuredClone(this.counts) };
  }
}
