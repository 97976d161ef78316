// QueryError: what a user sees when a search query cannot be planned (UI, CLI, the 400 body).
import { LogstitchError } from '../model/errors.js';

export type QueryErrorCode =
  /** lunr's parser rejected the text (a lone `+`, `service:` with no value, `foo~x`, …). */
  | 'QUERY_PARSE'
  /** A field that is not msg, service, level, host, trace, span or attr.NAME. */
  | 'QUERY_UNKNOWN_FIELD'
  /** A value the field cannot take (`level:loud`, `span:xyz`, a fuzzy trace ID, …). */
  | 'QUERY_BAD_VALUE'
  /** A wildcard or fuzzy term matches (or would have to be compared with) too many words. */
  | 'QUERY_TOO_BROAD'
  /** The query is longer, or has more clauses, than a search may have. */
  | 'QUERY_TOO_LONG'
  /** A wildcard inside a term, or a fuzzy term, with no vocabulary to expand it against. */
  | 'QUERY_NEEDS_VOCABULARY'
  /** `from` / `to` are not times or are the wrong way round. */
  | 'QUERY_BAD_RANGE';

export interface QueryErrorDetails {
  /** The offending part of the query, as typed. */
  token?: string;
  /** Where it starts in the query (0-based), for highlighting. */
  position?: number;
  cause?: unknown;
}

export class QueryError extends LogstitchError {
  declare readonly code: QueryErrorCode;
  readonly token: string | undefined;
  readonly position: number | undefined;

  constructor(code: QueryErrorCode, message: string, details: QueryErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.token = details.token;
    this.position = details.position;
  }
}
