// HttpError: a request problem with the status that answers it and a message that names it.
import { LogstitchError } from '../model/errors.js';

export class HttpError extends LogstitchError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}
