// The services of the checkout story (../../../shared/SEED.md): checkout → inventory → warehouse DB →
// shipping → a third-party carrier API, each writing its log file the way such a service would.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { pino } from 'pino';
import winston from 'winston';
import { expressMiddleware, fastifyPlugin, wrapHandler } from '../../adapters/http/index.js';
import { pinoOptions } from '../../adapters/pino/index.js';
import { traceFormat } from '../../adapters/winston/index.js';
import { listen, type SampleService } from '../chain/service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A POST with a JSON body over a fresh connection (no keep-alive: each call is its own trip). */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { error: text } });
        }
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The third-party carrier API: no logs of ours, sometimes failing, sometimes slow (`x-carrier-delay` ms). */
export function startCarrier(options: { failRate: number; random: () => number }): Promise<SampleService> {
  return listen('carrier-api', (req, res) => {
    const delay = Number(req.headers['x-carrier-delay'] ?? 0) || 15 + Math.floor(options.random() * 30);
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        if (options.random() < options.failRate) {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"carrier overloaded"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ carrier: 'ACME Freight', price: 4.9, days: 2 }));
      }, delay);
    });
  });
}

/**
 * Shipping, the legacy service: plain text lines in Python logging's default format, knowing only the
 * X-Request-ID header — no trace context, no spans of its own.
 */
export function startShipping(options: { dir: string; carrierUrl: string }): Promise<SampleService> {
  const file = createWriteStream(join(options.dir, 'shipping.log'), { flags: 'a' });
  const write = (level: string, message: string) => {
    const now = new Date();
    const stamp = now.toISOString().replace('T', ' ').slice(0, 19) + ',' + String(now.getUTCMilliseconds()).padStart(3, '0');
    file.write(`${stamp} - shipping - ${level} - ${message}\n`);
  };
  return listen('shipping', (req, res) => {
    const requestId = String(req.headers['x-request-id'] ?? '-');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const started = Date.now();
      write('INFO', `request_id=${requestId} quote requested for ${chunks.length > 0 ? 'an order' : 'nothing'}`);
      try {
        const quote = await postJson(`${options.carrierUrl}/rates`, { parcels: 1 }, { 'x-request-id': requestId, ...(req.headers['x-carrier-delay'] !== undefined ? { 'x-carrier-delay': String(req.headers['x-carrier-delay']) } : {}) });
        if (quote.status !== 200) {
          write('ERROR', `request_id=${requestId} carrier API answered ${quote.status} after ${Date.now() - started} ms: ${quote.body?.error ?? 'no reason'}`);
          res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"carrier unavailable"}');
          return;
        }
        write('INFO', `request_id=${requestId} quote ${quote.body.price} EUR from ${quote.body.carrier} in ${Date.now() - started} ms`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(quote.body));
      } catch (error) {
        write('ERROR', `request_id=${requestId} carrier API unreachable: ${(error as Error).message}`);
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"carrier unreachable"}');
      }
    });
  }).then((service) => ({ ...service, close: async () => (await service.close(), await new Promise<void>((done) => file.end(done))) }));
}

/** The warehouse database, behind a small HTTP front (node:http + pino), answering stock queries in a few ms. */
export function startWarehouse(options: { dir: string; random: () => number }): Promise<SampleService> {
  const log = pino({ ...pinoOptions({ service: 'warehouse-db' }), base: undefined }, pino.destination({ dest: join(options.dir, 'warehouse-db.log'), sync: false, mkdir: true }));
  return listen(
    'warehouse-db',
    wrapHandler((req, res) => {
      req.resume();
      req.on('end', async () => {
        await sleep(3 + Math.floor(options.random() * 10));
        log.info({ rows: 2 }, 'SELECT sku, on_hand FROM stock WHERE sku IN (?, ?)');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"on_hand":12}');
      });
    }, { service: 'warehouse-db', logger: log }),
  ).then((service) => ({ ...service, close: async () => (await service.close(), log.flush()) }));
}

/** Inventory: fastify + winston (JSON to a file); asks the warehouse, then shipping (through `shippingUrl`). */
export async function startInventory(options: { dir: string; warehouseUrl: string; shippingUrl: string }): Promise<SampleService> {
  const logger = winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json(), traceFormat({ service: 'inventory' })),
    transports: [new winston.transports.File({ filename: join(options.dir, 'inventory.log') })],
  });
  const app = Fastify({ logger: false });
  await app.register(fastifyPlugin, { service: 'inventory', logger });
  app.post('/reserve', async (request, reply) => {
    const body = (request.body ?? {}) as { items?: unknown[] };
    const count = Array.isArray(body.items) ? body.items.length : 0;
    const started = Date.now();
    logger.info('reserving items', { count });
    await postJson(`${options.warehouseUrl}/stock`, { count });
    logger.info('stock checked', { count, after_ms: Date.now() - started });
    const forward: Record<string, string> = {};
    if (request.headers['x-carrier-delay'] !== undefined) forward['x-carrier-delay'] = String(request.headers['x-carrier-delay']);
    const quote = await postJson(`${options.shippingUrl}/quote`, { items: count }, forward);
    if (quote.status !== 200) {
      logger.error('shipping refused the quote', { status: quote.status });
      return reply.code(503).send({ error: 'shipping unavailable' });
    }
    logger.info('items reserved', { count, after_ms: Date.now() - started });
    return { reserved: count, shipping: quote.body };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { name: 'inventory', url: address, close: async () => (await app.close(), await new Promise<void>((done) => (logger.on('finish', done), logger.end()))) };
}

/** Checkout, the front door: express + pino (JSON to a file), calling inventory with fetch. */
export async function startCheckout(options: { dir: string; inventoryUrl: string }): Promise<SampleService> {
  const log = pino({ ...pinoOptions({ service: 'checkout' }), base: undefined }, pino.destination({ dest: join(options.dir, 'checkout.log'), sync: false, mkdir: true }));
  const app = express();
  app.use(expressMiddleware({ service: 'checkout', logger: log }));
  app.use(express.json());
  app.post('/checkout', async (req, res) => {
    const items: unknown[] = Array.isArray(req.body?.items) ? req.body.items : [];
    log.info({ items: items.length }, 'checkout started');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.headers['x-carrier-delay'] !== undefined) headers['x-carrier-delay'] = String(req.headers['x-carrier-delay']);
    try {
      const reply = await fetch(`${options.inventoryUrl}/reserve`, { method: 'POST', headers, body: JSON.stringify({ items }) });
      const body = (await reply.json()) as { reserved?: number; error?: string };
      if (!reply.ok) {
        log.error({ status: reply.status, reason: body.error }, 'inventory could not reserve the items');
        res.status(502).json({ error: 'inventory failed' });
        return;
      }
      log.info({ reserved: body.reserved }, 'checkout complete');
      res.json({ ok: true });
    } catch (error) {
      log.error({ err: error }, 'inventory unreachable');
      res.status(502).json({ error: 'inventory unreachable' });
    }
  });
  const service = await listen('checkout', app);
  return { ...service, close: async () => (await service.close(), log.flush()) };
}
