// A service with a stock OpenTelemetry Node SDK, configured only through OTEL_* environment variables,
// that records one trace with a child span and two log records, then shuts down (which flushes).
import { NodeSDK } from '@opentelemetry/sdk-node';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';

const sdk = new NodeSDK();
sdk.start();
const tracer = trace.getTracer('otel-sdk-child');
const logger = logs.getLogger('otel-sdk-child');
let ids;
await tracer.startActiveSpan('checkout', async (root) => {
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'checkout started', attributes: { cart: 3 } });
  await tracer.startActiveSpan('charge card', async (child) => {
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment provider timed out' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
    child.end();
  });
  ids = { traceId: root.spanContext().traceId, spanId: root.spanContext().spanId };
  root.end();
});
await sdk.shutdown();
process.stdout.write(JSON.stringify(ids));
