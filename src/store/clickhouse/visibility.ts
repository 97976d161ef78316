// Which appends' rows reads must not see: those not committed yet (in progress, or cut short by a crash),
// and, for a batch ID two appends raced on, every committed append but the winner. This is what makes a
// retried or raced batch appear once without transactions: rows are written first, made visible last.
// The set is small and read in one query; it is kept for `maxAgeMs` (so a read costs one round trip, and
// on a cluster no distributed subquery), and refreshed at once after this store's own commits.
import type { Connection } from './connection.js';
import type { Layout } from './schema.js';

export class Hidden {
  private attempts: ReadonlySet<string> = new Set();
  private loadedAt = -Infinity;
  private loading: Promise<boolean> | undefined;
  private generation = 0;
  /** This store's own appends in progress: hidden at once, whatever the cached set says. */
  private readonly local = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
    private readonly maxAgeMs: number,
  ) {}

  /** Appends this store is about to write: hidden at once, until settled. */
  begin(attempts: readonly string[]): void {
    for (const a of attempts) this.local.add(a);
  }

  /**
   * Appends this store finished, committed or failed: the next read loads the set again, and the tables
   * say which are hidden (a failed one whose claim was written stays marked in progress there).
   */
  settled(attempts: readonly string[]): void {
    for (const a of attempts) this.local.delete(a);
    this.generation++;
    this.loadedAt = -Infinity;
  }

  /** ` AND attempt NOT IN (…)` for a WHERE clause, or nothing when every append is visible. */
  async where(column = 'attempt'): Promise<string> {
    const attempts = new Set([...(await this.current()), ...this.local]);
    return attempts.size === 0 ? '' : ` AND ${column} NOT IN (${[...attempts].join(', ')})`;
  }

  private async current(): Promise<ReadonlySet<string>> {
    if (performance.now() - this.loadedAt <= this.maxAgeMs) return this.attempts;
    // A load that overlapped one of this store's commits may miss it: then load again (a few times at most).
    for (let tries = 0; tries < 3; tries++) {
      this.loading ??= this.load().finally(() => (this.loading = undefined));
      if (await this.loading) break;
    }
    return this.attempts;
  }

  /** Loads the set; false when a commit of this store overlapped the load. */
  private async load(): Promise<boolean> {
    const generation = this.generation;
    const started = performance.now();
    const t = (name: Parameters<Layout['table']>[0]) => this.layout.table(name);
    const [pending, raced] = await Promise.all([
      this.connection.rows<{ a: string }>(`SELECT toString(attempt) AS a FROM ${t('pending')} GROUP BY attempt HAVING sum(sign) > 0`, 'reading appends in progress'),
      this.connection.rows<{ b: string; a: string }>(
        `SELECT batch_id AS b, toString(attempt) AS a FROM ${t('batches')} WHERE batch_id ${this.layout.inSub} (SELECT batch_id FROM ${t('contested')})`,
        'reading raced batch IDs',
      ),
    ]);
    const hidden = new Set(pending.map((r) => r.a));
    // The winner of a raced batch ID is its lowest committed attempt not still marked in progress (a crash
    // can leave a committed attempt's -1 missing until a retry repairs it; the other copy shows meanwhile).
    const winner = new Map<string, bigint>();
    for (const r of raced) {
      if (hidden.has(r.a)) continue;
      const attempt = BigInt(r.a);
      const best = winner.get(r.b);
      if (best === undefined || attempt < best) winner.set(r.b, attempt);
    }
    for (const r of raced) if (BigInt(r.a) !== winner.get(r.b)) hidden.add(r.a);
    this.attempts = hidden;
    if (generation !== this.generation) return false;
    this.loadedAt = started;
    return true;
  }
}
