// fastifyPlugin: tracing for Fastify, registered once at the root (`app.register(fastifyPlugin, opts)`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInSpan, type LiveSpan } from '../../src/context/index.js';
import { resolveHttpOptions, type HttpTraceOptions } from './options.js';
import { beginServerSpan, endServerSpanOnFinish } from './server.js';

// The few parts of Fastify's types we touch; Fastify itself stays an optional dependency.
interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  raw: ServerResponse;
}
type HookDone = (err?: Error) => void;
interface FastifyLike {
  addHook(name: 'onRequest' | 'preValidation' | 'preHandler', hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: HookDone) => void): unknown;
}

const SPAN = Symbol('logstitch.span');
type WithSpan = FastifyRequestLike & { [SPAN]?: LiveSpan };

/**
 * The context is entered in onRequest and entered again in preValidation, because Fastify parses the
 * body from stream events that run outside the request's async context; without the second entry a
 * POST handler would log without its trace ID.
 */
export function fastifyPlugin(fastify: FastifyLike, options: HttpTraceOptions, done: (err?: Error) => void): void {
  let resolved;
  try {
    resolved = resolveHttpOptions(options, 'fastifyPlugin');
  } catch (error) {
    done(error as Error);
    return;
  }
  const settings = resolved;
  fastify.addHook('onRequest', (request, reply, next) => {
    const span = beginServerSpan(request.raw, reply.raw, settings);
    if (span === undefined) return next();
    (request as WithSpan)[SPAN] = span;
    endServerSpanOnFinish(span, reply.raw, () => request.routeOptions?.url);
    runInSpan(span, () => next());
  });
  fastify.addHook('preValidation', (request, _reply, next) => {
    const span = (request as WithSpan)[SPAN];
    if (span === undefined) return next();
    runInSpan(span, () => next());
  });
  done();
}

// Registered at the root rather than encapsulated, so its hooks see every route (Fastify's documented
// `skip-override` marker, which the fastify-plugin helper sets too).
const meta = fastifyPlugin as unknown as Record<symbol, unknown>;
meta[Symbol.for('skip-override')] = true;
meta[Symbol.for('fastify.display-name')] = 'logstitch';
meta[Symbol.for('plugin-meta')] = { name: 'logstitch', fastify: '>=4' };
