// The storage layer's public face: the Store interface and the factory that opens the configured store.
import { SqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore, StoreError, type SqliteStoreOptions, type StoreErrorCode } from './sqlite/index.js';

/** Which store to open and how; SQLite (embedded, one file in dataDir) is the default. */
export type StoreConfig = { kind?: 'sqlite' } & SqliteStoreOptions;

export async function openStore(config: StoreConfig): Promise<Store> {
  const { kind = 'sqlite', ...options } = config;
  switch (kind) {
    case 'sqlite':
      return SqliteStore.open(options);
    default:
      throw new Error(`unknown store kind ${JSON.stringify(kind)}: use 'sqlite'`);
  }
}
