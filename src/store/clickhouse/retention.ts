// Retention: whole days older than the cutoff go by dropping their partitions (cheap, on every node), the
// rest of the cutoff day by an ALTER … DELETE mutation, waited for; to fit a size, the oldest rows go first,
// cutoff by cutoff, until the active parts fit. Batch IDs older than their TTL are forgotten here too.
import { MINUTE_US } from '../../model/metrics.js';
import { nowMicros } from '../../model/time.js';
import { StoreError } from '../errors.js';
import type { RetentionPolicy, RetentionResult } from '../types.js';
import type { Connection } from './connection.js';
import { ClickHouseStoreError } from './errors.js';
import { DATA_TABLES, DAY_US } from './encode.js';
import type { Layout, TableName } from './schema.js';
import { int, str, strList } from './sql.js';
import type { Hidden } from './visibility.js';

/**
 * Each table with the column its partitions (days) and cutoffs are counted in. Aliases and rollups go by
 * age only (as in the SQLite store); a rollup minute goes once it ended before the cutoff.
 */
const TIMED: Array<{ table: TableName; column: string; unit: 'us' | 'day'; ageOnly?: boolean; shift?: number }> = [
  { table: 'logs', column: 'time', unit: 'us' },
  { table: 'trace_index', column: 'time', unit: 'us' },
  { table: 'spans', column: 'start', unit: 'us' },
  { table: 'aliases', column: 'linked', unit: 'us', ageOnly: true },
  { table: 'trace_aliases', column: 'linked', unit: 'us', ageOnly: true },
  { table: 'rollups', column: 'minute', unit: 'us', ageOnly: true, shift: 1 - MINUTE_US },
  { table: 'vocabulary', column: 'day', unit: 'day' },
];

const MUTATION_TIMEOUT_MS = 10 * 60_000;

const MAX_SIZE_ROUNDS = 24;

export class Retention {
  constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
    private readonly batchIdTtlUs: number,
    private readonly abandonedAfterUs: number,
    private readonly hidden: Hidden,
    private readonly bytes: () => Promise<number>,
  ) {}

  async apply(policy: RetentionPolicy): Promise<RetentionResult> {
    const result: RetentionResult = { deletedLogs: 0, deletedSpans: 0 };
    const now = nowMicros();
    if (policy.maxAgeUs !== undefined) {
      if (typeof policy.maxAgeUs !== 'number' || !(policy.maxAgeUs >= 0)) throw new StoreError('STORE_BAD_QUERY', `maxAgeUs must be a number of µs ≥ 0 (got ${String(policy.maxAgeUs)})`);
      await this.deleteBefore(Math.floor(now - policy.maxAgeUs), result, 'age');
    }
    if (policy.maxBytes !== undefined) {
      if (typeof policy.maxBytes !== 'number' || !(policy.maxBytes >= 0)) throw new StoreError('STORE_BAD_QUERY', `maxBytes must be a number of bytes ≥ 0 (got ${String(policy.maxBytes)})`);
      await this.fit(policy.maxBytes, result);
    }
    await this.forgetBatchIds(now - this.batchIdTtlUs);
    await this.clearAbandoned(now - this.abandonedAfterUs);
    return result;
  }

  /**
   * Appends still marked in progress long after they began died half-way (their rows were never visible
   * and no one acknowledged them): their rows, and a commit record a crash may have left, are deleted, and
   * the mark removed, so that the set reads leave out stays small.
   */
  private async clearAbandoned(before: number): Promise<void> {
    const dead = (await this.connection.rows<{ a: string }>(
      `SELECT toString(attempt) AS a FROM ${this.layout.table('pending')} GROUP BY attempt HAVING sum(sign) > 0 AND min(claimed) < ${int(Math.floor(before))} LIMIT 1000`,
      'finding abandoned appends',
    )).map((r) => r.a);
    if (dead.length === 0) return;
    const list = dead.join(', ');
    // Vocabulary rows carry no append key: a term seen only in a dead append stays a harmless expansion.
    for (const table of [...DATA_TABLES.filter((t) => t !== 'vocabulary'), 'batches'] as const) {
      const [left] = await this.connection.rows<{ n: string }>(`SELECT count() AS n FROM ${this.layout.table(table)} WHERE attempt IN (${list})`, `counting abandoned rows of ${table}`);
      if (Number(left?.n ?? 0) > 0) await this.connection.everywhere((on) => `ALTER TABLE ${this.layout.local(table)}${on} DELETE WHERE attempt IN (${list})`, `deleting abandoned rows of ${table}`);
    }
    await this.mutationsDone();
    await this.connection.insert(this.layout.table('pending'), dead.map((a) => `{"attempt":${a},"sign":-1,"batch_id":"","claimed":${nowMicros()}}\n`).join(''), 'clearing abandoned appends');
  }

  /** Deletes the oldest rows, a slice at a time, until the active parts fit in maxBytes. */
  private async fit(maxBytes: number, result: RetentionResult): Promise<void> {
    for (let round = 0; round < MAX_SIZE_ROUNDS; round++) {
      const used = await this.bytes();
      if (used <= maxBytes) return;
      // About the share of rows the excess is, and a little more: parts have a fixed overhead too.
      const share = Math.min(1, ((used - maxBytes) / used) * 1.1 + 0.02);
      const cutoff = await this.quantile(share);
      if (cutoff === undefined) return;
      await this.deleteBefore(cutoff + 1, result, 'size');
    }
  }

  /** The time below which `share` of the records lie: log times, or span starts when no logs are left. */
  private async quantile(share: number): Promise<number | undefined> {
    for (const [table, column] of [['logs', 'time'], ['spans', 'start']] as const) {
      const [row] = await this.connection.rows<{ n: string; q: string }>(
        `SELECT count() AS n, toInt64(quantile(${share})(${column})) AS q FROM ${this.layout.table(table)}`,
        'finding the oldest records',
      );
      if (row !== undefined && Number(row.n) > 0) return Number(row.q);
    }
    return undefined;
  }

  /** Deletes every record older than `cutoff` (µs) from every table, counting the visible logs and spans. */
  private async deleteBefore(cutoff: number, result: RetentionResult, why: 'age' | 'size'): Promise<void> {
    const h = await this.hidden.where();
    const t = (name: TableName) => this.layout.table(name);
    const [counts] = await this.connection.rows<{ l: string; s: string }>(
      `SELECT (SELECT count() FROM ${t('logs')} WHERE time < ${int(cutoff)}${h}) AS l, (SELECT count() FROM ${t('spans')} WHERE start < ${int(cutoff)}${h}) AS s`,
      'counting what retention deletes',
    );
    result.deletedLogs += Number(counts?.l ?? 0);
    result.deletedSpans += Number(counts?.s ?? 0);
    let mutated = false;
    for (const { table, column, unit, ageOnly, shift } of TIMED) {
      if (ageOnly === true && why !== 'age') continue;
      const before = cutoff + (shift ?? 0);
      // Partitions are days: every day wholly before the cutoff is dropped.
      const lastWholeDay = Math.floor(before / DAY_US) - 1;
      const parts = await this.connection.rowsEverywhere<{ p: string }>(
        `SELECT DISTINCT partition AS p FROM system.parts WHERE active AND database = ${str(this.layout.database)} AND table = ${str(this.layout.local(table).split('.')[1]!)}`,
        `listing the partitions of ${table}`,
      );
      for (const p of new Set(parts.map((r) => Number(r.p)))) {
        if (Number.isSafeInteger(p) && p <= lastWholeDay) await this.connection.everywhere((on) => `ALTER TABLE ${this.layout.local(table)}${on} DROP PARTITION ${p}`, `dropping old data of ${table}`);
      }
      // The cutoff's own day loses its older rows by a mutation (only when it has any).
      if (unit === 'day') continue;
      const [left] = await this.connection.rows<{ n: string }>(`SELECT count() AS n FROM ${t(table)} WHERE ${column} < ${int(before)}`, `counting old rows of ${table}`);
      if (Number(left?.n ?? 0) === 0) continue;
      await this.connection.everywhere((on) => `ALTER TABLE ${this.layout.local(table)}${on} DELETE WHERE ${column} < ${int(before)}`, `deleting old rows of ${table}`);
      mutated = true;
    }
    if (mutated) await this.mutationsDone();
  }

  /** Forgets batch IDs committed before `before`, except those of raced batches (reads still need them). */
  private async forgetBatchIds(before: number): Promise<void> {
    const t = (name: TableName) => this.layout.table(name);
    const [old] = await this.connection.rows<{ n: string }>(`SELECT count() AS n FROM ${t('batches')} WHERE committed < ${int(Math.floor(before))}`, 'counting old batch IDs');
    if (Number(old?.n ?? 0) === 0) return;
    const keep = (await this.connection.rows<{ b: string }>(`SELECT DISTINCT batch_id AS b FROM ${t('contested')}`, 'reading raced batch IDs')).map((r) => r.b);
    const except = keep.length === 0 ? '' : ` AND batch_id NOT IN (${strList(keep)})`;
    await this.connection.everywhere((on) => `ALTER TABLE ${this.layout.local('batches')}${on} DELETE WHERE committed < ${int(Math.floor(before))}${except}`, 'forgetting old batch IDs');
    await this.mutationsDone();
  }

  /** Waits until no mutation of logstitch's tables is still running, on any node. */
  private async mutationsDone(): Promise<void> {
    const deadline = Date.now() + MUTATION_TIMEOUT_MS;
    for (let wait = 20; ; wait = Math.min(500, wait * 2)) {
      const rows = await this.connection.rowsEverywhere<{ n: string }>(
        `SELECT count() AS n FROM system.mutations WHERE database = ${str(this.layout.database)} AND is_done = 0`,
        'waiting for deletes to finish',
      );
      if (rows.every((r) => Number(r.n) === 0)) return;
      if (Date.now() > deadline) throw new ClickHouseStoreError('STORE_ENGINE_FAILED', `retention's deletes did not finish within ${MUTATION_TIMEOUT_MS / 60_000} minutes: see system.mutations in database ${this.layout.database}`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
