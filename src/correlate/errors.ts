// The correlation engine's error class: a stable code and a message saying what to do.
import { LogstitchError } from '../model/errors.js';

export type CorrelateErrorCode = 'SKEW_STATE_INVALID' | 'ROLLUP_INVALID' | 'SAMPLER_CONFIG_INVALID' | 'SERIES_RANGE_INVALID' | 'CURSOR_INVALID' | 'SPAN_NOT_IN_TRACE';

export class CorrelateError extends LogstitchError {
  declare readonly code: CorrelateErrorCode;

  constructor(code: CorrelateErrorCode, message: string) {
    super(code, message);
  }
}
