// logstitch/http: trace context in and out of a service over HTTP, with span-end lines for each call.
export { wrapHandler, type WrapHandlerOptions, type RequestHandler } from './node.js';
export { expressMiddleware } from './express.js';
export { fastifyPlugin } from './fastify.js';
export { instrumentFetch } from './fetch.js';
export { instrumentHttp } from './http-client.js';
export { spanLineWriter, type LoggerLike, type SpanLineFunction } from './writer.js';
export type { HttpTraceOptions } from './options.js';
export type { ClientTraceOptions } from './client-span.js';
export { getActiveContext, withContext, startSpan } from '../../src/context/index.js';
