// The minute rollups trace views show beside a trace (each service's error rate and p95 around it), kept
// for a few seconds: lookups of traces from the same quarter hour — the usual case, the requests of the
// last minutes — share one store read instead of making one each.
import type { MinuteRollup } from '../model/metrics.js';
import type { Store } from '../store/types.js';

const MINUTE_US = 60_000_000;
/** How stale the figures beside a trace may be. */
export const ROLLUP_WINDOW_TTL_US = 10_000_000;
/** Minutes remembered at most (a day is 1,440); past it the memory starts over. */
const MAX_MINUTES = 20_000;

export class RollupWindows {
  private readonly minutes = new Map<number, { rows: MinuteRollup[]; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly ttlUs = ROLLUP_WINDOW_TTL_US,
  ) {}

  /** Rows of (at least) every minute starting in [from, to): remembered when all are fresh, else read whole. */
  async read(from: number, to: number): Promise<MinuteRollup[]> {
    const first = Math.ceil(from / MINUTE_US) * MINUTE_US;
    const span = Math.ceil((to - first) / MINUTE_US);
    if (span > MAX_MINUTES / 4) return this.store.rollups({ from, to });
    const cached = this.cached(first, to);
    if (cached !== undefined) return cached;
    const rows = await this.store.rollups({ from, to });
    if (this.minutes.size + span > MAX_MINUTES) this.minutes.clear();
    const at = this.now();
    for (let m = first; m < to; m += MINUTE_US) this.minutes.set(m, { rows: [], at });
    for (const r of rows) this.minutes.get(r.minute)?.rows.push(r);
    return rows;
  }

  private cached(first: number, to: number): MinuteRollup[] | undefined {
    const now = this.now();
    const out: MinuteRollup[] = [];
    for (let m = first; m < to; m += MINUTE_US) {
      const entry = this.minutes.get(m);
      if (entry === undefined || now - entry.at > this.ttlUs) return undefined;
      for (const r of entry.rows) out.push(r);
    }
    return out;
  }
}
