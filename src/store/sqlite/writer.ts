// The writing side of the SQLite store: appends encoded batches (several per transaction when they queue
// up, each in a savepoint of its own so that one bad batch fails alone) and keeps the per-service counts.
import { addRollup, type LatencyHistogram, type MinuteRollup } from '../../model/metrics.js';
import { nowMicros } from '../../model/time.js';
import type { AppendResult } from '../types.js';
import { BODY_SEPARATOR, KEY_SLOTS } from './block.js';
import type { EncodedBatch, EncodedBlock } from './encode.js';
import type { Db } from './schema.js';
import { SpanWriter } from './spans.js';
import { hostMark, serviceMark } from './marks.js';

export const NAME_SERVICE = 1;
export const NAME_HOST = 2;
const HOUR_US = 3_600_000_000;



interface Counts {
  logs: number;
  errors: number;
  spans: number;
  first: number;
  last: number;
}

export class Writer {
  /** `${kind}:${name}` → id; cleared whenever a rollback may have undone an insert. */
  private readonly names = new Map<string, number>();
  private linkClock = 0;
  private readonly s;
  private readonly spans: SpanWriter;

  constructor(readonly db: Db) {
    this.spans = new SpanWriter(db, (name) => this.nameId(NAME_SERVICE, name));
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      savepoint: p('SAVEPOINT batch'),
      release: p('RELEASE batch'),
      rollbackTo: p('ROLLBACK TO batch'),
      batchId: p('INSERT INTO batch_ids (id, time) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      nameGet: p('SELECT id FROM names WHERE kind = ? AND name = ?').pluck(),
      nameAdd: p('INSERT INTO names (kind, name) VALUES (?, ?)'),
      maxKey: p('SELECT max(key) FROM blocks WHERE key BETWEEN ? AND ?').pluck(),
      block: p('INSERT INTO blocks (key, services, hosts, rows, errors, min_time, max_time) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      blockService: p('INSERT INTO block_services (key, service, rows, errors, min_time, max_time) VALUES (?, ?, ?, ?, ?, ?)'),
      data: p('INSERT INTO block_data (key, cols, bodies, extras, texts) VALUES (?, ?, ?, ?, ?)'),
      terms: p('INSERT INTO block_terms (rowid, terms) VALUES (?, ?)'),
      aliasAdd: p('INSERT INTO aliases (alias, trace, linked, joined_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      aliasTouch: p('UPDATE aliases SET linked = ?, joined_by = coalesce(joined_by, ?) WHERE alias = ? AND trace = ?'),
      rollupGet: p('SELECT requests, errors, lines, error_lines, traced_lines, latency FROM rollups WHERE period = ? AND minute = ? AND service = ?'),
      rollupPut: p('INSERT OR REPLACE INTO rollups (period, minute, service, requests, errors, lines, error_lines, traced_lines, latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      aliasCount: p("UPDATE meta SET value = value + ? WHERE key = 'aliases'"),
      stats: p(`INSERT INTO service_stats (service, logs, error_logs, spans, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (service) DO UPDATE SET logs = logs + excluded.logs, error_logs = error_logs + excluded.error_logs,
        spans = spans + excluded.spans, first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
        last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)`),
    };
  }

  /** Stores each batch in one transaction, each batch all or nothing; returns a result or an error per batch. */
  appendGroup(batches: readonly EncodedBatch[]): Array<AppendResult | Error> {
    const results: Array<AppendResult | Error> = [];
    // What puts the in-memory state back if the database is rolled back.
    const undoGroup: Array<() => void> = [];
    try {
      this.s.begin.run();
      for (const batch of batches) {
        const undo: Array<() => void> = [];
        this.s.savepoint.run();
        try {
          results.push(this.appendOne(batch, undo));
          this.s.release.run();
          undoGroup.push(...undo);
        } catch (error) {
          this.s.rollbackTo.run();
          this.s.release.run();
          undo.reverse().forEach((u) => u());
          this.names.clear();
          results.push(error as Error);
        }
      }
      this.s.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.s.rollback.run();
      undoGroup.reverse().forEach((u) => u());
      this.names.clear();
      return batches.map(() => error as Error);
    }
    return results;
  }

  private appendOne(batch: EncodedBatch, undo: Array<() => void>): AppendResult {
    if (batch.batchId !== undefined && this.s.batchId.run(batch.batchId, nowMicros()).changes === 0) {
      return { duplicate: true, logs: 0, spans: 0 };
    }
    const counts = new Map<number, Counts>();
    const count = (service: number, time: number): Counts => {
      let c = counts.get(service);
      if (c === undefined) counts.set(service, (c = { logs: 0, errors: 0, spans: 0, first: time, last: time }));
      if (time < c.first) c.first = time;
      if (time > c.last) c.last = time;
      return c;
    };
    for (const block of batch.blocks) {
      const services = block.services.map((name) => this.nameId(NAME_SERVICE, name));
      const hosts = block.hosts.map((name) => this.nameId(NAME_HOST, name));
      const key = this.allocateKey(block.maxTime);
      this.s.block.run(key, services.join(','), hosts.join(','), block.rows, block.errors, block.minTime, block.maxTime);
      this.s.data.run(key, Buffer.from(block.cols), block.bodies, block.extras, JSON.stringify(block.texts));
      this.s.terms.run(key, blockTerms(block, services, hosts));
      services.forEach((service, i) => {
        const [rows, errors, first, last] = block.perService.slice(4 * i, 4 * i + 4) as [number, number, number, number];
        this.s.blockService.run(key, service, rows, errors, first, last);
        const c = count(service, first);
        count(service, last);
        c.logs += rows;
        c.errors += errors;
      });
    }
    if (batch.spans.length > 0) this.spans.store(batch.spans, { add: (service, time) => void count(service, time).spans++ }, undo);
    if (batch.aliases.length > 0) this.storeAliases(batch.aliases);
    for (const rollup of batch.rollups) this.addRollup(rollup);
    for (const [service, c] of counts) this.s.stats.run(service, c.logs, c.errors, c.spans, c.first, c.last);
    return { duplicate: false, logs: batch.logs, spans: batch.spans.length };
  }

  private storeAliases(flat: readonly string[]): void {
    this.linkClock = Math.max(nowMicros(), this.linkClock + 1);
    let added = 0;
    for (let i = 0; i < flat.length; i += 3) {
      const trace = Buffer.from(flat[i + 1]!, 'hex');
      const joinedBy = flat[i + 2] === '' ? null : flat[i + 2]!;
      if (this.s.aliasAdd.run(flat[i]!, trace, this.linkClock, joinedBy).changes === 1) added++;
      else this.s.aliasTouch.run(this.linkClock, joinedBy, flat[i]!, trace);
    }
    if (added > 0) this.s.aliasCount.run(added);
  }

  /** Adds a batch's figures for one service and minute to its minute and to its hour (a few rows per batch). */
  private addRollup(r: MinuteRollup): void {
    const service = this.nameId(NAME_SERVICE, r.service === '' ? undefined : r.service);
    for (const [period, start] of [[1, r.minute], [60, Math.floor(r.minute / HOUR_US) * HOUR_US]] as const) {
      const row = this.s.rollupGet.get(period, start, service) as { requests: number; errors: number; lines: number; error_lines: number; traced_lines: number; latency: string } | undefined;
      const sum: MinuteRollup = row === undefined
        ? { ...r, latency: { ...r.latency, buckets: { ...r.latency.buckets } } }
        : addRollup({ service: r.service, minute: start, requests: row.requests, errors: row.errors, lines: row.lines, errorLines: row.error_lines, tracedLines: row.traced_lines, latency: JSON.parse(row.latency) as LatencyHistogram }, r);
      this.s.rollupPut.run(period, start, service, sum.requests, sum.errors, sum.lines, sum.errorLines, sum.tracedLines, JSON.stringify(sum.latency));
    }
  }

  nameId(kind: number, name: string | undefined): number {
    if (name === undefined) return 0;
    const cacheKey = `${kind}:${name}`;
    let id = this.names.get(cacheKey);
    if (id === undefined) {
      id = (this.s.nameGet.get(kind, name) as number | undefined) ?? Number(this.s.nameAdd.run(kind, name).lastInsertRowid);
      this.names.set(cacheKey, id);
    }
    return id;
  }

  /** A free key in the millisecond of the block's newest record, or (past 2048 blocks in one ms) a later one. */
  private allocateKey(maxTime: number): number {
    let base = Math.floor(maxTime / 1000) * KEY_SLOTS;
    for (;;) {
      const top = this.s.maxKey.get(base, base + KEY_SLOTS - 1) as number | null;
      if (top === null) return base;
      if (top < base + KEY_SLOTS - 1) return top + 1;
      base += KEY_SLOTS;
    }
  }
}

/** The text a block is found by: its bodies and terms, and markers for the services and hosts its rows name. */
export function blockTerms(block: EncodedBlock, services: readonly number[], hosts: readonly number[]): string {
  let text = block.asciiBodies ? `${block.bodies}${BODY_SEPARATOR}${block.terms}` : block.terms;
  for (const service of services) text += `${serviceMark(service)} `;
  for (const host of hosts) text += `${hostMark(host)} `;
  return text;
}
