// The sample chain: checkout (express, pino) → inventory (fastify, winston) → shipping (node:http, console).
import { instrumentFetch, instrumentHttp } from '../../adapters/http/index.js';
import { startCheckout } from './checkout.js';
import { startInventory } from './inventory.js';
import { LineSink } from './lines.js';
import type { SampleService } from './service.js';
import { startShipping } from './shipping.js';

export { LineSink } from './lines.js';
export type { SampleService } from './service.js';

export type ServiceName = 'checkout' | 'inventory' | 'shipping';

export interface SampleChain {
  services: Record<ServiceName, SampleService>;
  /** Every line each service logged, in order. */
  logs: Record<ServiceName, LineSink>;
  /** POSTs a checkout through the chain with the given inbound headers. */
  checkout(headers?: Record<string, string>, body?: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts the three services on loopback ports, with outbound fetch and http.request traced. `echo`
 * receives each log line as it is written, with the service that wrote it.
 */
export async function startChain(options: { echo?: (service: ServiceName, line: string) => void } = {}): Promise<SampleChain> {
  const sink = (name: ServiceName) => new LineSink(options.echo === undefined ? undefined : (line) => options.echo?.(name, line));
  const logs = { checkout: sink('checkout'), inventory: sink('inventory'), shipping: sink('shipping') };
  const uninstallFetch = instrumentFetch();
  const uninstallHttp = instrumentHttp();
  const shipping = await startShipping({ logs: logs.shipping });
  const inventory = await startInventory({ shippingUrl: shipping.url, logs: logs.inventory });
  const checkout = await startCheckout({ inventoryUrl: inventory.url, logs: logs.checkout });
  return {
    services: { checkout, inventory, shipping },
    logs,
    checkout: (headers = {}, body = { items: ['book', 'lamp'] }) =>
      fetch(`${checkout.url}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    async close() {
      await checkout.close();
      await inventory.close();
      await shipping.close();
      uninstallFetch();
      uninstallHttp();
    },
  };
}
