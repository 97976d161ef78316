// The composite propagator: tries the configured formats in priority order and stitches a legacy request ID onto the winner.
import { LogstitchError } from '../model/errors.js';
import type { OutboundContext, PropagationFormat, RemoteContext } from '../model/trace-context.js';
import { b3, b3Multi, b3Single } from './b3.js';
import { jaeger } from './jaeger.js';
import { requestIdPropagator } from './request-id.js';
import type { Getter, Propagator, Setter } from './types.js';
import { w3c } from './w3c.js';
import { definePropagator } from './types.js';

/** A propagation format a composite can read or write. */
export type Format = PropagationFormat;

export interface CompositePropagatorOptions {
  /**
   * Formats to read, first match wins. Default: w3c, b3, jaeger, request-id. `b3` reads the single
   * header and then the X-B3-* headers; `b3multi` reads only the X-B3-* headers.
   */
  extract?: Format[];
  /** Formats to write. Default: w3c and request-id. `b3` writes the single header, `b3multi` the X-B3-* ones. */
  inject?: Format[];
  /** Legacy request-ID headers, in priority order. Default: x-trace-id, x-request-id, x-correlation-id. */
  requestIdHeaders?: string[];
  /** Write the trace ID into this header on every outbound call, even when no request ID came in. */
  alwaysInjectRequestId?: string;
}

export const DEFAULT_EXTRACT_FORMATS: readonly Format[] = Object.freeze(['w3c', 'b3', 'jaeger', 'request-id']);
export const DEFAULT_INJECT_FORMATS: readonly Format[] = Object.freeze(['w3c', 'request-id']);

const FORMATS: readonly Format[] = ['w3c', 'b3', 'b3multi', 'jaeger', 'request-id'];

function checkFormats(formats: readonly unknown[], option: string): Format[] {
  if (!Array.isArray(formats)) {
    throw new LogstitchError('PROPAGATION_BAD_OPTION', `propagation option ${option} must be an array of formats (${FORMATS.join(', ')})`);
  }
  for (const format of formats) {
    if (!FORMATS.includes(format as Format)) {
      throw new LogstitchError('PROPAGATION_UNKNOWN_FORMAT', `unknown propagation format ${JSON.stringify(format)} in ${option}; use one of ${FORMATS.join(', ')}`);
    }
  }
  return [...new Set(formats as Format[])];
}

/** Attaches the request ID that arrived beside another format, with an alias when it names a different trace. */
function stitchRequestId(primary: RemoteContext, legacy: RemoteContext | undefined): RemoteContext {
  if (legacy?.requestId === undefined) return primary;
  const context: RemoteContext = { ...primary, requestId: legacy.requestId };
  // The indexer joins the legacy ID's logs to this trace only if it is told the two are the same request.
  // A hashed ID keeps its alias even when it is this trace (a hop downstream of the front door), so
  // every service stamps the same alias, as the one that first saw the ID did.
  if (legacy.traceId !== primary.traceId) context.alias = legacy.requestId.value;
  else if (legacy.alias !== undefined) context.alias = legacy.alias;
  return context;
}

/** Builds a propagator that reads and writes the given formats; throws LogstitchError on an unknown format. */
export function createPropagator(options: CompositePropagatorOptions = {}): Propagator {
  const extractFormats = checkFormats(options.extract ?? DEFAULT_EXTRACT_FORMATS, 'extract');
  const injectFormats = checkFormats(options.inject ?? DEFAULT_INJECT_FORMATS, 'inject');
  const requestId = requestIdPropagator({ headers: options.requestIdHeaders, alwaysInject: options.alwaysInjectRequestId });
  const readers: Record<Format, Propagator> = { w3c, b3, b3multi: b3Multi, jaeger, 'request-id': requestId };
  const writers: Record<Format, Propagator> = { w3c, b3: b3Single, b3multi: b3Multi, jaeger, 'request-id': requestId };
  const extractors = extractFormats.map((format) => readers[format]);
  const injectors = injectFormats.map((format) => writers[format]);
  const stitch = extractFormats.includes('request-id');

  const extract = <C>(carrier: C, getter: Getter<C>): RemoteContext | undefined => {
    for (const propagator of extractors) {
      const context = propagator.extract(carrier, getter);
      if (context === undefined) continue;
      if (!stitch || context.format === 'request-id') return context;
      return stitchRequestId(context, requestId.extract(carrier, getter));
    }
    return undefined;
  };
  const inject = <C>(context: OutboundContext, carrier: C, setter: Setter<C>): void => {
    for (const propagator of injectors) propagator.inject(context, carrier, setter);
  };
  const fields = new Set<string>();
  for (const propagator of [...extractors, ...injectors]) for (const field of propagator.fields()) fields.add(field);
  return definePropagator(extract, inject, [...fields]);
}

/** W3C first, then B3, Jaeger and request IDs; writes traceparent/tracestate and forwards a request ID. */
export const defaultPropagator: Propagator = createPropagator();
