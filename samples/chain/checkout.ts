// The checkout service of the sample chain: Express with pino, calling inventory with fetch.
import express from 'express';
import { pino, type DestinationStream } from 'pino';
import { expressMiddleware } from '../../adapters/http/index.js';
import { pinoOptions } from '../../adapters/pino/index.js';
import { listen, type SampleService } from './service.js';

export async function startCheckout(options: { inventoryUrl: string; logs: DestinationStream; port?: number }): Promise<SampleService> {
  const log = pino({ ...pinoOptions({ service: 'checkout' }), base: undefined }, options.logs);
  const app = express();
  app.use(expressMiddleware({ service: 'checkout', logger: log }));
  app.use(express.json());
  app.post('/checkout', async (req, res) => {
    const items: unknown[] = Array.isArray(req.body?.items) ? req.body.items : [];
    log.info({ items: items.length, card: req.body?.card }, 'checkout started');
    const reply = await fetch(`${options.inventoryUrl}/reserve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items, fail: req.body?.fail }),
    });
    const body = (await reply.json()) as { reserved?: number; shipping?: unknown; error?: string };
    if (!reply.ok) {
      log.error({ status: reply.status, reason: body.error }, 'inventory could not reserve the items');
      res.status(502).json({ error: 'inventory failed' });
      return;
    }
    log.info({ reserved: body.reserved }, 'checkout complete');
    res.json({ ok: true, reserved: body.reserved, shipping: body.shipping });
  });
  return listen('checkout', app, options.port);
}
