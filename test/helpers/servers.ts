// Real HTTP servers on 127.0.0.1 for tests, and loggers whose lines the test can read.
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { LineSink } from '../../samples/chain/lines.js';
import { pinoOptions } from '../../adapters/pino/index.js';

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function serve(handler: RequestListener): Promise<TestServer> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A pino logger stamped by our mixin, writing into a LineSink the test reads. */
export function capturedPino(service: string) {
  const sink = new LineSink();
  const logger = pino({ ...pinoOptions({ service }), base: undefined }, sink);
  return { logger, sink, json: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Sends a request with raw header pairs (repeats allowed) and returns status, headers and body. */
export function rawRequest(url: string, options: { method?: string; headers?: Array<[string, string]>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // Raw header arrays allow repeats, but Node then adds no Host header of its own.
    const headers = options.headers ?? [];
    const withHost = headers.some(([name]) => name.toLowerCase() === 'host') ? headers : [['host', new URL(url).host], ...headers];
    const flat = withHost.flat();
    const req = http.request(url, { method: options.method ?? 'GET', headers: flat as unknown as http.OutgoingHttpHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));
