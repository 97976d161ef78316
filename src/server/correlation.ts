// The correlation engine wired to a store: metrics derived at ingest, clock offsets learned from the
// spans stored, and the stitched trace view the API answers with (and pages of the lines it left out).
import { performance } from 'node:perf_hooks';
import { BoundedMap } from '../correlate/bounded-map.js';
import { analyzeTrace, MetricsRollup, SkewLearner, totalsByService, windowFigures, type PageOptions, type TraceAnalysis } from '../correlate/index.js';
import { traceIdFromLegacy } from '../model/ids.js';
import type { MinuteRollup } from '../model/metrics.js';
import type { LogRecord, Span } from '../model/records.js';
import { lineArray, type LineList } from '../model/line-list.js';
import type { Store, StoredAliasLink, StoredLog, TraceOfLines } from '../store/types.js';
import { RollupWindows } from './rollup-windows.js';
import { apiTraceLogs, apiTraceView, type ApiTraceLogs, type ApiTraceView } from './trace-view.js';

/** How many trace IDs one view may stitch together through aliases: a guard against IDs reused everywhere. */
export const MAX_STITCHED_TRACES = 32;
/** Lines and spans read per trace ID; past it the view says it is truncated. */
export const TRACE_RECORD_LIMIT = 50_000;
/** How far around a trace the services' error rates and p95 reach. */
const STATS_WINDOW_US = 15 * 60 * 1_000_000;
/** How far back the skew learner reads spans when the indexer starts. */
const LEARN_BACKLOG_US = 60 * 60 * 1_000_000;
/** Spans arriving later than this after they started are not learned from by the background pass. */
const LEARN_LAG_US = 30 * 1_000_000;
const MAX_LEARN_SPANS = 200_000;
/**
 * Lines one trace view carries unless asked otherwise: a trace up to this size comes whole; a larger one
 * brings each span's first lines and every error line, and GET /api/traces/:id/logs pages in the rest.
 */
export const VIEW_LOG_LIMIT = 2000;
/** How long a view's lines are kept for paging (µs): the pages continue the view the reader has open. */
export const VIEW_KEPT_US = 60 * 1_000_000;
/** Views kept for paging at once. */
const MAX_KEPT_VIEWS = 8;

/** A built view, kept so its pages match what the reader was shown. */
interface KeptView {
  at: number;
  analysis: TraceAnalysis<StoredLog>;
  traceIds: string[];
  links: StoredAliasLink[];
  limitReached: boolean;
}

export interface CorrelatorOptions {
  store: Store;
  /** µs since the epoch; tests pass their own clock. */
  now?: () => number;
}

export class Correlator {
  readonly skew = new SkewLearner();
  private readonly rollup = new MetricsRollup();
  private readonly store: Store;
  private readonly now: () => number;
  private learnedUpTo: number | undefined;
  private p99s = new Map<string, number>();
  private readonly windows: RollupWindows;
  private readonly kept = new BoundedMap<string, KeptView>(MAX_KEPT_VIEWS);

  constructor(options: CorrelatorOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => Date.now() * 1000);
    this.windows = new RollupWindows(this.store, this.now);
  }

  /** A batch's metrics, before anything is sampled away: per service and minute. */
  rollups(logs: readonly LogRecord[], spans: readonly Span[]): MinuteRollup[] {
    return this.rollup.rollupBatch({ logs, spans });
  }

  /**
   * Reads the spans stored since the last pass (the last hour on the first) and learns clock offsets from
   * their parent/child pairs. Returns how many observations it added.
   */
  async learn(): Promise<number> {
    const to = this.now() - LEARN_LAG_US;
    const from = this.learnedUpTo ?? to - LEARN_BACKLOG_US;
    if (to <= from) return 0;
    const spans = await this.store.spans({ from, to, limit: MAX_LEARN_SPANS });
    this.learnedUpTo = spans.length === MAX_LEARN_SPANS ? spans[spans.length - 1]!.start : to;
    const byTrace = new Map<string, Span[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    let added = 0;
    for (const group of byTrace.values()) added += this.skew.observe(group);
    return added;
  }

  /** A service's p99 request duration over the last hour (µs), as of the last refresh; for tail sampling. */
  p99Of(service: string): number | undefined {
    return this.p99s.get(service);
  }

  /** Re-reads each service's p99 over the last hour from the rollups. */
  async refreshP99(): Promise<void> {
    const to = this.now();
    const rows = await this.store.rollups({ from: to - 60 * 60 * 1_000_000, to });
    const next = new Map<string, number>();
    for (const [service, figures] of totalsByService(rows)) if (figures.p99 !== null) next.set(service, figures.p99);
    this.p99s = next;
  }

  /**
   * The trace that an ID or alias names, stitched with every trace its aliases join, as the API shows it,
   * with at most `logLimit` lines (default VIEW_LOG_LIMIT; Infinity for all). Always built afresh.
   */
  async traceView(idOrAlias: string, options: { logLimit?: number; timings?: Record<string, number> } = {}): Promise<ApiTraceView | undefined> {
    const built = await this.build(idOrAlias, options.logLimit ?? VIEW_LOG_LIMIT, options.timings);
    if (built === undefined) return undefined;
    const started = performance.now();
    const answer = apiTraceView(built.analysis.view, built);
    if (options.timings !== undefined) options.timings['api-shape'] = performance.now() - started;
    return answer;
  }

  /**
   * A page of a trace's lines in time order (all of them, or one span's): from the view last built for
   * this ID within VIEW_KEPT_US, so pages complete the view the reader has; else from a new one.
   */
  async traceLogs(idOrAlias: string, page: PageOptions): Promise<ApiTraceLogs | undefined> {
    let kept = this.kept.touch(idOrAlias);
    if (kept === undefined || this.now() - kept.at > VIEW_KEPT_US) kept = await this.build(idOrAlias, 0);
    if (kept === undefined) return undefined;
    return apiTraceLogs(kept.analysis.view.traceId, page.spanId, kept.analysis.lines.page(page));
  }

  /** Builds the view and keeps it for paging; `timings` gets the ms of the store reads and of each phase. */
  private async build(idOrAlias: string, logLimit: number, timings?: Record<string, number>): Promise<KeptView | undefined> {
    const started = performance.now();
    const stitched = await stitch(this.store, idOrAlias);
    if (stitched === undefined) return undefined;
    const { input, links, traceIds, truncated } = stitched;
    const window = traceWindow(input);
    const read = performance.now();
    const rows = window === undefined ? [] : await this.windows.read(window.from - STATS_WINDOW_US, window.to + STATS_WINDOW_US);
    if (timings !== undefined) {
      timings.store = read - started;
      timings.rollups = performance.now() - read;
    }
    const analysis = analyzeTrace(input, {
      ...(timings !== undefined ? { timings } : {}),
      learner: this.skew,
      statsWindowUs: STATS_WINDOW_US,
      ...(Number.isFinite(logLimit) ? { logLimit } : {}),
      serviceStats: (service, from, to) => {
        const f = windowFigures(rows, service, from, to);
        return { requests: f.requests, errors: f.errors, errorRate: f.errorRate, p95: f.p95 };
      },
    });
    // Learn from this trace's pairs, derived spans included (observe reads their raw, unadjusted times).
    const learning = performance.now();
    this.skew.observe(analysis.view.spans);
    if (timings !== undefined) timings.learn = performance.now() - learning;
    const kept: KeptView = { at: this.now(), analysis, traceIds, links, limitReached: truncated };
    // Kept for paging when the view left lines out (a whole view has nothing to page in).
    for (const key of new Set([idOrAlias, analysis.view.traceId])) {
      if (analysis.view.logsOmitted > 0 || logLimit === 0) this.kept.set(key, kept);
      else this.kept.delete(key);
    }
    return kept;
  }
}

interface Stitched {
  input: { traceId: string; aliases: string[]; logs: LineList<StoredLog>; spans: Span[] };
  traceIds: string[];
  links: StoredAliasLink[];
  /** Some records (or some stitched traces) were left out at the limits. */
  truncated: boolean;
}

/**
 * Follows the alias graph from one trace: an alias joins every trace linked to it and the trace its
 * legacy value maps to (the lines of a service that logged only that value). Bounded by MAX_STITCHED_TRACES.
 */
export async function stitch(store: Store, idOrAlias: string): Promise<Stitched | undefined> {
  // The lines left in the store's columns where it can (records are made only for the lines sent).
  const read = (id: string) => (store.traceOfLines !== undefined ? store.traceOfLines(id, { limit: TRACE_RECORD_LIMIT }) : store.trace(id, { limit: TRACE_RECORD_LIMIT }));
  const first = await read(idOrAlias);
  if (first === undefined) return undefined;
  const found = new Map<string, TraceOfLines>([[first.traceId, first]]);
  const links = new Map<string, StoredAliasLink>();
  const aliasesSeen = new Set<string>();
  let frontier = [first.traceId];
  while (frontier.length > 0 && found.size < MAX_STITCHED_TRACES) {
    // A trace's own answer lists its aliases: with none, it has no links, and the store need not be asked
    // (most traces; a round trip saved on every lookup).
    const linked = frontier.some((id) => (found.get(id)?.aliases.length ?? 0) > 0);
    const fromTraces = linked ? await store.aliasLinks({ traceIds: frontier }, 1000) : [];
    const aliases = [...new Set(fromTraces.map((l) => l.alias))].filter((a) => !aliasesSeen.has(a));
    aliases.forEach((a) => aliasesSeen.add(a));
    const fromAliases = aliases.length === 0 ? [] : await store.aliasLinks({ aliases }, 1000);
    for (const l of [...fromTraces, ...fromAliases]) links.set(`${l.alias}/${l.traceId}`, l);
    const candidates = new Set([...fromAliases.map((l) => l.traceId), ...aliases.flatMap((a) => traceIdFromLegacy(a)?.traceId ?? [])]);
    frontier = [];
    for (const id of candidates) {
      if (found.has(id) || found.size >= MAX_STITCHED_TRACES) continue;
      const trace = await read(id);
      if (trace === undefined) continue;
      found.set(trace.traceId, trace);
      frontier.push(trace.traceId);
    }
  }
  const traces = [...found.values()];
  const aliases = [...new Set(traces.flatMap((t) => t.aliases))].sort();
  return {
    input: { traceId: first.traceId, aliases, ...merged(traces) },
    traceIds: traces.map((t) => t.traceId),
    links: [...links.values()],
    truncated: traces.some((t) => t.logs.length >= TRACE_RECORD_LIMIT || t.spans.length >= TRACE_RECORD_LIMIT) || found.size >= MAX_STITCHED_TRACES,
  };
}

/**
 * The traces' lines in time order and spans in start order, each span ID once. One trace is taken as the
 * store gave it (already in that order): copying and re-sorting 20,000 lines is not free.
 */
function merged(traces: readonly TraceOfLines[]): { logs: LineList<StoredLog>; spans: Span[] } {
  if (traces.length === 1) return { logs: traces[0]!.logs, spans: traces[0]!.spans };
  const spans = new Map<string, Span>();
  for (const t of traces) for (const s of t.spans) if (!spans.has(s.spanId)) spans.set(s.spanId, s);
  return { logs: traces.flatMap((t) => lineArray(t.logs)).sort((a, b) => a.time - b.time), spans: [...spans.values()].sort((a, b) => a.start - b.start) };
}

function traceWindow(input: Stitched['input']): { from: number; to: number } | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const s of input.spans) (from = Math.min(from, s.start)), (to = Math.max(to, s.start + s.duration));
  // Lines are in time order: the first and the last bound them.
  const n = input.logs.length;
  if (n > 0) (from = Math.min(from, input.logs.at(0)!.time)), (to = Math.max(to, input.logs.at(n - 1)!.time));
  return Number.isFinite(from) ? { from, to } : undefined;
}
