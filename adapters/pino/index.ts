// logstitch/pino: trace stamping and redaction for pino, and the transport that ships to the indexer.
import type { RedactOptions } from '../../src/model/redact.js';
import type { TraceMixinOptions } from './mixin.js';
import { redactLogMethod } from './redact.js';
import { stampHook } from './stamp.js';

export { traceMixin, type TraceMixinOptions, type StampFields } from './mixin.js';
export { redactLogMethod } from './redact.js';
export { stampHook, STAMPS_LINES, type StampOptions } from './stamp.js';
export { getActiveContext, withContext, startSpan } from '../../src/context/index.js';

export interface PinoOptionsInput extends TraceMixinOptions {
  /** Redaction of sensitive keys and card numbers; on by default, false to turn it off. */
  redact?: RedactOptions | false;
}

/**
 * The one line a service adds: `const log = pino({ ...pinoOptions({ service: 'checkout' }) })`.
 * Stamps every line with the active trace (through pino's streamWrite hook, the cheapest place) and
 * redacts personal data before it is serialised. Merge with your own hooks if you have any.
 */
export function pinoOptions(options: PinoOptionsInput = {}): {
  hooks: { streamWrite: (line: string) => string; logMethod?: ReturnType<typeof redactLogMethod> };
} {
  const streamWrite = stampHook(options);
  if (options.redact === false) return { hooks: { streamWrite } };
  return { hooks: { streamWrite, logMethod: redactLogMethod(options.redact ?? {}) } };
}
