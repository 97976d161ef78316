// Errors for parser and joiner configuration that cannot work (a bad regex, zone or log format).
import { LogstitchError } from '../model/errors.js';

/** Raised when a parser is created, never while parsing lines. Codes: PARSE_BAD_PATTERN, PARSE_BAD_ZONE, PARSE_BAD_LOG_FORMAT, PARSE_BAD_TIME_FORMAT, PARSE_BAD_CONFIG. */
export class ParserConfigError extends LogstitchError {}
