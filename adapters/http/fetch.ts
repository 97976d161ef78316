// instrumentFetch: traces calls made with the global fetch (undici), through its diagnostics channels.
import diagnostics from 'node:diagnostics_channel';
import type { LiveSpan } from '../../src/context/index.js';
import { beginClientSpan, recordBodyDone, recordFailure, recordResponse, recordSent, resolveClientOptions, type ClientTraceOptions, type ResolvedClientOptions } from './client-span.js';

// undici's request object, as far as the channels show it.
interface UndiciRequest {
  origin: string | URL;
  path: string;
  method: string;
  headers: string | string[] | Record<string, string>;
  addHeader(name: string, value: string): unknown;
}

const CHANNELS = {
  create: 'undici:request:create',
  bodySent: 'undici:request:bodySent',
  headers: 'undici:request:headers',
  trailers: 'undici:request:trailers',
  error: 'undici:request:error',
} as const;

let installed: { options: ResolvedClientOptions; uninstall: () => void } | undefined;

/** Header names already on an undici request, lowercase, whichever of its three shapes it uses. */
function headerNames(headers: UndiciRequest['headers']): Set<string> {
  const names = new Set<string>();
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) names.add(line.slice(0, colon).trim().toLowerCase());
    }
  } else if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) names.add(String(headers[i]).toLowerCase());
  } else if (headers !== null && typeof headers === 'object') {
    for (const name of Object.keys(headers)) names.add(name.toLowerCase());
  }
  return names;
}

/**
 * Traces every fetch made inside a trace context: injects the context headers (unless the caller set
 * them already), and writes a client span-end line with the moments the request was sent, the response
 * headers arrived and the body was done. Returns a function that removes the instrumentation. Calling
 * it again replaces the options.
 */
export function instrumentFetch(options: ClientTraceOptions = {}): () => void {
  const resolved = resolveClientOptions(options);
  if (installed !== undefined) {
    installed.options = resolved;
    return installed.uninstall;
  }
  const spans = new WeakMap<object, LiveSpan>();
  const state = { options: resolved, uninstall: () => {} };
  const onCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    let url: URL;
    try {
      url = new URL(request.path, request.origin);
    } catch {
      return;
    }
    const started = beginClientSpan(request.method, url, state.options);
    if (started === undefined) return;
    spans.set(request, started.span);
    const present = headerNames(request.headers);
    for (const [name, value] of Object.entries(started.headers)) {
      if (!present.has(name)) request.addHeader(name, value);
    }
  };
  const onBodySent = (message: unknown): void => {
    const span = spans.get((message as { request: object }).request);
    if (span !== undefined) recordSent(span);
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const span = spans.get(request);
    if (span !== undefined) recordResponse(span, response.statusCode);
  };
  const onTrailers = (message: unknown): void => {
    const span = spans.get((message as { request: object }).request);
    if (span !== undefined) recordBodyDone(span);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: object; error: unknown };
    const span = spans.get(request);
    if (span !== undefined) recordFailure(span, error);
  };
  const handlers: Array<[string, (message: unknown) => void]> = [
    [CHANNELS.create, onCreate],
    [CHANNELS.bodySent, onBodySent],
    [CHANNELS.headers, onHeaders],
    [CHANNELS.trailers, onTrailers],
    [CHANNELS.error, onError],
  ];
  const subscriptions = handlers.map(([name, handler]) => [name, safe(handler)] as const);
  for (const [name, fn] of subscriptions) diagnostics.subscribe(name, fn);
  state.uninstall = () => {
    for (const [name, fn] of subscriptions) diagnostics.unsubscribe(name, fn);
    installed = undefined;
  };
  installed = state;
  return state.uninstall;
}

// A channel subscriber that throws would surface inside the caller's fetch: never let it.
function safe(handler: (message: unknown) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message);
    } catch {
      // Tracing must never fail the request it observes.
    }
  };
}
