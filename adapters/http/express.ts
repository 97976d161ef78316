// expressMiddleware: tracing for Express (4 and 5) as the first middleware of an app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInSpan } from '../../src/context/index.js';
import { resolveHttpOptions, type HttpTraceOptions } from './options.js';
import { beginServerSpan, endServerSpanOnFinish } from './server.js';

interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** The matched route template (`/orders/:id`), known only after routing. */
function expressRoute(req: ExpressRequest): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  return `${req.baseUrl ?? ''}${path}` || '/';
}

/**
 * `app.use(expressMiddleware({ service: 'checkout', logger }))` before any route: every request runs
 * in its trace context (body parsers included), answers with the trace ID header and ends with a
 * span-end line named after the matched route.
 */
export function expressMiddleware(options: HttpTraceOptions = {}) {
  const resolved = resolveHttpOptions(options, 'expressMiddleware');
  return function logstitchExpress(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    const span = beginServerSpan(req, res, resolved);
    if (span === undefined) return next();
    endServerSpanOnFinish(span, res, () => expressRoute(req as ExpressRequest));
    runInSpan(span, () => next());
  };
}
