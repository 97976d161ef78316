// Search over blocks, newest first: candidate blocks come in key order (newest record first), rows are
// tested exactly, and the best `limit + 1` are kept until no later block can hold a newer match.
import type { SearchPlan } from '../../model/search-plan.js';
import type { SearchPage, StoredLog } from '../types.js';
import { BLOCK_SPAN_US, BlockView, firstKeyAt, keyTimeBound, KEY_SLOTS, lastKeyAt } from './block.js';
import { StoreError } from '../errors.js';
import { compilePlan, type CompiledPlan, type NameLookup, type Test } from './plan.js';
import { RowContext, type BlockInfo } from './rows.js';

export const MAX_PAGE = 10_000;

export interface BlockRow extends BlockInfo {
  min_time: number;
}

/** What search needs from the reader: candidate blocks, their data, and names. */
export interface BlockSource extends NameLookup {
  blocks(fts: string | undefined, lowKey: number, highKey: number): Iterable<BlockRow>;
  data(key: number): BlockView;
  name(id: number): string | undefined;
}

interface Position {
  time: number;
  key: number;
  index: number;
}

interface Hit extends Position {
  log: StoredLog;
}

/** Newest first: time, then block key, then row index, all descending. */
function newer(a: Position, b: Position): number {
  return a.time !== b.time ? b.time - a.time : a.key !== b.key ? b.key - a.key : b.index - a.index;
}

export function encodeCursor(p: Position): string {
  return `c1.${p.time}.${p.key}.${p.index}`;
}

export function decodeCursor(cursor: string): Position {
  const parts = typeof cursor === 'string' ? cursor.split('.') : [];
  const [time, key, index] = parts.slice(1).map(Number);
  if (parts.length !== 4 || parts[0] !== 'c1' || !Number.isFinite(time) || !Number.isSafeInteger(key) || !Number.isSafeInteger(index) || index! < 0) {
    throw new StoreError('STORE_BAD_CURSOR', `the cursor ${JSON.stringify(String(cursor).slice(0, 80))} was not made by this store: pass back nextCursor exactly as a page gave it`);
  }
  return { time: time!, key: key!, index: index! };
}

export function rowId(key: number, index: number): string {
  return rowIdPrefix(key) + index;
}

/** What every row ID of a block starts with (a trace read makes it once per block). */
export function rowIdPrefix(key: number): string {
  return `${key}:`;
}

export function search(source: BlockSource, plan: SearchPlan, page: { limit: number; cursor?: string }): SearchPage {
  const limit = page.limit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new StoreError('STORE_BAD_QUERY', `limit must be a whole number from 1 to ${MAX_PAGE} (got ${String(limit)})`);
  }
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const compiled = compilePlan(plan, source);
  const upper = after === undefined ? compiled.to : Math.min(compiled.to, after.time);
  if (compiled.impossible || compiled.from > upper) return { logs: [] };
  const lowKey = Number.isFinite(compiled.from) ? firstKeyAt(compiled.from) : Number.MIN_SAFE_INTEGER;
  // A block holding a record at `upper` has its newest record at most BLOCK_SPAN_US later (one second of slack for spilled keys).
  const highKey = Number.isFinite(upper) ? lastKeyAt(upper + BLOCK_SPAN_US) + 1000 * KEY_SLOTS : Number.MAX_SAFE_INTEGER;
  const want = limit + 1;
  const top: Hit[] = [];
  for (const block of source.blocks(compiled.fts, lowKey, highKey)) {
    if (top.length === want && top[want - 1]!.time > keyTimeBound(block.key)) break;
    if (block.min_time > upper) continue;
    const rowTests = testsForBlock(compiled, block);
    if (rowTests === undefined) continue;
    scanBlock(source, block, rowTests, compiled.from, upper, after, top, want);
  }
  const logs = top.slice(0, limit).map((h) => h.log);
  return top.length > limit ? { logs, nextCursor: encodeCursor(top[limit - 1]!) } : { logs };
}

interface RowTests {
  groups: Test[][];
  none: Test[];
}

/** The tests left once the block itself has decided what it can; undefined when no row of it can match. */
function testsForBlock(plan: CompiledPlan, block: BlockInfo): RowTests | undefined {
  const groups: Test[][] = [];
  for (const group of plan.groups) {
    const open: Test[] = [];
    let holds = false;
    for (const test of group) {
      const decided = test.block(block);
      if (decided === true) holds = true;
      else if (decided === undefined) open.push(test);
    }
    if (holds) continue;
    if (open.length === 0) return undefined;
    groups.push(open);
  }
  const none: Test[] = [];
  for (const test of plan.none) {
    const decided = test.block(block);
    if (decided === true) return undefined;
    if (decided === undefined) none.push(test);
  }
  return { groups, none };
}

function scanBlock(source: BlockSource, block: BlockRow, tests: RowTests, from: number, upper: number, after: Position | undefined, top: Hit[], want: number): void {
  const view = source.data(block.key);
  const row = new RowContext(block, view);
  const here: Position = { time: 0, key: block.key, index: 0 };
  // Rows are in time order within a block: walk back from the newest.
  for (let i = view.n - 1; i >= 0; i--) {
    if (view.deleted(i)) continue;
    const time = view.time(i);
    if (time > upper) continue;
    if (time < from) break;
    here.time = time;
    here.index = i;
    if (after !== undefined && newer(here, after) <= 0) continue;
    // This row, and every earlier one in the block, would rank below the worst kept.
    if (top.length === want && newer(here, top[want - 1]!) >= 0) break;
    row.at(i);
    if (!tests.groups.every((group) => group.some((t) => t.row(row)))) continue;
    if (tests.none.some((t) => t.row(row))) continue;
    insert(top, { ...here, log: storedLog(source, block, view, i) }, want);
  }
}

function insert(top: Hit[], hit: Hit, want: number): void {
  let lo = 0;
  let hi = top.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newer(top[mid]!, hit) < 0) lo = mid + 1;
    else hi = mid;
  }
  top.splice(lo, 0, hit);
  if (top.length > want) top.pop();
}

/** Row i of a block as a stored record, with its ID (a search hit). */
export function storedLog(source: Pick<BlockSource, 'name'>, block: BlockInfo, view: BlockView, i: number): StoredLog {
  const log = view.record(i, source.name(block.services[view.serviceIndex(i)]!), source.name(block.hosts[view.hostIndex(i)]!)) as StoredLog;
  log.id = rowId(block.key, i);
  return log;
}
