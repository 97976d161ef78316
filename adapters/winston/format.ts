// traceFormat: a winston format stamping the active trace on each entry, and redacting it.
import winston from 'winston';
import { getActiveContext } from '../../src/context/index.js';
import { createRedactor, type RedactOptions } from '../../src/model/redact.js';

export interface TraceFormatOptions {
  /** Stamped as `service`. Default: OTEL_SERVICE_NAME, else the service of the active span. */
  service?: string;
  /** Redaction of sensitive keys and card numbers; on by default, false to turn it off. */
  redact?: RedactOptions | false;
}

/**
 * `winston.createLogger({ format: winston.format.combine(traceFormat({ service }), winston.format.json()) })`.
 * Stamps trace_id, span_id, trace_flags, service and trace_alias (when present) with the same names as
 * the pino mixin; outside any trace only `service`.
 */
export function traceFormat(options: TraceFormatOptions = {}): winston.Logform.Format {
  const configured = options.service ?? process.env.OTEL_SERVICE_NAME;
  const redactor = options.redact === false ? undefined : createRedactor(options.redact ?? {});
  const stamp = winston.format((info) => {
    if (redactor !== undefined) redactor.redactInPlace(info as Record<string | symbol, unknown>);
    const ctx = getActiveContext();
    const service = configured ?? ctx?.service;
    if (ctx !== undefined) {
      info.trace_id = ctx.traceId;
      info.span_id = ctx.spanId;
      info.trace_flags = ctx.flags;
      if (ctx.alias !== undefined) info.trace_alias = ctx.alias;
    }
    if (service !== undefined && info.service === undefined) info.service = service;
    return info;
  });
  return stamp();
}
