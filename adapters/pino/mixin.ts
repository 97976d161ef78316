// traceMixin: stamps trace_id, span_id, trace_flags, service (and trace_alias) on every pino line.
import { getActiveContext } from '../../src/context/index.js';
import { STAMPS_LINES } from './stamp.js';

export interface TraceMixinOptions {
  /** Stamped as `service` on every line. Default: OTEL_SERVICE_NAME, else the service of the active span. */
  service?: string;
}

export type StampFields = Record<string, string>;

/**
 * `pino({ mixin: traceMixin({ service: 'checkout' }) })`. Outside any trace, lines get only `service`
 * (never invented IDs). pino merges the call's own fields into the object we return, so a fresh object
 * is returned each call; its strings are the context's own, computed once per context.
 */
export function traceMixin(options: TraceMixinOptions = {}): () => StampFields {
  const configured = options.service ?? process.env.OTEL_SERVICE_NAME;
  const mixin = function logstitchMixin(): StampFields {
    const ctx = getActiveContext();
    const service = configured ?? ctx?.service;
    if (ctx === undefined) return service === undefined ? {} : { service };
    if (ctx.alias === undefined) {
      if (service === undefined) return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.flags };
      return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.flags, service };
    }
    const fields: StampFields = { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.flags, trace_alias: ctx.alias };
    if (service !== undefined) fields.service = service;
    return fields;
  };
  (mixin as unknown as Record<symbol, boolean>)[STAMPS_LINES] = true;
  return mixin;
}
