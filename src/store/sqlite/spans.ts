// Spans as the writer stores them: appended in arrival order, found by trace through FTS5 documents of
// trace markers (one per batch's chunk of spans), and a span stored twice kept once — updated in place
// when its copy arrives while it is still in the recent window, chosen when read otherwise.
import type { Db } from './schema.js';
import type { EncodedSpan } from './encode.js';
import { traceMark } from './marks.js';

/** Spans remembered for dedup on arrival: a copy of a span (span-end line, then OTLP) comes soon after it. */
const WINDOW = 65_536;

export interface SpanCounts {
  /** Counts a new span for a service at a time. */
  add(service: number, time: number): void;
}

export class SpanWriter {
  /** trace + span (hex) → the stored copy's key and rank. */
  private readonly recent = new Map<string, { key: number; rank: number }>();
  private readonly s;

  constructor(
    db: Db,
    private readonly nameId: (name: string | undefined) => number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      add: p('INSERT INTO spans (trace, span, parent, name, kind, start, duration, status, service, origin, rank, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      serviceOf: p('SELECT service FROM spans WHERE key = ?').pluck(),
      replace: p('UPDATE spans SET parent = ?, name = ?, kind = ?, start = ?, duration = ?, status = ?, service = ?, origin = ?, rank = ?, attrs = ? WHERE key = ?'),
      moved: p('UPDATE service_stats SET spans = spans - 1 WHERE service = ?'),
      chunk: p('INSERT INTO span_chunks (first, last, max_start) VALUES (?, ?, ?)'),
      terms: p('INSERT INTO span_terms (rowid, terms) VALUES (?, ?)'),
    };
  }

  /** Stores a batch's spans; pushes onto `onRollback` what undoes the window's changes if the batch is rolled back. */
  store(spans: readonly EncodedSpan[], counts: SpanCounts, onRollback: Array<() => void>): void {
    const undo: Array<[string, { key: number; rank: number } | undefined]> = [];
    onRollback.push(() => {
      for (const [id, before] of undo.reverse()) {
        if (before === undefined) this.recent.delete(id);
        else this.recent.set(id, before);
      }
    });
    let first = -1;
    let last = -1;
    let maxStart = -Infinity;
    const marks = new Set<string>();
    for (const span of spans) {
      const id = span.trace + span.span;
      const service = this.nameId(span.service);
      const values = [span.parent === undefined ? null : Buffer.from(span.parent, 'hex'), span.name, span.kind, span.start, span.duration, span.status, service, span.origin, span.rank, span.attrs ?? null] as const;
      const seen = this.recent.get(id);
      if (seen !== undefined) {
        if (span.rank <= seen.rank) continue;
        const before = this.s.serviceOf.get(seen.key) as number | undefined;
        this.s.replace.run(...values, seen.key);
        undo.push([id, { ...seen }]);
        seen.rank = span.rank;
        if (before !== undefined && before !== service) {
          this.s.moved.run(before);
          counts.add(service, span.start);
        }
        continue;
      }
      const key = Number(this.s.add.run(Buffer.from(span.trace, 'hex'), Buffer.from(span.span, 'hex'), ...values).lastInsertRowid);
      undo.push([id, undefined]);
      this.remember(id, { key, rank: span.rank });
      counts.add(service, span.start);
      if (first === -1) first = key;
      last = key;
      if (span.start > maxStart) maxStart = span.start;
      marks.add(traceMark(span.trace));
    }
    if (first !== -1) {
      const chunk = Number(this.s.chunk.run(first, last, maxStart).lastInsertRowid);
      this.s.terms.run(chunk, [...marks].join(' '));
    }
  }

  private remember(id: string, stored: { key: number; rank: number }): void {
    this.recent.set(id, stored);
    if (this.recent.size <= WINDOW) return;
    let drop = this.recent.size - WINDOW + 1024;
    for (const old of this.recent.keys()) {
      this.recent.delete(old);
      if (--drop === 0) break;
    }
  }
}
