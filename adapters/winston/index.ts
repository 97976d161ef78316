// logstitch/winston: trace stamping and redaction for winston, and the transport that ships to the indexer.
export { traceFormat, type TraceFormatOptions } from './format.js';
export { IndexerTransport } from './transport.js';
export { getActiveContext, withContext, startSpan } from '../../src/context/index.js';
