// A real HTTP receiver on 127.0.0.1 whose answers the test controls: hold requests unanswered, answer
// them, or refuse them — for what the real indexer cannot be made to do on cue.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedBatch {
  id: string | undefined;
  /** The x-logstitch-observed-time header: when the agent read the batch's lines (µs). */
  observed: string | undefined;
  lines: string[];
}

export interface ControlledSink {
  url: string;
  received: ReceivedBatch[];
  /** Requests waiting for an answer while held. */
  readonly waiting: number;
  /** From now on, requests wait until release(). */
  hold(): void;
  /** Answers every waiting request with 200 and stops holding. */
  release(): void;
  /** Answers with `status` and `body` from now on (until changed). */
  answer(status: number, body: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function startControlledSink(): Promise<ControlledSink> {
  const received: ReceivedBatch[] = [];
  let holding = false;
  let fixed: { status: number; body: Record<string, unknown> } | undefined;
  const waiting: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      const respond = (): void => {
        if (fixed !== undefined) {
          res.writeHead(fixed.status, { 'content-type': 'application/json' }).end(JSON.stringify(fixed.body));
          return;
        }
        received.push({ id: req.headers['x-logstitch-batch-id'] as string | undefined, observed: req.headers['x-logstitch-observed-time'] as string | undefined, lines });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: lines.length, rejected: 0, errors: [], spans: 0, duplicate: false }));
      };
      if (holding) waiting.push(respond);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get waiting() {
      return waiting.length;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const respond of waiting.splice(0)) respond();
    },
    answer(status, body) {
      fixed = { status, body };
    },
    close: () => new Promise<void>((resolve) => {
      for (const respond of waiting.splice(0)) respond();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
