// Legacy request-ID headers (X-Trace-ID, X-Request-ID, X-Correlation-ID): read one as a trace, forward it unchanged.
import { LogstitchError } from '../model/errors.js';
import { isValidTraceId, MAX_LEGACY_ID_LENGTH, traceIdFromLegacy } from '../model/ids.js';
import type { OutboundContext, RemoteContext } from '../model/trace-context.js';
import { firstValue, type Getter, type Propagator, type Setter } from './types.js';
import { definePropagator } from './types.js';

/** The headers legacy services use for a request ID, most trace-like first. */
export const DEFAULT_REQUEST_ID_HEADERS: readonly string[] = Object.freeze(['x-trace-id', 'x-request-id', 'x-correlation-id']);

export interface RequestIdOptions {
  /** Header names to read, in priority order; matched case-insensitively. */
  headers?: string[];
  /** A header to write the trace ID into on every outbound call, even when none came in. */
  alwaysInject?: string;
}

/** An HTTP token: what a header name may be made of (RFC 9110 tchar). */
const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * A value we are willing to forward: printable ASCII without spaces, as traceIdFromLegacy accepts.
 * Checked without hashing, because inject runs on every outbound call.
 */
function isForwardableValue(value: string): boolean {
  if (value.length === 0 || value.length > MAX_LEGACY_ID_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

function normaliseHeaderName(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return lower.length > 0 && HEADER_NAME_RE.test(lower) ? lower : undefined;
}

/** A header name from configuration: a typo here should stop start-up, not silently never match. */
function configuredHeaderName(name: unknown): string {
  const header = typeof name === 'string' ? normaliseHeaderName(name) : undefined;
  if (header === undefined) {
    throw new LogstitchError('PROPAGATION_BAD_HEADER_NAME', `request-id header ${JSON.stringify(name)} is not a valid HTTP header name; use a name such as x-request-id`);
  }
  return header;
}

/** Reads the first configured header whose value maps onto a trace ID; garbage in one header falls through to the next. */
function extractFrom<C>(headers: readonly string[], carrier: C, getter: Getter<C>): RemoteContext | undefined {
  for (const header of headers) {
    const raw = firstValue(getter.get(carrier, header));
    if (typeof raw !== 'string') continue;
    const value = raw.trim();
    const legacy = traceIdFromLegacy(value);
    if (legacy === undefined) continue;
    const context: RemoteContext = { traceId: legacy.traceId, requestId: { header, value }, format: 'request-id' };
    if (legacy.alias !== undefined) context.alias = legacy.alias;
    return context;
  }
  return undefined;
}

function injectInto<C>(alwaysInject: string | undefined, context: OutboundContext, carrier: C, setter: Setter<C>): void {
  const requestId = context.requestId;
  if (requestId !== undefined) {
    const header = normaliseHeaderName(requestId.header);
    // Forward what came in, byte for byte, so the next legacy service logs the same ID.
    if (header !== undefined && isForwardableValue(requestId.value)) setter.set(carrier, header, requestId.value);
    return;
  }
  if (alwaysInject !== undefined && isValidTraceId(context.traceId)) setter.set(carrier, alwaysInject, context.traceId);
}

/**
 * The request-ID format. Extract yields a trace ID (a UUID or 32-hex value maps 1:1, anything else is
 * hashed and kept as an alias) but no parent span and no sampling decision: a legacy caller has neither.
 */
export function requestIdPropagator(options: RequestIdOptions = {}): Propagator {
  const headers: string[] = [];
  for (const name of options.headers ?? DEFAULT_REQUEST_ID_HEADERS) {
    const header = configuredHeaderName(name);
    if (!headers.includes(header)) headers.push(header);
  }
  const alwaysInject = options.alwaysInject === undefined ? undefined : configuredHeaderName(options.alwaysInject);
  const fields = alwaysInject === undefined || headers.includes(alwaysInject) ? headers : [...headers, alwaysInject];
  return definePropagator(
    (carrier, getter) => extractFrom(headers, carrier, getter),
    (context, carrier, setter) => injectInto(alwaysInject, context, carrier, setter),
    fields,
  );
}
