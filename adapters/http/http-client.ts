// instrumentHttp: traces calls made with http.request / http.get and their https twins.
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { runInSpan, type LiveSpan } from '../../src/context/index.js';
import { beginClientSpan, recordBodyDone, recordFailure, recordResponse, recordSent, resolveClientOptions, type ClientTraceOptions, type ResolvedClientOptions } from './client-span.js';

type RequestFn = (...args: unknown[]) => ClientRequest;
type Callback = (res: IncomingMessage) => void;

interface CallShape {
  url: URL | undefined;
  options: RequestOptions;
  callback: Callback | undefined;
  urlArg: string | URL | undefined;
}

function splitArgs(args: unknown[]): CallShape {
  let i = 0;
  let urlArg: string | URL | undefined;
  if (typeof args[0] === 'string' || args[0] instanceof URL) urlArg = args[i++] as string | URL;
  const options = typeof args[i] === 'object' && args[i] !== null ? (args[i++] as RequestOptions) : {};
  const callback = typeof args[i] === 'function' ? (args[i] as Callback) : undefined;
  let url: URL | undefined;
  try {
    url = urlArg !== undefined ? new URL(urlArg) : undefined;
  } catch {
    url = undefined;
  }
  return { url, options, callback, urlArg };
}

/** The URL a call goes to, from whichever of its argument shapes was used. */
function targetUrl(shape: CallShape, defaultProtocol: string): URL | undefined {
  if (shape.url !== undefined && shape.options.host === undefined && shape.options.hostname === undefined) return shape.url;
  const o = shape.options;
  const protocol = o.protocol ?? shape.url?.protocol ?? defaultProtocol;
  const host = o.hostname ?? o.host ?? shape.url?.hostname ?? 'localhost';
  const port = o.port ?? (shape.url?.port || undefined);
  const path = o.path ?? (shape.url !== undefined ? `${shape.url.pathname}${shape.url.search}` : '/');
  try {
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return new URL(`${protocol}//${bracketed}${port !== undefined && port !== null ? `:${port}` : ''}${path}`);
  } catch {
    return undefined;
  }
}

/** Adds our headers to the call's options without overriding any the caller set. */
function withHeaders(options: RequestOptions, add: Record<string, string>): RequestOptions {
  const headers = options.headers;
  if (Array.isArray(headers)) {
    const present = new Set(headers.filter((_, i) => i % 2 === 0).map((h) => String(h).toLowerCase()));
    const extra = Object.entries(add).filter(([name]) => !present.has(name)).flat();
    return { ...options, headers: [...headers, ...extra] as unknown as OutgoingHttpHeaders };
  }
  const merged: OutgoingHttpHeaders = { ...(headers as OutgoingHttpHeaders | undefined) };
  const present = new Set(Object.keys(merged).map((h) => h.toLowerCase()));
  for (const [name, value] of Object.entries(add)) if (!present.has(name)) merged[name] = value;
  return { ...options, headers: merged };
}

function observe(req: ClientRequest, span: LiveSpan): void {
  req.once('finish', () => recordSent(span));
  req.once('response', (res: IncomingMessage) => {
    recordResponse(span, res.statusCode ?? 0);
    res.once('end', () => recordBodyDone(span));
    res.once('error', (error) => recordFailure(span, error));
    res.once('close', () => {
      if (!span.ended) recordFailure(span, new Error('response closed before its body was complete'));
    });
    // Node discards a response nobody listens for; our listener must not change that.
    if (req.listenerCount('response') === 0) res.resume();
  });
  req.once('error', (error) => recordFailure(span, error));
}

function tracedRequest(original: RequestFn, defaultProtocol: string, state: { options: ResolvedClientOptions }): RequestFn {
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    let started;
    let shape: CallShape | undefined;
    try {
      shape = splitArgs(args);
      const url = targetUrl(shape, defaultProtocol);
      started = url === undefined ? undefined : beginClientSpan((shape.options.method ?? 'GET').toUpperCase(), url, state.options);
    } catch {
      started = undefined;
    }
    if (started === undefined || shape === undefined) return original.apply(this, args);
    const options = withHeaders(shape.options, started.headers);
    const callArgs: unknown[] = shape.urlArg !== undefined ? [shape.urlArg, options] : [options];
    if (shape.callback !== undefined) callArgs.push(shape.callback);
    const { span } = started;
    const req = runInSpan(span, () => original.apply(this, callArgs));
    observe(req, span);
    return req;
  };
}

function tracedGet(request: RequestFn): RequestFn {
  return function get(this: unknown, ...args: unknown[]): ClientRequest {
    const req = request.apply(this, args);
    req.end();
    return req;
  };
}

let installed: { state: { options: ResolvedClientOptions }; uninstall: () => void } | undefined;

/**
 * Traces every http.request / http.get / https.request / https.get made inside a trace context: the
 * context headers are added to the call (never overriding the caller's), and a client span-end line
 * records when the request was sent, the response headers arrived and the body was done. ES module
 * imports of node:http see the change too. Returns a function that restores the originals.
 */
export function instrumentHttp(options: ClientTraceOptions = {}): () => void {
  const resolved = resolveClientOptions(options);
  if (installed !== undefined) {
    installed.state.options = resolved;
    return installed.uninstall;
  }
  const state = { options: resolved };
  const originals = { httpRequest: http.request, httpGet: http.get, httpsRequest: https.request, httpsGet: https.get };
  const httpRequest = tracedRequest(originals.httpRequest as RequestFn, 'http:', state);
  const httpsRequest = tracedRequest(originals.httpsRequest as RequestFn, 'https:', state);
  http.request = httpRequest as typeof http.request;
  http.get = tracedGet(httpRequest) as typeof http.get;
  https.request = httpsRequest as typeof https.request;
  https.get = tracedGet(httpsRequest) as typeof https.get;
  syncBuiltinESMExports();
  const uninstall = (): void => {
    if (installed === undefined) return;
    http.request = originals.httpRequest;
    http.get = originals.httpGet;
    https.request = originals.httpsRequest;
    https.get = originals.httpsGet;
    syncBuiltinESMExports();
    installed = undefined;
  };
  installed = { state, uninstall };
  return uninstall;
}
