// The client side shared by fetch and http.request: a child span per outbound call, headers to inject.
import { beginSpan, getActiveContext, type LiveSpan, type SpanLineWriter } from '../../src/context/index.js';
import type { Propagator } from '../../src/propagation/types.js';
import { spanLineWriter, type LoggerLike } from './writer.js';
import { resolvePropagator, type PropagatorOptions } from './options.js';

export interface ClientTraceOptions {
  /** Where client span-end lines go. Default: the logger of the server span the call is made under. */
  logger?: LoggerLike;
  /** The service stamped on client spans. Default: the active context's. */
  service?: string;
  /** A propagator, or the options to build one. */
  propagator?: Propagator | PropagatorOptions;
  /** Calls not to trace, by URL (for example, a metrics endpoint). */
  ignore?: (url: URL) => boolean;
}

export interface ResolvedClientOptions {
  writer: SpanLineWriter | undefined;
  service: string | undefined;
  propagator: Propagator;
  ignore: (url: URL) => boolean;
}

export function resolveClientOptions(options: ClientTraceOptions = {}): ResolvedClientOptions {
  return {
    writer: spanLineWriter(options.logger),
    service: options.service,
    propagator: resolvePropagator(options.propagator),
    ignore: options.ignore ?? (() => false),
  };
}

/** `http://host:port/path`, without credentials or query: what a span may show. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Begins the client span of an outbound call and returns it with the headers to send, or undefined
 * when the call is made outside any trace (a logger or a call outside a context invents no IDs).
 */
export function beginClientSpan(method: string, url: URL, options: ResolvedClientOptions): { span: LiveSpan; headers: Record<string, string> } | undefined {
  if (getActiveContext() === undefined) return undefined;
  if (options.ignore(url)) return undefined;
  const span = beginSpan(`${method} ${url.host}${url.pathname}`, {
    kind: 'client',
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.writer !== undefined ? { writer: options.writer } : {}),
  });
  span.http = { method, url: displayUrl(url) };
  span.timings = {};
  const headers: Record<string, string> = {};
  try {
    options.propagator.inject(span.context, headers);
  } catch {
    // Injection problems must not stop the call.
  }
  return { span, headers };
}

/** Records the response status: 4xx and 5xx are client-span errors (the call did not get what it asked for). */
export function recordResponse(span: LiveSpan, statusCode: number): void {
  span.http = { ...span.http, status_code: statusCode };
  span.timings = { ...span.timings, headers_us: span.elapsed() };
  if (statusCode >= 400) span.status = 'error';
}

export function recordSent(span: LiveSpan): void {
  span.timings = { ...span.timings, sent_us: span.elapsed() };
}

export function recordBodyDone(span: LiveSpan): void {
  span.timings = { ...span.timings, body_us: span.elapsed() };
  span.end();
}

export function recordFailure(span: LiveSpan, error: unknown): void {
  if (span.ended) return;
  span.setError(error);
  span.end();
}
