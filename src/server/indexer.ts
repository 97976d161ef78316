// The indexer process: one HTTP server wiring the receivers, the store and the query API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { wrapHandler } from '../../adapters/http/index.js';
import { pinoOptions } from '../../adapters/pino/index.js';
import { LogstitchError } from '../model/errors.js';
import type { Store } from '../store/types.js';
import { bearerCheck } from './auth.js';
import type { IndexerConfig } from './config.js';
import { HttpError } from './errors.js';
import { sendError, sendJson } from './respond.js';
import { TailSampler } from '../correlate/index.js';
import { Correlator } from './correlation.js';
import { Intake } from './intake.js';
import { coverage, errorMetrics, prometheusMetrics } from './routes/metrics.js';
import { ingestNative, ingestOtlp, ingestZipkin, type IngestContext } from './routes/ingest.js';
import { getTrace, search, services } from './routes/query.js';
import { createUiHandler } from './routes/ui.js';

/**
 * A client still sending a body we refused: read and discard the rest for a while, then close.
 * Closing at once with unread data makes the kernel reset the connection, which can destroy our answer
 * before the client reads it; reading forever would let a client hold the connection.
 */
function drainRefusedBody(req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), 5_000);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

export interface Indexer {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly store: Store;
  listen(): Promise<void>;
  /** Stops taking requests, lets those in flight finish (their batches commit), then closes the store. */
  close(): Promise<void>;
}

export interface IndexerOptions {
  config: IndexerConfig;
  store: Store;
  /** The indexer's own logger; by default pino to stdout, stamped by logstitch's own adapter. */
  logger?: Logger;
}

/** How often clock offsets are learned from the spans stored since the last time. */
const LEARN_EVERY_MS = 30_000;
/** How often the tail sampler's decided traces are stored. */
const RELEASE_EVERY_MS = 1000;

/** Builds the indexer around an opened store; nothing listens until listen(). */
export function createIndexer(options: IndexerOptions): Indexer {
  const { config, store } = options;
  const log = options.logger ?? pino({ ...pinoOptions({ service: 'logstitch-indexer' }), level: config.logLevel });
  const ingestAuth = bearerCheck(config.ingestToken, 'ingest');
  const queryAuth = bearerCheck(config.queryToken, 'query');
  const correlator = new Correlator({ store });
  // Always there, so the API can say what was observed and kept; it holds traces back only when enabled.
  const sampler = new TailSampler(config.tailSampling, { p99: (service) => correlator.p99Of(service) });
  const intake = new Intake({ store, sampler, redact: config.redact, redactEmails: config.redactEmails, rollups: (logs, spans) => correlator.rollups(logs, spans) });
  let learning: NodeJS.Timeout | undefined;
  let releasing: NodeJS.Timeout | undefined;
  const learn = () =>
    void Promise.all([correlator.learn(), correlator.refreshP99()]).catch((error: unknown) => log.warn({ err: error }, 'learning clock offsets failed'));
  const release = () => void intake.release().catch((error: unknown) => log.error({ err: error }, 'storing sampled traces failed'));
  const ingest: IngestContext = { intake, limits: { maxBodyBytes: config.maxBodyBytes, maxDecompressedBytes: config.maxDecompressedBytes } };
  const ui = createUiHandler();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://indexer');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'GET /healthz');
      return sendJson(res, closing ? 503 : 200, { status: closing ? 'closing' : 'ok' });
    }
    if (method === 'POST') {
      ingestAuth(req);
      if (closing) throw new HttpError(503, 'CLOSING', 'the indexer is shutting down; retry shortly');
      switch (path) {
        case '/ingest':
          return ingestNative(req, res, ingest);
        case '/v1/logs':
          return ingestOtlp(req, res, ingest, 'logs');
        case '/v1/traces':
          return ingestOtlp(req, res, ingest, 'traces');
        case '/api/v2/spans':
          return ingestZipkin(req, res, ingest);
      }
    }
    if (method === 'GET' && path.startsWith('/api/')) {
      queryAuth(req);
      if (path.startsWith('/api/traces/')) return getTrace(res, correlator, path.slice('/api/traces/'.length), url.searchParams);
      if (path === '/api/search') return search(res, store, url.searchParams);
      if (path === '/api/services') return services(res, store);
      if (path === '/api/metrics/errors') return errorMetrics(res, store, url.searchParams, Date.now() * 1000, sampler.stats());
      if (path === '/api/coverage') return coverage(res, store, url.searchParams, Date.now() * 1000);
    }
    if (method === 'GET' && path === '/metrics') {
      queryAuth(req);
      return prometheusMetrics(res, store);
    }
    // Everything else a browser GETs is the web UI's (its paths and bundle); the API's prefixes never are.
    if ((method === 'GET' || method === 'HEAD') && !/^\/(?:api|v1|ingest|healthz|metrics)(?:\/|$)/.test(path) && (await ui(req, res, path))) return;
    throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${path}; see the README's API section`);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const work = route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status >= 500) log.error({ err: error }, 'request failed');
        if (!req.complete) drainRefusedBody(req);
        return sendError(res, error.status, error.code, error.message);
      }
      log.error({ err: error, path: req.url }, 'request failed');
      const message = error instanceof LogstitchError ? error.message : 'internal error; the indexer logged the details';
      // A store that cannot be reached (ClickHouse down) is temporary: 503 tells senders to retry.
      const status = error instanceof LogstitchError && error.code === 'STORE_UNAVAILABLE' ? 503 : 500;
      sendError(res, status, error instanceof LogstitchError ? error.code : 'INTERNAL', message);
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  const server: Server = createServer(wrapHandler(handle, { service: 'logstitch-indexer', logger: log, ignorePaths: ['/healthz'] }));
  server.keepAliveTimeout = 65_000;
  let url = '';

  return {
    get url() {
      return url;
    },
    store,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${host}:${address.port}`;
          log.info({ url, data: config.dataDir, ingestAuth: config.ingestToken !== undefined, queryAuth: config.queryToken !== undefined }, 'indexer listening');
          learn();
          learning = setInterval(learn, LEARN_EVERY_MS).unref();
          if (config.tailSampling.enabled === true) releasing = setInterval(release, RELEASE_EVERY_MS).unref();
          resolve();
        });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(learning);
      clearInterval(releasing);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await stopped;
      // Traces still held by the sampler are decided now, not lost.
      await intake.release(true).catch((error: unknown) => log.error({ err: error }, 'storing sampled traces at shutdown failed'));
      await store.close();
      log.info('indexer stopped');
    },
  };
}
