// The errors only the ClickHouse store raises: the server could not be reached, or it refused a statement.
import { LogstitchError } from '../../model/errors.js';

export type ClickHouseErrorCode =
  /** ClickHouse did not answer (down, restarting, unreachable): nothing was stored; send the batch again. */
  | 'STORE_UNAVAILABLE'
  /** ClickHouse answered with an error to a statement the store sent (the message quotes it). */
  | 'STORE_ENGINE_FAILED';

export class ClickHouseStoreError extends LogstitchError {
  declare readonly code: ClickHouseErrorCode;

  constructor(code: ClickHouseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Whether an error from the client means the server was not reached (as opposed to refusing the statement). */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|Timeout error|aborted|other side closed/i.test(error.message);
}

/** An error from the client as the store reports it, naming the server and what to do. */
export function engineError(error: unknown, url: string, what: string): ClickHouseStoreError {
  if (error instanceof ClickHouseStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isUnreachable(error)) {
    return new ClickHouseStoreError('STORE_UNAVAILABLE', `ClickHouse at ${url} did not answer (${message}) while ${what}: check that it runs and is reachable; nothing was acknowledged, so a sender can try again`, { cause: error });
  }
  return new ClickHouseStoreError('STORE_ENGINE_FAILED', `ClickHouse at ${url} refused ${what}: ${message.slice(0, 600)}`, { cause: error });
}
