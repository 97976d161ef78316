// A stand-in indexer for the transport tests: a real HTTP server on 127.0.0.1 that speaks POST /ingest.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface IngestRequest {
  at: number;
  path: string;
  batchId: string | undefined;
  headers: http.IncomingHttpHeaders;
  /** Body size on the wire. */
  wireBytes: number;
  lines: string[];
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Decides each answer; `attempt` counts the requests seen so far for the same batch ID (0 for the first). */
export type Responder = (request: IngestRequest, attempt: number) => Reply | 'hang';

const accept: Responder = (request) => ({ status: 200, body: { accepted: request.lines.length, rejected: 0, errors: [] } });

export class Receiver {
  /** Every request, retries included, in arrival order. */
  readonly requests: IngestRequest[] = [];
  /** Batches stored, once per batch ID, as the real indexer will. */
  readonly stored: IngestRequest[] = [];
  respond: Responder = accept;
  private readonly seen = new Map<string, number>();
  private readonly server: http.Server;

  private constructor(readonly port: number) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** Starts on `port` (an ephemeral one by default). */
  static async start(port = 0): Promise<Receiver> {
    const receiver = new Receiver(port);
    receiver.server.listen(port, '127.0.0.1');
    await once(receiver.server, 'listening');
    (receiver as { port: number }).port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  /** A port nothing listens on (yet): an indexer that is down. */
  static async freePort(): Promise<number> {
    const server = http.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The stored lines, in order. */
  lines(): string[] {
    return this.stored.flatMap((request) => request.lines);
  }

  async waitFor(what: string, predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
      const text = body.toString('utf8');
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      const batchId = req.headers['x-logstitch-batch-id'] as string | undefined;
      const request: IngestRequest = { at: Date.now(), path: req.url ?? '', batchId, headers: req.headers, wireBytes: wire.length, lines };
      this.requests.push(request);
      const attempt = this.seen.get(batchId ?? '') ?? 0;
      this.seen.set(batchId ?? '', attempt + 1);
      const reply = this.respond(request, attempt);
      if (reply === 'hang') return;
      if (reply.status >= 200 && reply.status < 300 && !this.stored.some((stored) => stored.batchId === batchId)) {
        this.stored.push(request);
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  }
}
