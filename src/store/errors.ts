// The errors a store raises on purpose (SQLite and ClickHouse alike): each with a stable code and a message that says what to do.
import { LogstitchError } from '../model/errors.js';

export type StoreErrorCode =
  /** A record in a batch cannot be stored as given (the message names the record and the field). */
  | 'STORE_INVALID_RECORD'
  /** A search plan or page asks for something the store cannot do (the message names the field or value). */
  | 'STORE_BAD_QUERY'
  /** The cursor was not made by this store. */
  | 'STORE_BAD_CURSOR'
  /** The store's options are missing or wrong (the message names the option). */
  | 'STORE_BAD_CONFIG'
  /** The store was closed; open it again. */
  | 'STORE_CLOSED'
  /** The data directory holds a database this version cannot read. */
  | 'STORE_INCOMPATIBLE'
  /** The store's worker thread failed; the store must be reopened. */
  | 'STORE_WORKER_FAILED';

export class StoreError extends LogstitchError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
