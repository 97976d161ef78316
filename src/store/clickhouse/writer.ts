// The writing side: appends that queue up while a round of inserts runs are written together in the next
// round (one INSERT per table), each under its own attempt key, and made visible only once committed:
//   claim (pending +1) → look for other attempts at the same batch IDs → data → commit (batches) → pending -1.
import { nowMicros } from '../../model/time.js';
import type { AppendResult } from '../types.js';
import type { Connection } from './connection.js';
import { DATA_TABLES, insertFormat, type EncodedBatch } from './encode.js';
import type { Layout, TableName } from './schema.js';
import { strList } from './sql.js';
import type { Hidden } from './visibility.js';

interface Entry {
  batch: EncodedBatch;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}


/** Rounds of inserts running at once: one's round trips overlap the other's inserts. */
const MAX_ROUNDS = 2;

export class Writer {
  private readonly queue: Entry[] = [];
  private rounds = 0;
  /** Batch IDs of the rounds running: a second append of one waits for the next round (and finds it stored). */
  private readonly writing = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
    private readonly maxGroupLogs: number,
    private readonly hidden: Hidden,
  ) {}

  /** Queues an encoded batch; resolves once it is committed (or found stored before). */
  append(batch: EncodedBatch): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.pump();
    });
  }

  /** Resolves when every queued append has been written or has failed. */
  idle(): Promise<void> {
    if (this.rounds === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.rounds < MAX_ROUNDS && this.queue.length > 0) {
      const group = this.takeGroup();
      if (group.length === 0) break;
      this.rounds++;
      const ids = group.flatMap((e) => (e.batch.batchId === undefined ? [] : [e.batch.batchId]));
      for (const id of ids) this.writing.add(id);
      void this.writeGroup(group).finally(() => {
        this.rounds--;
        for (const id of ids) this.writing.delete(id);
        this.pump();
        if (this.rounds === 0 && this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  /** The next appends to write together: up to maxGroupLogs records, and never one batch ID twice. */
  private takeGroup(): Entry[] {
    const group: Entry[] = [];
    const ids = new Set<string>();
    let logs = 0;
    for (let i = 0; i < this.queue.length; ) {
      const entry = this.queue[i]!;
      const id = entry.batch.batchId;
      if (group.length > 0 && logs + entry.batch.logs > this.maxGroupLogs) break;
      if (id !== undefined && (ids.has(id) || this.writing.has(id))) {
        i++;
        continue;
      }
      if (id !== undefined) ids.add(id);
      logs += entry.batch.logs;
      group.push(entry);
      this.queue.splice(i, 1);
    }
    return group;
  }

  private async writeGroup(group: Entry[]): Promise<void> {
    const t = (name: TableName) => this.layout.table(name);
    const attempts = group.map((e) => e.batch.attempt);
    this.hidden.begin(attempts);
    try {
      const claimed = nowMicros();
      await this.connection.insert(t('pending'), group.map((e) => pendingRow(e.batch, 1, claimed)).join(''), 'marking appends in progress');
      const { active, duplicates, repairs, contested } = await this.sortOut(group);
      if (contested.length > 0) {
        const at = nowMicros();
        await this.connection.insert(t('contested'), contested.map((id) => `{"batch_id":${JSON.stringify(id)},"at":${at}}\n`).join(''), 'recording a raced batch ID');
      }
      await Promise.all(
        DATA_TABLES.map((table) => {
          const body = joinRows(active.map((e) => e.batch.rows[table]));
          return this.connection.insert(t(table), body, `storing ${table.replace('_', ' ')}`, insertFormat(table, body));
        }),
      );
      const committed = nowMicros();
      const commits = active.filter((e) => e.batch.batchId !== undefined);
      await this.connection.insert(t('batches'), commits.map((e) => `{"batch_id":${JSON.stringify(e.batch.batchId)},"attempt":${e.batch.attempt},"committed":${committed}}\n`).join(''), 'committing batch IDs');
      // Now visible: the rows of every append of the group (and of earlier ones a crash left half-finished).
      const done = [...active, ...duplicates].map((e) => pendingRow(e.batch, -1, claimed)).join('') + repairs.map((r) => `{"attempt":${r.attempt},"sign":-1,"batch_id":${JSON.stringify(r.batchId)},"claimed":${claimed}}\n`).join('');
      await this.connection.insert(t('pending'), done, 'making the stored batches visible');
      for (const e of active) e.resolve({ duplicate: false, logs: e.batch.logs, spans: e.batch.spans });
      for (const e of duplicates) e.resolve({ duplicate: true, logs: 0, spans: 0 });
    } catch (error) {
      // Whatever was written stays marked in progress, so reads never see it; the senders retry.
      for (const e of group) e.reject(error);
    } finally {
      this.hidden.settled(attempts);
    }
  }

  /**
   * After claiming: which batch IDs were committed by another append (duplicates; a committed append still
   * marked in progress gets its mark removed here), and which another append is working on right now
   * (contested: reads then keep only the lowest committed attempt of that ID).
   */
  private async sortOut(group: Entry[]): Promise<{ active: Entry[]; duplicates: Entry[]; repairs: Array<{ attempt: string; batchId: string }>; contested: string[] }> {
    const withId = group.filter((e) => e.batch.batchId !== undefined);
    if (withId.length === 0) return { active: group, duplicates: [], repairs: [], contested: [] };
    const ids = strList(withId.map((e) => e.batch.batchId!));
    const mine = group.map((e) => e.batch.attempt).join(', ');
    const found = await this.connection.rows<{ b: string; a: string; kind: string; sign: number }>(
      `SELECT batch_id AS b, toString(attempt) AS a, 'commit' AS kind, toInt8(0) AS sign FROM ${this.layout.table('batches')} WHERE batch_id IN (${ids})
       UNION ALL
       SELECT batch_id AS b, toString(attempt) AS a, 'claim' AS kind, sign FROM ${this.layout.table('pending')} WHERE batch_id IN (${ids}) AND attempt NOT IN (${mine})`,
      'looking for earlier attempts at these batch IDs',
    );
    const committed = new Map<string, Set<string>>();
    const claims = new Map<string, Map<string, number>>();
    for (const r of found) {
      if (r.kind === 'commit') {
        if (!committed.has(r.b)) committed.set(r.b, new Set());
        committed.get(r.b)!.add(r.a);
      } else {
        if (!claims.has(r.b)) claims.set(r.b, new Map());
        const sums = claims.get(r.b)!;
        sums.set(r.a, (sums.get(r.a) ?? 0) + Number(r.sign));
      }
    }
    const active: Entry[] = [];
    const duplicates: Entry[] = [];
    const repairs: Array<{ attempt: string; batchId: string }> = [];
    const contested: string[] = [];
    for (const e of group) {
      const id = e.batch.batchId;
      const commits = id === undefined ? undefined : committed.get(id);
      if (commits !== undefined && commits.size > 0) {
        duplicates.push(e);
        for (const [attempt, sum] of claims.get(id!) ?? []) if (sum > 0 && commits.has(attempt)) repairs.push({ attempt, batchId: id! });
        continue;
      }
      active.push(e);
      if (id !== undefined && claims.has(id)) contested.push(id);
    }
    return { active, duplicates, repairs, contested };
  }
}

/** The rows of several batches for one table, as one body. */
function joinRows(parts: Array<Buffer | string>): Buffer | string {
  return parts.every((p) => typeof p === 'string') ? parts.join('') : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

function pendingRow(batch: EncodedBatch, sign: 1 | -1, claimed: number): string {
  return `{"attempt":${batch.attempt},"sign":${sign},"batch_id":${batch.batchId === undefined ? '""' : JSON.stringify(batch.batchId)},"claimed":${claimed}}\n`;
}
