// redactLogMethod: a pino logMethod hook that redacts what each call logs before pino serialises it.
import { createRedactor, type RedactOptions } from '../../src/model/redact.js';

type LogFn = (...args: unknown[]) => void;

/**
 * `pino({ hooks: { logMethod: redactLogMethod() } })`: the merge object is copied with sensitive keys
 * and card numbers redacted (the caller's object is never changed), and so are the message and its
 * interpolation arguments. Errors are passed through, with their message redacted in a copy.
 */
export function redactLogMethod(options: RedactOptions = {}) {
  const redactor = createRedactor(options);
  return function logMethod(this: unknown, args: unknown[], method: LogFn): void {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') args[i] = redactor.redactString(arg);
      else if (arg instanceof Error) args[i] = redactError(arg, redactor.redactString);
      else if (typeof arg === 'object' && arg !== null) args[i] = redactor.redactValue(arg);
    }
    method.apply(this, args);
  };
}

function redactError(error: Error, redactString: (s: string) => string): Error {
  const message = redactString(error.message);
  if (message === error.message) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.assign(copy, error);
  Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true, configurable: true });
  if (error.stack !== undefined) copy.stack = error.stack.replace(error.message, message);
  return copy;
}
