// The store-neutral search plan: what the query language produces and every store executes.

/** Fields a query can name. `msg` is full text; `attr.NAME` is an attribute of the log record. */
export type SearchField = 'msg' | 'service' | 'level' | 'host' | 'trace' | 'span' | `attr.${string}`;

export const SEARCH_FIELDS: readonly string[] = ['msg', 'service', 'level', 'host', 'trace', 'span'];

export interface SearchTerm {
  field: SearchField;
  /**
   * The values the field may have; the term holds when any of them matches. A wildcard or fuzzy term
   * arrives here already expanded against the store's vocabulary. `msg` values are lowercase tokens;
   * `level` values are level names (trace, debug, info, warn, error, fatal).
   */
  values: string[];
  /**
   * `exact`: the value as a whole (for `msg`, one token of the message); `prefix`: values starting with
   * it, for wildcards no vocabulary can expand (`trace:4bf92f35*`, `conn*` over message tokens).
   */
  match: 'exact' | 'prefix';
}

export interface SearchPlan {
  /** Every group must hold; a group holds when any of its terms does. */
  all: SearchTerm[][];
  /** No term may hold. */
  none: SearchTerm[];
  /** Time range, µs since the epoch, inclusive. */
  from?: number;
  to?: number;
}

/** The plan of an empty query: everything in the range. */
export function emptyPlan(from?: number, to?: number): SearchPlan {
  const plan: SearchPlan = { all: [], none: [] };
  if (from !== undefined) plan.from = from;
  if (to !== undefined) plan.to = to;
  return plan;
}
