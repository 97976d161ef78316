// What the conformance tests share: the store under test (a new, empty one per test) and helpers over it.
import type { SearchPlan } from '../../../src/model/search-plan.js';
import type { Store, StoredLog } from '../../../src/store/types.js';

export interface Suite {
  /** The store of the running test. */
  readonly store: Store;
  /** Every stored log, newest first, through all pages of an empty search. */
  everything(): Promise<StoredLog[]>;
  /** The bodies a search finds, through all its pages. */
  find(plan: SearchPlan, limit?: number): Promise<string[]>;
}
