// The storage layer's public face: the Store interface and the factory that opens the configured store.
import { openClickHouseStore, type ClickHouseStoreOptions } from './clickhouse/index.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore, StoreError, type SqliteStoreOptions, type StoreErrorCode } from './sqlite/index.js';
export { ClickHouseStore, ClickHouseStoreError, openClickHouseStore, type ClickHouseErrorCode, type ClickHouseStoreOptions } from './clickhouse/index.js';

/** Which store to open and how: SQLite (embedded, one file in dataDir) by default, or ClickHouse. */
export type StoreConfig = ({ kind?: 'sqlite' } & SqliteStoreOptions) | ({ kind: 'clickhouse' } & ClickHouseStoreOptions);

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'clickhouse') {
    const { kind: _kind, ...options } = config;
    return openClickHouseStore(options);
  }
  const { kind = 'sqlite', ...options } = config;
  if (kind !== 'sqlite') throw new Error(`unknown store kind ${JSON.stringify(kind)}: use 'sqlite' or 'clickhouse'`);
  return SqliteStore.open(options);
}
