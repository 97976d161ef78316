// redactLogMethod: a pino logMethod hook that redacts what each call logs before pino serialises it.
import { createRedactor, type RedactOptions } from '../../src/model/redact.js';

type LogFn = (...args: unknown[]) => void;

/**
 * `pino({ hooks: { logMethod: redactLogMethod() } })`: the merge object (an Error included: its
 * message, stack, cause and own properties) is replaced by a redacted copy — the caller's object is
 * never changed — and so are the message and its interpolation arguments.
 */
export function redactLogMethod(options: RedactOptions = {}) {
  const redactor = createRedactor(options);
  return function logMethod(this: unknown, args: unknown[], method: LogFn): void {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') args[i] = redactor.redactString(arg);
      else if (typeof arg === 'object' && arg !== null) args[i] = redactor.redactValue(arg);
    }
    method.apply(this, args);
  };
}
