// traceFormat: a winston format stamping the active trace on each entry, and redacting it.
import stringify from 'safe-stable-stringify';
import winston from 'winston';
import { getActiveContext, type ActiveContext } from '../../src/context/index.js';
import { createRedactor, type RedactOptions } from '../../src/model/redact.js';

export interface TraceFormatOptions {
  /** Stamped as `service`. Default: OTEL_SERVICE_NAME, else the service of the active span. */
  service?: string;
  /** Redaction of sensitive keys and card numbers; on by default, false to turn it off. */
  redact?: RedactOptions | false;
}

/** Where winston keeps the rendered line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
// Rendering as logform's json() does, for the rare entry that redaction changed after it was rendered.
const renderJson = stringify.configure({});

type Info = winston.Logform.TransformableInfo & Record<string | symbol, unknown>;

/**
 * Stamps trace_id, span_id, trace_flags, service and trace_alias (when present), with the names the
 * pino plugin uses; outside a trace only `service`. After `json()` it splices the fields, built once per
 * context, into the rendered line: adding four fields to the entry instead costs about two thirds of a
 * bare winston call, because json() sorts and escapes every field. Before any other format it sets the
 * fields on the entry, so printf, logfmt and the rest can show them.
 */
export function traceFormat(options: TraceFormatOptions = {}): winston.Logform.Format {
  const configured = options.service ?? process.env.OTEL_SERVICE_NAME;
  const fixedService = configured === undefined ? undefined : `,"service":${JSON.stringify(configured)}`;
  const redactor = options.redact === false ? undefined : createRedactor(options.redact ?? {});
  const serviceJson = (ctx: ActiveContext | undefined): string => fixedService ?? (ctx?.service === undefined ? '' : `,"service":${JSON.stringify(ctx.service)}`);
  const stamp = winston.format((entry) => {
    const info = entry as Info;
    const rendered = info[MESSAGE];
    const ctx = getActiveContext();
    if (typeof rendered === 'string' && rendered.charCodeAt(0) === OPEN_BRACE && rendered.charCodeAt(rendered.length - 1) === CLOSE_BRACE) {
      // The line was rendered from the entry's fields: redact those, and render again only if that changed
      // something (rare), rather than scanning the whole rendered line on every call.
      const changed = redactor?.redactInPlace(info, false) ?? false;
      const line = changed ? (renderJson(info) ?? rendered) : rendered;
      // An entry that names its own trace or service (a span-end line does) keeps them: no duplicate keys.
      const service = info.service === undefined ? serviceJson(ctx) : '';
      const fields = ctx === undefined || info.trace_id !== undefined ? service : ctx.stampWith(service);
      if (fields.length > 0) info[MESSAGE] = line.length > 2 ? line.slice(0, -1) + fields + '}' : `{${fields.slice(1)}}`;
      else if (changed) info[MESSAGE] = line;
      return info;
    }
    redactor?.redactInPlace(info);
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
