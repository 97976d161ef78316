// The shipping service of the sample chain: plain node:http and console.log, the legacy way.
import { Console } from 'node:console';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { wrapHandler } from '../../adapters/http/index.js';
import { patchConsole } from '../../adapters/console/index.js';
import { listen, type SampleService } from './service.js';

export async function startShipping(options: { logs: Writable; port?: number }): Promise<SampleService> {
  const out = new Console({ stdout: options.logs, stderr: options.logs });
  patchConsole({ console: out });
  // Legacy code: reads its body from 'data' events and prints with console.log.
  function handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      let order: { items?: number; fail?: string } = {};
      try {
        order = JSON.parse(raw || '{}') as typeof order;
      } catch {
        out.error('bad quote request body');
      }
      out.log(`quoting shipping for ${order.items ?? 0} items`);
      if (order.fail === 'shipping') {
        out.error('carrier API refused the quote: upstream timeout');
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'carrier timeout' }));
        return;
      }
      const quote = { carrier: 'ACME Freight', price: 4.9 + (order.items ?? 0) * 0.5 };
      out.log(`quote ready: ${quote.carrier} ${quote.price.toFixed(2)} EUR`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(quote));
    });
  }
  return listen('shipping', wrapHandler(handle, { service: 'shipping', logger: out, route: () => '/quote' }), options.port);
}
