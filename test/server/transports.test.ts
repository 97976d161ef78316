// The direct transports into the real indexer: a service's pino and winston lines, found by trace ID.
import { pino } from 'pino';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapHandler } from '../../adapters/http/index.js';
import { pinoOptions } from '../../adapters/pino/index.js';
import { IndexerTransport, traceFormat } from '../../adapters/winston/index.js';
import { withContext } from '../../src/context/index.js';
import { getJson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { rawRequest, serve } from '../helpers/servers.js';

let indexer: TestIndexer;
beforeAll(async () => {
  indexer = await startIndexer();
});
afterAll(async () => {
  await indexer.dispose();
});

async function traceWhen(id: string, ready: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const reply = await getJson(`${indexer.url}/api/traces/${id}`);
    if (reply.status === 200 && ready(reply.body)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`trace ${id} never complete`);
}

describe('direct transports into the indexer', () => {
  it('pino: lines and span-end lines of a traced request arrive through logstitch/pino/transport', async () => {
    const transport = pino.transport({ target: 'logstitch/pino/transport', options: { url: indexer.url, flushIntervalMs: 50 } });
    const log = pino(pinoOptions({ service: 'checkout' }), transport);
    const app = await serve(wrapHandler((_req, res) => {
      log.info({ cart: 3 }, 'checkout started');
      log.warn('card 4111 1111 1111 1111 needs 3-D Secure');
      res.end('ok');
    }, { service: 'checkout', logger: log }));
    const res = await rawRequest(`${app.url}/checkout`, { headers: [['X-Trace-ID', 'order-9001']] });
    const traceId = res.headers['x-trace-id'] as string;
    const trace = await traceWhen('order-9001', (t) => (t.logs as unknown[]).length === 3 && (t.spans as unknown[]).length === 1);
    await app.close();
    expect(trace.traceId).toBe(traceId);
    expect(trace.aliases).toEqual(['order-9001']);
    const logs = trace.logs as Array<Record<string, unknown>>;
    expect(logs.map((l) => l.body)).toEqual(['checkout started', expect.stringMatching(/^card \[REDACTED:card\] needs 3-D Secure$/), 'server span GET /checkout 200 in ' + String((logs[2]!.body as string).split(' in ')[1])]);
    expect(logs[0]).toMatchObject({ service: 'checkout', severityNumber: 9, attributes: { cart: 3 } });
    expect(trace.spans).toEqual([expect.objectContaining({ kind: 'server', name: 'GET /checkout', service: 'checkout', origin: 'span-end-line' })]);
    transport.end();
  });

  it('winston: IndexerTransport ships stamped entries', async () => {
    const shipper = new IndexerTransport({ url: indexer.url, flushIntervalMs: 50 });
    const log = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), winston.format.json(), traceFormat({ service: 'inventory' })), transports: [shipper] });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    withContext({ traceId, spanId: 'b7ad6b7169203331', traceFlags: 1 }, () => {
      log.info('reserving items', { count: 2 });
      log.error('warehouse timeout', { after_ms: 9000 });
    });
    const trace = await traceWhen(traceId, (t) => (t.logs as unknown[]).length === 2);
    expect(trace.logs).toEqual([
      expect.objectContaining({ body: 'reserving items', service: 'inventory', spanId: 'b7ad6b7169203331', severityNumber: 9, attributes: expect.objectContaining({ count: 2 }) }),
      expect.objectContaining({ body: 'warehouse timeout', severityNumber: 17 }),
    ]);
    await shipper.flush();
    log.close();
  });
});
