// wrapHandler: tracing for a plain node:http request handler, the shape legacy services have.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInSpan } from '../../src/context/index.js';
import { bindEmitter } from './bind.js';
import { resolveHttpOptions, type HttpTraceOptions } from './options.js';
import { beginServerSpan, endServerSpanOnFinish } from './server.js';

export type RequestHandler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (req: Req, res: Res) => unknown;

export interface WrapHandlerOptions extends HttpTraceOptions {
  /** Names the route of a request for span names and metrics (node:http has no router). Default: the path. */
  route?: (req: IncomingMessage) => string | undefined;
}

/**
 * Wraps `handler` for `http.createServer(wrapHandler(handler, options))`: every request runs in its
 * trace context, answers with the trace ID header, and ends with a span-end line. A handler that
 * throws synchronously still gets its span ended (as an error) before the throw goes on.
 */
export function wrapHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: RequestHandler<Req, Res>,
  options: WrapHandlerOptions = {},
): RequestHandler<Req, Res> {
  if (typeof handler !== 'function') throw new TypeError('wrapHandler(handler, options): handler must be a function');
  const resolved = resolveHttpOptions(options, 'wrapHandler');
  const route = options.route;
  return function tracedHandler(this: unknown, req: Req, res: Res) {
    const span = beginServerSpan(req, res, resolved);
    if (span === undefined) return handler.call(this, req, res);
    endServerSpanOnFinish(span, res, () => route?.(req));
    return runInSpan(span, () => {
      bindEmitter(req);
      bindEmitter(res);
      try {
        return handler.call(this, req, res);
      } catch (error) {
        span.setError(error);
        throw error;
      }
    });
  };
}
