// The Store conformance suite: every promise of the Store interface, checked with real data, so that each
// store (SQLite now, ClickHouse later) runs the same tests. Call describeStoreConformance from a test file.
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { appendTests } from './conformance/append.js';
import { derivedTests } from './conformance/derived.js';
import { pagingTests } from './conformance/paging.js';
import { searchTests } from './conformance/search.js';
import type { Suite } from './conformance/suite.js';
import { traceTests } from './conformance/trace.js';
import { upkeepTests } from './conformance/upkeep.js';
import { allPages, bodies, plan } from './fixtures.js';

/** makeStore gives a new, empty store each time; the suite closes it after each test. */
export function describeStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store conformance`, () => {
    let current: Store | undefined;
    const suite: Suite = {
      get store(): Store {
        if (current === undefined) throw new Error('no store: the suite opens one before each test');
        return current;
      },
      everything: () => allPages(suite.store, plan(), 1000),
      find: async (p, limit = 1000) => bodies(await allPages(suite.store, p, limit)),
    };
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    appendTests(suite);
    traceTests(suite);
    searchTests(suite);
    pagingTests(suite);
    upkeepTests(suite);
    derivedTests(suite);
  });
}
