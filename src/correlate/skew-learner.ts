// Learns each clock's offset across many traces from where server spans sit inside their client spans.
import type { Span } from '../model/records.js';
import { BoundedMap } from './bounded-map.js';
import { CorrelateError } from './errors.js';
import { robustOffset, type Interval, type RobustEstimate } from './skew-robust.js';
import { spanClock, type ClockBy, type OffsetSource } from './types.js';

export interface SkewLearnerOptions {
  /** Observations kept per pair of clocks (the newest; older ones age out so drift is followed). Default 256. */
  maxObservations?: number;
  /** Fewer observations than this and `relative` still answers, but callers treat it as unlearned. Default 5. */
  minSamples?: number;
  /** The clock that reads 0; default: the one with the most observations. */
  reference?: string;
  clockBy?: ClockBy;
  /** Parent/child pairs remembered so observing the same trace twice counts once. Default 100,000. */
  memory?: number;
}

/** What to persist: plain JSON. */
export interface SkewState {
  version: 1;
  clockBy: ClockBy;
  reference?: string;
  /** For each pair of clocks a < b: observed intervals [lo, hi] for offset(b) − offset(a), oldest first (µs). */
  edges: { a: string; b: string; observations: [number, number][] }[];
}

class Edge {
  readonly observations: Interval[] = [];
  private next = 0;
  private cached: RobustEstimate | undefined | null = null;

  constructor(private readonly max: number) {}

  add(o: Interval): void {
    if (this.observations.length < this.max) this.observations.push(o);
    else {
      this.observations[this.next] = o;
      this.next = (this.next + 1) % this.max;
    }
    this.cached = null;
  }

  /** Oldest first. */
  ordered(): Interval[] {
    return [...this.observations.slice(this.next), ...this.observations.slice(0, this.next)];
  }

  estimate(): RobustEstimate | undefined {
    if (this.cached === null) this.cached = robustOffset(this.observations);
    return this.cached;
  }
}

function rawStart(span: Span): number {
  const raw = (span as { rawStart?: unknown }).rawStart;
  return typeof raw === 'number' ? raw : span.start;
}

interface Solved {
  offsets: Map<string, { us: number; samples: number; component: string }>;
}

export class SkewLearner implements OffsetSource {
  private readonly edges = new Map<string, Edge>();
  private readonly seen: BoundedMap<string, true>;
  private solved: Solved | undefined;
  readonly clockBy: ClockBy;
  readonly minSamples: number;
  private readonly maxObservations: number;
  private readonly preferred: string | undefined;

  constructor(options: SkewLearnerOptions = {}) {
    this.clockBy = options.clockBy ?? 'service';
    this.minSamples = options.minSamples ?? 5;
    this.maxObservations = options.maxObservations ?? 256;
    this.preferred = options.reference;
    this.seen = new BoundedMap(options.memory ?? 100_000);
  }

  /**
   * Reads one trace's spans (received and derived, with parents): each server span whose parent is a
   * client span on another clock is one observation. Derived spans whose parent was only guessed to be
   * the root teach nothing. A view's spans may be passed as they are: their `rawStart` is used. Returns
   * how many observations were added.
   */
  observe(spans: readonly Span[]): number {
    const byId = new Map<string, Span>();
    for (const s of spans) byId.set(s.spanId, s);
    let added = 0;
    for (const child of spans) {
      if (child.kind !== 'server' || child.parentSpanId === undefined) continue;
      if ((child as { parentBy?: string }).parentBy === 'root') continue;
      const parent = byId.get(child.parentSpanId);
      if (parent === undefined || parent.kind !== 'client') continue;
      const pk = spanClock(parent, this.clockBy);
      const ck = spanClock(child, this.clockBy);
      if (pk === ck) continue;
      const pair = `${child.traceId}/${parent.spanId}/${child.spanId}`;
      if (this.seen.peek(pair) !== undefined) continue;
      this.seen.set(pair, true);
      // A view's spans carry corrected starts; learning from those would learn the correction back as 0.
      const ps = rawStart(parent);
      const cs = rawStart(child);
      const lo = ps - cs;
      const hi = ps + parent.duration - (cs + child.duration);
      this.add(pk, ck, { lo, hi });
      added++;
    }
    return added;
  }

  /** Adds offset(child) − offset(parent) ∈ [lo, hi]. */
  private add(parent: string, child: string, o: Interval): void {
    const [a, b, interval] = parent < child ? [parent, child, o] : [child, parent, { lo: -o.hi, hi: -o.lo }];
    const key = `${a}\u0000${b}`;
    let edge = this.edges.get(key);
    if (edge === undefined) this.edges.set(key, (edge = new Edge(this.maxObservations)));
    edge.add(interval);
    this.solved = undefined;
  }

  /** Every clock seen. */
  clocks(): string[] {
    const set = new Set<string>();
    for (const key of this.edges.keys()) for (const c of key.split('\u0000')) set.add(c);
    return [...set].sort();
  }

  /** The clock offsets are measured against (in its part of the graph). */
  reference(clock?: string): string | undefined {
    const solved = this.solve();
    if (clock !== undefined) return solved.offsets.get(clock)?.component;
    if (this.preferred !== undefined && solved.offsets.has(this.preferred)) return this.preferred;
    return solved.offsets.values().next().value?.component;
  }

  /**
   * µs to add to this clock's timestamps to read them on the reference clock, and the fewest
   * observations on the chain of clock pairs behind it; undefined for a clock never observed.
   */
  offset(clock: string): { us: number; samples: number } | undefined {
    const o = this.solve().offsets.get(clock);
    return o === undefined ? undefined : { us: o.us, samples: o.samples };
  }

  relative(child: string, parent: string): { us: number; samples: number } | undefined {
    if (child === parent) return { us: 0, samples: Number.MAX_SAFE_INTEGER };
    const offsets = this.solve().offsets;
    const c = offsets.get(child);
    const p = offsets.get(parent);
    if (c === undefined || p === undefined || c.component !== p.component) return undefined;
    return { us: c.us - p.us, samples: Math.min(c.samples, p.samples) };
  }

  /**
   * Offsets from pairwise estimates: from each part's reference (the preferred clock, else the one with
   * the most observations), along the best-observed pairs first (a maximum spanning tree), so a pair
   * seen once does not override a chain seen a thousand times.
   */
  private solve(): Solved {
    if (this.solved !== undefined) return this.solved;
    const adjacent = new Map<string, { to: string; us: number; samples: number }[]>();
    const weight = new Map<string, number>();
    for (const [key, edge] of this.edges) {
      const e = edge.estimate();
      if (e === undefined || e.samples === 0) continue;
      const [a, b] = key.split('\u0000') as [string, string];
      (adjacent.get(a) ?? adjacent.set(a, []).get(a)!).push({ to: b, us: e.us, samples: e.samples });
      (adjacent.get(b) ?? adjacent.set(b, []).get(b)!).push({ to: a, us: -e.us, samples: e.samples });
      weight.set(a, (weight.get(a) ?? 0) + e.samples);
      weight.set(b, (weight.get(b) ?? 0) + e.samples);
    }
    const offsets: Solved['offsets'] = new Map();
    const order = [...weight.keys()].sort((x, y) => (x === this.preferred ? -1 : y === this.preferred ? 1 : weight.get(y)! - weight.get(x)! || (x < y ? -1 : 1)));
    for (const start of order) {
      if (offsets.has(start)) continue;
      offsets.set(start, { us: 0, samples: Number.MAX_SAFE_INTEGER, component: start });
      // Prim's algorithm on observation counts; components are small (one node per clock).
      for (;;) {
        let best: { from: string; to: string; us: number; samples: number } | undefined;
        for (const [node, o] of offsets) {
          if (o.component !== start) continue;
          for (const e of adjacent.get(node) ?? []) {
            if (offsets.has(e.to)) continue;
            if (best === undefined || e.samples > best.samples) best = { from: node, ...e };
          }
        }
        if (best === undefined) break;
        const from = offsets.get(best.from)!;
        offsets.set(best.to, { us: from.us + best.us, samples: Math.min(from.samples, best.samples), component: start });
      }
    }
    this.solved = { offsets };
    return this.solved;
  }

  toJSON(): SkewState {
    const edges: SkewState['edges'] = [];
    for (const [key, edge] of this.edges) {
      const [a, b] = key.split('\u0000') as [string, string];
      edges.push({ a, b, observations: edge.ordered().map((o) => [o.lo, o.hi]) });
    }
    const state: SkewState = { version: 1, clockBy: this.clockBy, edges };
    if (this.preferred !== undefined) state.reference = this.preferred;
    return state;
  }

  /** A learner from persisted state; a state that is not one is a CorrelateError (SKEW_STATE_INVALID). */
  static fromJSON(state: unknown, options: Omit<SkewLearnerOptions, 'clockBy'> = {}): SkewLearner {
    const fail = (what: string): never => {
      throw new CorrelateError('SKEW_STATE_INVALID', `Clock-skew state is not usable: ${what}. Delete it to start learning afresh.`);
    };
    if (typeof state !== 'object' || state === null) return fail('it is not an object');
    const s = state as Partial<SkewState>;
    if (s.version !== 1) return fail(`version ${String(s.version)} is not 1`);
    if (s.clockBy !== 'service' && s.clockBy !== 'host') return fail('clockBy must be "service" or "host"');
    if (!Array.isArray(s.edges)) return fail('edges must be an array');
    const reference = options.reference ?? (typeof s.reference === 'string' ? s.reference : undefined);
    const learner = new SkewLearner({ ...options, clockBy: s.clockBy, ...(reference !== undefined ? { reference } : {}) });
    s.edges.forEach((edge, i) => {
      if (typeof edge !== 'object' || edge === null || typeof edge.a !== 'string' || typeof edge.b !== 'string' || !(edge.a < edge.b)) {
        fail(`edges[${i}] needs clock names a < b`);
      }
      if (!Array.isArray(edge.observations)) fail(`edges[${i}].observations must be an array`);
      edge.observations.forEach((o, j) => {
        if (!Array.isArray(o) || o.length !== 2 || !Number.isFinite(o[0]) || !Number.isFinite(o[1])) fail(`edges[${i}].observations[${j}] must be [lo, hi] in µs`);
        learner.add(edge.a, edge.b, { lo: o[0], hi: o[1] });
      });
    });
    return learner;
  }
}
