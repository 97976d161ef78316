// logstitch/pino: trace stamping and redaction for pino, and the transport that ships to the indexer.
import type { RedactOptions } from '../../src/model/redact.js';
import { traceMixin, type StampFields, type TraceMixinOptions } from './mixin.js';
import { redactLogMethod } from './redact.js';

export { traceMixin, type TraceMixinOptions, type StampFields } from './mixin.js';
export { redactLogMethod } from './redact.js';
export { getActiveContext, withContext, startSpan } from '../../src/context/index.js';

export interface PinoOptionsInput extends TraceMixinOptions {
  /** Redaction of sensitive keys and card numbers; on by default, false to turn it off. */
  redact?: RedactOptions | false;
}

/**
 * The one line a service adds: `const log = pino({ ...pinoOptions({ service: 'checkout' }) })`.
 * Stamps every line with the active trace and redacts personal data before it is written.
 */
export function pinoOptions(options: PinoOptionsInput = {}): {
  mixin: () => StampFields;
  hooks?: { logMethod: ReturnType<typeof redactLogMethod> };
} {
  const mixin = traceMixin(options);
  if (options.redact === false) return { mixin };
  return { mixin, hooks: { logMethod: redactLogMethod(options.redact ?? {}) } };
}
