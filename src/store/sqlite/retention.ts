// Retention: deletes what a policy no longer keeps — whole blocks by age or, to fit a size, the oldest
// blocks first — in small transactions with pauses between them, so appends never wait long.
import { nowMicros } from '../../model/time.js';
import type { RetentionPolicy, RetentionResult } from '../types.js';
import { BLOCK_SPAN_US, BODY_SEPARATOR, BlockView, FLAG_DELETED, firstKeyAt, KEY_SLOTS, lastKeyAt, layout } from './block.js';
import type { Db } from './schema.js';

/** Blocks (≈128 records each) per transaction: a few ms of work, then appends get their turn. */
const CHUNK_BLOCKS = 64;
const CHUNK_ROWS = 2000;
/** Free pages returned to the file system per call (64 MiB at 4 KiB pages); the rest next time. */
const VACUUM_PAGES_PER_CALL = 16384;

interface BlockRow {
  key: number;
  services: string;
  rows: number;
  errors: number;
  min_time: number;
  max_time: number;
}

export class Retention {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly batchIdTtlUs: number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    const cols = 'key, services, rows, errors, min_time, max_time';
    this.s = {
      expired: p(`SELECT ${cols} FROM blocks WHERE key < ? ORDER BY key LIMIT ${CHUNK_BLOCKS}`),
      oldest: p(`SELECT ${cols} FROM blocks ORDER BY key LIMIT ?`),
      straddling: p(`SELECT ${cols} FROM blocks WHERE key BETWEEN ? AND ? AND min_time < ?`),
      blockCount: p('SELECT count(*) FROM blocks').pluck(),
      delTerms: p('DELETE FROM block_terms WHERE rowid = ?'),
      delData: p('DELETE FROM block_data WHERE key = ?'),
      delBlock: p('DELETE FROM blocks WHERE key = ?'),
      blockServices: p('SELECT service, rows, errors FROM block_services WHERE key = ?'),
      delBlockServices: p('DELETE FROM block_services WHERE key = ?'),
      setBlockService: p('UPDATE block_services SET rows = ?, errors = ?, min_time = ? WHERE key = ? AND service = ?'),
      delBlockService: p('DELETE FROM block_services WHERE key = ? AND service = ?'),
      getData: p('SELECT cols, bodies, extras, texts FROM block_data WHERE key = ?'),
      setData: p('UPDATE block_data SET cols = ?, bodies = ?, extras = ? WHERE key = ?'),
      setBlock: p('UPDATE blocks SET rows = ?, errors = ?, min_time = ? WHERE key = ?'),
      statsSub: p('UPDATE service_stats SET logs = logs - ?, error_logs = error_logs - ?, spans = spans - ? WHERE service = ?'),
      oldSpans: p(`SELECT key, service, start FROM spans WHERE start < ? ORDER BY start LIMIT ${CHUNK_ROWS}`),
      oldestSpans: p(`SELECT key, service, start FROM spans ORDER BY start LIMIT ${CHUNK_ROWS}`),
      delSpan: p('DELETE FROM spans WHERE key = ?'),
      oldChunks: p(`SELECT id FROM span_chunks WHERE max_start < ? LIMIT ${CHUNK_ROWS}`).pluck(),
      delChunkTerms: p('DELETE FROM span_terms WHERE rowid = ?'),
      delChunk: p('DELETE FROM span_chunks WHERE id = ?'),
      oldAliases: p(`SELECT alias, trace FROM aliases WHERE linked < ? LIMIT ${CHUNK_ROWS}`),
      delAlias: p('DELETE FROM aliases WHERE alias = ? AND trace = ?'),
      aliasCount: p("UPDATE meta SET value = value - ? WHERE key = 'aliases'"),
      oldRollups: p('DELETE FROM rollups WHERE period = ? AND minute < ?'),
      oldBatchIds: p(`DELETE FROM batch_ids WHERE id IN (SELECT id FROM batch_ids WHERE time < ? ORDER BY time LIMIT ${CHUNK_ROWS})`),
      firstLog: p(`SELECT min(min_time) FROM block_services WHERE service = @service AND key <= (SELECT min(key) FROM block_services WHERE service = @service) + ${(BLOCK_SPAN_US / 1000 + 1000) * KEY_SLOTS}`).pluck(),
      firstSpan: p('SELECT min(start) FROM spans WHERE service = ?').pluck(),
      setFirst: p('UPDATE service_stats SET first_seen = ? WHERE service = ?'),
      dropStats: p('DELETE FROM service_stats WHERE service = ? AND logs <= 0 AND spans <= 0'),
    };
  }

  /** Live data in bytes: pages in use (free pages and the WAL, bounded at 64 MiB, come on top on disk). */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  async apply(policy: RetentionPolicy, pause: () => Promise<void>): Promise<RetentionResult> {
    const result: RetentionResult = { deletedLogs: 0, deletedSpans: 0 };
    const touched = new Set<number>();
    const now = nowMicros();
    if (policy.maxAgeUs !== undefined) await this.byAge(now - policy.maxAgeUs, result, touched, pause);
    if (policy.maxBytes !== undefined) await this.bySize(policy.maxBytes, result, touched, pause);
    while (this.s.oldBatchIds.run(now - this.batchIdTtlUs).changes === CHUNK_ROWS) await pause();
    this.db.transaction(() => this.refreshFirstSeen(touched)).immediate();
    await this.vacuum(pause);
    return result;
  }

  private async byAge(cutoff: number, result: RetentionResult, touched: Set<number>, pause: () => Promise<void>): Promise<void> {
    // Blocks whose newest record is older than the cutoff's millisecond go whole.
    for (;;) {
      const blocks = this.s.expired.all(firstKeyAt(cutoff)) as BlockRow[];
      if (blocks.length === 0) break;
      this.db.transaction(() => blocks.forEach((b) => this.deleteBlock(b, result, touched))).immediate();
      await pause();
    }
    // Blocks that straddle the cutoff lose the rows before it.
    const straddling = this.s.straddling.all(firstKeyAt(cutoff), lastKeyAt(cutoff + BLOCK_SPAN_US + 1_000_000), cutoff) as BlockRow[];
    for (let i = 0; i < straddling.length; i += CHUNK_BLOCKS) {
      const chunk = straddling.slice(i, i + CHUNK_BLOCKS);
      this.db.transaction(() => chunk.forEach((b) => (b.max_time < cutoff ? this.deleteBlock(b, result, touched) : this.trimBlock(b, cutoff, result, touched)))).immediate();
      await pause();
    }
    while (this.deleteSpans(this.s.oldSpans.all(cutoff) as SpanRow[], result, touched) === CHUNK_ROWS) await pause();
    for (;;) {
      const links = this.s.oldAliases.all(cutoff) as Array<{ alias: string; trace: Buffer }>;
      if (links.length === 0) break;
      this.db.transaction(() => {
        for (const link of links) this.s.delAlias.run(link.alias, link.trace);
        this.s.aliasCount.run(links.length);
      }).immediate();
      if (links.length < CHUNK_ROWS) break;
      await pause();
    }
    // Minutes and hours that ended before the cutoff; a few rows per service and period, so one statement each.
    this.s.oldRollups.run(1, cutoff - 60_000_000 + 1);
    this.s.oldRollups.run(60, cutoff - 3_600_000_000 + 1);
  }

  private async bySize(maxBytes: number, result: RetentionResult, touched: Set<number>, pause: () => Promise<void>): Promise<void> {
    for (;;) {
      const used = this.usedBytes();
      if (used <= maxBytes) return;
      const blockCount = this.s.blockCount.get() as number;
      if (blockCount === 0) {
        if (this.deleteSpans(this.s.oldestSpans.all() as SpanRow[], result, touched) === 0) return;
        await pause();
        continue;
      }
      // As many of the oldest blocks as the excess needs at the average block size, within one chunk.
      const want = Math.max(1, Math.min(CHUNK_BLOCKS, Math.ceil((used - maxBytes) / (used / blockCount))));
      const blocks = this.s.oldest.all(want) as BlockRow[];
      const bound = Math.max(...blocks.map((b) => b.max_time));
      this.db.transaction(() => blocks.forEach((b) => this.deleteBlock(b, result, touched))).immediate();
      // Spans as old as the logs just deleted go with them.
      while (this.deleteSpans(this.s.oldSpans.all(bound) as SpanRow[], result, touched) === CHUNK_ROWS) await pause();
      await pause();
    }
  }

  private deleteBlock(b: BlockRow, result: RetentionResult, touched: Set<number>): void {
    for (const s of this.s.blockServices.all(b.key) as Array<{ service: number; rows: number; errors: number }>) {
      this.s.statsSub.run(s.rows, s.errors, 0, s.service);
      touched.add(s.service);
    }
    this.s.delBlockServices.run(b.key);
    this.s.delTerms.run(b.key);
    this.s.delData.run(b.key);
    this.s.delBlock.run(b.key);
    result.deletedLogs += b.rows;
  }

  /** Marks a block's rows before the cutoff deleted (row positions stay, so cursors stay valid) and drops their text. */
  private trimBlock(b: BlockRow, cutoff: number, result: RetentionResult, touched: Set<number>): void {
    const data = this.s.getData.get(b.key) as { cols: Buffer; bodies: string; extras: string; texts: string };
    const view = new BlockView(b.key, data.cols, data.bodies, data.extras, JSON.parse(data.texts) as string[]);
    const services = b.services.split(',').map(Number);
    const at = layout(view.n);
    const cols = Buffer.from(data.cols);
    const bodies: string[] = new Array(view.n).fill('');
    let extras = '';
    // Per service index: rows removed, errors removed, rows kept, errors kept, first time kept.
    const tally = services.map(() => [0, 0, 0, 0, Infinity]);
    for (let i = 0; i < view.n; i++) {
      if (view.deleted(i)) continue;
      const time = view.time(i);
      const t = tally[view.serviceIndex(i)]!;
      const error = view.severity(i) >= 17 ? 1 : 0;
      if (time < cutoff) {
        cols[at.flags + i] = view.flags(i) | FLAG_DELETED;
        cols.writeUInt32LE(0, at.bodyLen + 4 * i);
        cols.writeUInt32LE(0, at.extraLen + 4 * i);
        t[0]! += 1;
        t[1]! += error;
        continue;
      }
      t[2]! += 1;
      t[3]! += error;
      if (time < t[4]!) t[4] = time;
      bodies[i] = view.body(i);
      const extra = view.extra(i);
      if (extra !== undefined) extras += JSON.stringify(extra);
    }
    const removed = tally.reduce((sum, t) => sum + t[0]!, 0);
    if (removed === 0) return;
    if (removed === b.rows) return this.deleteBlock(b, result, touched);
    const removedErrors = tally.reduce((sum, t) => sum + t[1]!, 0);
    this.s.setData.run(cols, bodies.join(BODY_SEPARATOR), extras, b.key);
    this.s.setBlock.run(b.rows - removed, b.errors - removedErrors, Math.min(...tally.map((t) => t[4]!)), b.key);
    tally.forEach(([gone, goneErrors, kept, keptErrors, first], i) => {
      if (gone === 0) return;
      const service = services[i]!;
      if (kept === 0) this.s.delBlockService.run(b.key, service);
      else this.s.setBlockService.run(kept, keptErrors, first, b.key, service);
      this.s.statsSub.run(gone, goneErrors, 0, service);
      touched.add(service);
    });
    result.deletedLogs += removed;
  }

  /** Deletes these spans, and the chunks (trace lookups) of spans all older than the newest of them, in one transaction; returns how many. */
  private deleteSpans(spans: SpanRow[], result: RetentionResult, touched: Set<number>): number {
    if (spans.length === 0) return 0;
    this.db.transaction(() => {
      const perService = new Map<number, number>();
      let newest = -Infinity;
      for (const s of spans) {
        this.s.delSpan.run(s.key);
        perService.set(s.service, (perService.get(s.service) ?? 0) + 1);
        if (s.start > newest) newest = s.start;
      }
      for (const [service, n] of perService) {
        this.s.statsSub.run(0, 0, n, service);
        touched.add(service);
      }
      for (;;) {
        const chunks = this.s.oldChunks.all(newest) as number[];
        for (const id of chunks) {
          this.s.delChunkTerms.run(id);
          this.s.delChunk.run(id);
        }
        if (chunks.length < CHUNK_ROWS) break;
      }
    }).immediate();
    result.deletedSpans += spans.length;
    return spans.length;
  }

  private refreshFirstSeen(services: Set<number>): void {
    for (const service of services) {
      if (this.s.dropStats.run(service).changes > 0) continue;
      const logs = this.s.firstLog.get({ service }) as number | null;
      const spans = this.s.firstSpan.get(service) as number | null;
      const first = logs === null ? spans : spans === null ? logs : Math.min(logs, spans);
      if (first !== null) this.s.setFirst.run(first, service);
    }
  }

  private async vacuum(pause: () => Promise<void>): Promise<void> {
    for (let done = 0; done < VACUUM_PAGES_PER_CALL; done += 1024) {
      if ((this.db.pragma('freelist_count', { simple: true }) as number) === 0) return;
      this.db.pragma('incremental_vacuum(1024)');
      await pause();
    }
  }
}

interface SpanRow {
  key: number;
  start: number;
  service: number;
}
