// A trace's lines as the block rows that hold them, in time order: what the trace view reads of a line
// (time, level, service, span) comes from the block's columns, and a record is made only for a line
// asked for — the few thousand a view sends, not the tens of thousands it weighs.
import type { LineColumns, LineList } from '../../model/line-list.js';
import type { StoredLog } from '../types.js';
import type { BlockView } from './block.js';

/** One block of the trace, with its names resolved once. */
export interface TraceBlock {
  view: BlockView;
  /** Service and host names by the block's own index. */
  services: ReadonlyArray<string | undefined>;
  hosts: ReadonlyArray<string | undefined>;
  /** What each row ID of the block starts with. */
  idPrefix: string;
}

export class BlockLines implements LineList<StoredLog>, LineColumns {
  readonly length: number;
  private readonly block: Uint32Array;
  private readonly row: Uint8Array;
  private readonly times: Float64Array;

  /**
   * `rows`: each block's matching rows in block order (a block holds rows in time order). Lines are put in
   * time order, and of equal times in the order of blocks given, then rows: as the store has always
   * answered. At most `limit` lines are kept, the earliest.
   */
  constructor(
    private readonly blocks: readonly TraceBlock[],
    rows: readonly (readonly number[])[],
    limit: number,
    /** The trace ID's hex, which every line carries. */
    private readonly traceHex: string,
  ) {
    let total = 0;
    for (const r of rows) total += r.length;
    const blockOf = new Uint32Array(total);
    const rowOf = new Uint8Array(total);
    const timeOf = new Float64Array(total);
    let k = 0;
    let sorted = true;
    for (let b = 0; b < rows.length; b++) {
      const view = blocks[b]!.view;
      for (const r of rows[b]!) {
        blockOf[k] = b;
        rowOf[k] = r;
        timeOf[k] = view.time(r);
        if (k > 0 && timeOf[k]! < timeOf[k - 1]!) sorted = false;
        k++;
      }
    }
    this.length = Math.min(total, limit);
    if (sorted) {
      this.block = blockOf.subarray(0, this.length);
      this.row = rowOf.subarray(0, this.length);
      this.times = timeOf.subarray(0, this.length);
      return;
    }
    const order = stableTimeOrder(timeOf);
    this.block = new Uint32Array(this.length);
    this.row = new Uint8Array(this.length);
    this.times = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const from = order[i]!;
      this.block[i] = blockOf[from]!;
      this.row[i] = rowOf[from]!;
      this.times[i] = timeOf[from]!;
    }
  }

  at(index: number): StoredLog | undefined {
    if (!(index >= 0 && index < this.length)) return undefined;
    const b = this.blocks[this.block[index]!]!;
    const r = this.row[index]!;
    const log = b.view.record(r, b.services[b.view.serviceIndex(r)], b.hosts[b.view.hostIndex(r)], this.traceHex) as StoredLog;
    log.id = b.idPrefix + r;
    return log;
  }

  time(index: number): number {
    return this.times[index]!;
  }

  severity(index: number): number {
    return this.blocks[this.block[index]!]!.view.severity(this.row[index]!);
  }

  service(index: number): string | undefined {
    const b = this.blocks[this.block[index]!]!;
    return b.services[b.view.serviceIndex(this.row[index]!)];
  }

  host(index: number): string | undefined {
    const b = this.blocks[this.block[index]!]!;
    return b.hosts[b.view.hostIndex(this.row[index]!)];
  }

  spanId(index: number): string | undefined {
    const view = this.blocks[this.block[index]!]!.view;
    const r = this.row[index]!;
    // As the record says it: the column, else a span ID kept as given beside the body.
    return view.spanHex(r) ?? (view.hasExtra(r) ? view.extra(r)?.sp : undefined);
  }

  mayHaveAttributes(index: number): boolean {
    return this.blocks[this.block[index]!]!.view.hasExtra(this.row[index]!);
  }
}

/**
 * Indexes of `times` in time order, ties in index order. When the span of times allows, each time and
 * its index are packed into one exact number and sorted natively (a 20,000-line trace: ~1 ms, against
 * ~3 ms through a comparator); else through a comparator.
 */
export function stableTimeOrder(times: Float64Array): ArrayLike<number> {
  const n = times.length;
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (t < min) min = t;
    if (t > max) max = t;
    if (t !== Math.floor(t)) whole = false;
  }
  const range = max - min;
  if (n > 0 && whole && Number.isSafeInteger(min) && Number.isSafeInteger(max) && (range + 1) * n <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (times[i]! - min) * n + i;
    keys.sort();
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = keys[i]! % n;
    return order;
  }
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
}
