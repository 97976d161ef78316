// The server side of every HTTP adapter: extract or start a trace, echo it, and report the span at the end.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { beginSpan, type LiveSpan } from '../../src/context/index.js';
import type { ResolvedHttpOptions } from './options.js';

/** Path without query string: what a span may show without leaking parameters. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Begins the server span for a request, or returns undefined for ignored paths. Extraction never
 * throws: a broken header simply starts a new trace.
 */
export function beginServerSpan(req: IncomingMessage, res: ServerResponse, options: ResolvedHttpOptions): LiveSpan | undefined {
  const target = pathOf(req.url);
  if (options.ignore(target)) return undefined;
  let remote;
  try {
    remote = options.propagator.extract(req.headers);
  } catch {
    remote = undefined;
  }
  const method = req.method ?? 'GET';
  const span = beginSpan(method, {
    kind: 'server',
    remote,
    root: true,
    service: options.service,
    writer: options.writer,
    sampleRatio: options.sampleRatio,
  });
  span.http = { method, target };
  if (options.responseHeader !== undefined && !res.headersSent) {
    try {
      res.setHeader(options.responseHeader, span.context.traceId);
    } catch {
      // Headers already flushed by an earlier middleware: the trace still runs.
    }
  }
  return span;
}

/**
 * Ends the span when the response is finished, or when the connection closes first. `route` is read
 * at the end, because frameworks only know the matched route after routing.
 */
export function endServerSpanOnFinish(span: LiveSpan, res: ServerResponse, route: () => string | undefined): void {
  const done = (): void => {
    if (span.ended) return;
    const http = span.http ?? {};
    const matched = safeRoute(route);
    if (matched !== undefined) http.route = matched;
    http.status_code = res.statusCode;
    span.http = http;
    span.name = `${http.method ?? 'GET'} ${matched ?? http.target ?? ''}`.trim();
    if (!res.writableFinished) {
      span.status = 'error';
      span.error = 'connection closed before the response was complete';
    } else if (res.statusCode >= 500) {
      span.status = 'error';
    }
    span.end();
  };
  res.once('finish', done);
  res.once('close', done);
}

function safeRoute(route: () => string | undefined): string | undefined {
  try {
    return route();
  } catch {
    return undefined;
  }
}
