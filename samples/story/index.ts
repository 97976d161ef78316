// The checkout story, runnable: five services writing log files, a slow network hop between inventory and
// shipping on demand, and steady traffic with some failures — what `logstitch demo` shows in the UI.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { instrumentFetch, instrumentHttp } from '../../adapters/http/index.js';
import type { SampleService } from '../chain/service.js';
import { startDelayingProxy, type DelayingProxy } from './proxy.js';
import { postJson, startCarrier, startCheckout, startInventory, startShipping, startWarehouse } from './services.js';

export const STORY_SERVICES = ['checkout', 'inventory', 'warehouse-db', 'shipping', 'carrier-api'] as const;

export interface StoryOptions {
  /** Where the services write their log files. */
  logDir: string;
  /** Share of calls the carrier API fails (default 0.06). */
  carrierFailRate?: number;
  /** Seeded randomness for tests; Math.random by default. */
  random?: () => number;
}

export interface CheckoutResult {
  requestId: string;
  status: number;
  ms: number;
}

export interface Story {
  services: SampleService[];
  checkoutUrl: string;
  /** One checkout through the chain, with `X-Request-ID` as a load balancer would set it. */
  checkout(options?: { requestId?: string; carrierDelayMs?: number }): Promise<CheckoutResult>;
  /**
   * The slow checkout: the connection from inventory to shipping waits `delayMs` in the network (other
   * traffic should be paused meanwhile, or it may take the delay instead).
   */
  slowCheckout(requestId: string, delayMs: number): Promise<CheckoutResult>;
  /** Sends a checkout every `everyMs` until stopped; returns the stopper. Pauses while `paused()` says so. */
  traffic(everyMs: number, paused?: () => boolean): { stop(): Promise<void>; idle(): Promise<void>; sent(): CheckoutResult[] };
  close(): Promise<void>;
}

export async function startStory(options: StoryOptions): Promise<Story> {
  mkdirSync(options.logDir, { recursive: true });
  const random = options.random ?? Math.random;
  const uninstallFetch = instrumentFetch();
  const uninstallHttp = instrumentHttp();
  const carrier = await startCarrier({ failRate: options.carrierFailRate ?? 0.06, random });
  const shipping = await startShipping({ dir: options.logDir, carrierUrl: carrier.url });
  const shippingAddress = new URL(shipping.url);
  const proxy: DelayingProxy = await startDelayingProxy({ host: shippingAddress.hostname, port: Number(shippingAddress.port) });
  const warehouse = await startWarehouse({ dir: options.logDir, random });
  const inventory = await startInventory({ dir: options.logDir, warehouseUrl: warehouse.url, shippingUrl: proxy.url });
  const checkout = await startCheckout({ dir: options.logDir, inventoryUrl: inventory.url });
  const services = [checkout, inventory, warehouse, shipping, carrier];

  const send = async (requestId: string, carrierDelayMs?: number): Promise<CheckoutResult> => {
    const started = Date.now();
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (carrierDelayMs !== undefined) headers['x-carrier-delay'] = String(carrierDelayMs);
    try {
      const reply = await postJson(`${checkout.url}/checkout`, { items: ['book', 'lamp'] }, headers);
      return { requestId, status: reply.status, ms: Date.now() - started };
    } catch {
      return { requestId, status: 0, ms: Date.now() - started };
    }
  };

  return {
    services,
    checkoutUrl: checkout.url,
    checkout: (o = {}) => send(o.requestId ?? randomUUID(), o.carrierDelayMs),
    slowCheckout: (requestId, delayMs) => {
      proxy.delayNext(delayMs);
      return send(requestId);
    },
    traffic(everyMs, paused = () => false) {
      const sent: CheckoutResult[] = [];
      const inFlight = new Set<Promise<void>>();
      const timer = setInterval(() => {
        if (paused()) return;
        const p = send(randomUUID()).then((r) => void sent.push(r));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }, everyMs);
      return {
        sent: () => sent,
        async idle() {
          await Promise.allSettled([...inFlight]);
        },
        async stop() {
          clearInterval(timer);
          await Promise.allSettled([...inFlight]);
        },
      };
    },
    async close() {
      await proxy.close();
      for (const s of services) await s.close();
      uninstallFetch();
      uninstallHttp();
    },
  };
}
