// The embedded SQLite store: its class, options and errors.
export { SqliteStore, type SqliteStoreOptions } from './store.js';
export { StoreError, type StoreErrorCode } from '../errors.js';
