// The inventory service of the sample chain: Fastify with winston, calling shipping with http.request.
import http from 'node:http';
import Fastify from 'fastify';
import winston from 'winston';
import type { Writable } from 'node:stream';
import { fastifyPlugin } from '../../adapters/http/index.js';
import { traceFormat } from '../../adapters/winston/index.js';
import type { SampleService } from './service.js';

function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startInventory(options: { shippingUrl: string; logs: Writable; port?: number }): Promise<SampleService> {
  const logger = winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json(), traceFormat({ service: 'inventory' })),
    transports: [new winston.transports.Stream({ stream: options.logs })],
  });
  const app = Fastify({ logger: false });
  await app.register(fastifyPlugin, { service: 'inventory', logger });
  app.post('/reserve', async (request, reply) => {
    const body = (request.body ?? {}) as { items?: unknown[]; fail?: string };
    const count = Array.isArray(body.items) ? body.items.length : 0;
    logger.info('reserving items', { count });
    const quote = await postJson(`${options.shippingUrl}/quote`, { items: count, fail: body.fail });
    if (quote.status !== 200) {
      logger.error('shipping refused the quote', { status: quote.status });
      return reply.code(503).send({ error: 'shipping unavailable' });
    }
    logger.info('items reserved', { count });
    return { reserved: count, shipping: quote.body };
  });
  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  return { name: 'inventory', url: address, close: () => app.close() };
}
