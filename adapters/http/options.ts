// The options every HTTP adapter takes, checked once when the adapter is created.
import type { SpanLineWriter } from '../../src/context/index.js';
import { checkRatio } from '../../src/context/index.js';
import { createPropagator, type CompositePropagatorOptions } from '../../src/propagation/index.js';
import type { Propagator } from '../../src/propagation/types.js';
import { spanLineWriter, type LoggerLike } from './writer.js';

export type PropagatorOptions = CompositePropagatorOptions;

export interface HttpTraceOptions {
  /** The service name stamped on span-end lines. Default: OTEL_SERVICE_NAME. */
  service?: string;
  /** Where span-end lines go: a pino or winston logger, console, or a function. */
  logger?: LoggerLike;
  /** A propagator, or the options to build one (formats to extract and inject, request-id headers). */
  propagator?: Propagator | PropagatorOptions;
  /** Head sampling ratio (0–1) for traces that start here or arrive without a decision. Default 1. */
  sampleRatio?: number;
  /** Response header that returns the trace ID to the caller; false to send none. Default `x-trace-id`. */
  responseHeader?: string | false;
  /** Requests not to trace (health checks): exact paths or patterns matched against the path. */
  ignorePaths?: Array<string | RegExp>;
}

export interface ResolvedHttpOptions {
  service: string | undefined;
  writer: SpanLineWriter | undefined;
  propagator: Propagator;
  sampleRatio: number;
  responseHeader: string | undefined;
  ignore: (path: string) => boolean;
}

/** A propagator as given, or one built from the options given. */
export function resolvePropagator(value: Propagator | PropagatorOptions | undefined): Propagator {
  const p = value as Partial<Propagator> | undefined;
  const given = typeof p?.inject === 'function' && typeof p.extract === 'function' && typeof p.fields === 'function';
  return given ? (value as Propagator) : createPropagator(value as PropagatorOptions | undefined);
}

export function resolveHttpOptions(options: HttpTraceOptions = {}, where = 'logstitch/http'): ResolvedHttpOptions {
  const header = options.responseHeader;
  if (header !== undefined && header !== false && (typeof header !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header))) {
    throw new TypeError(`${where}: responseHeader must be a header name or false, got ${JSON.stringify(header)}`);
  }
  const ignorePaths = options.ignorePaths ?? [];
  return {
    service: options.service ?? process.env.OTEL_SERVICE_NAME,
    writer: spanLineWriter(options.logger),
    propagator: resolvePropagator(options.propagator),
    sampleRatio: checkRatio(options.sampleRatio, where),
    responseHeader: header === false ? undefined : (header ?? 'x-trace-id').toLowerCase(),
    ignore: ignorePaths.length === 0 ? () => false : (path) => ignorePaths.some((p) => (typeof p === 'string' ? p === path : p.test(path))),
  };
}
