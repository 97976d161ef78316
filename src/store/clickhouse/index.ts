// The ClickHouse store: its class, options and errors.
export { ClickHouseStore, openClickHouseStore } from './store.js';
export type { ClickHouseStoreOptions } from './options.js';
export { ClickHouseStoreError, type ClickHouseErrorCode } from './errors.js';
