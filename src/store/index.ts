// Opening a store from configuration: the embedded SQLite store by default.
import { SqliteStore, type SqliteStoreOptions } from './sqlite-rows/store.js';
import type { Store } from './types.js';

export type { Store } from './types.js';
export { SqliteStore } from './sqlite-rows/store.js';

export async function openStore(options: SqliteStoreOptions): Promise<Store> {
  return new SqliteStore(options);
}
