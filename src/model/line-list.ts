// A trace's lines by index: an array of records, or a store's columns that make a record only when one is
// asked for — so that a view of 20,000 lines need not make 20,000 records to send 2,000.
import type { LogRecord } from './records.js';

/** Lines in time order, read by index (an array is one). */
export interface LineList<L> {
  readonly length: number;
  /** The line as a record; a store's columns make a new one on each call. */
  at(index: number): L | undefined;
}

/** What a store's columns answer about a line without making its record. */
export interface LineColumns {
  time(index: number): number;
  severity(index: number): number;
  service(index: number): string | undefined;
  host(index: number): string | undefined;
  spanId(index: number): string | undefined;
  /**
   * False only when the line has no attributes; true when it may have (its record says for sure). Lines
   * with attributes are few, and only they can be access-log lines or name a parent span.
   */
  mayHaveAttributes(index: number): boolean;
}

/** The columns behind a line list, when it has them. */
export function lineColumns(list: LineList<unknown>): LineColumns | undefined {
  return Array.isArray(list) ? undefined : (list as Partial<LineColumns>).spanId === undefined ? undefined : (list as unknown as LineColumns);
}

/** The lines as an array: the list itself when it is one. */
export function lineArray<L extends LogRecord>(list: LineList<L>): readonly L[] {
  if (Array.isArray(list)) return list as readonly L[];
  const out = new Array<L>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list.at(i)!;
  return out;
}
