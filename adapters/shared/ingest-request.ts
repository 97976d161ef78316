// One `POST /ingest` to the indexer: sends a prepared batch and sorts the answer into accepted, retry or
// refused. The request itself (sendRequest) also carries the agent's batches.
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from './backoff.js';

/** Where and how to send; built once per shipper. */
export interface IngestTarget {
  url: URL;
  token: string | undefined;
  timeoutMs: number;
  agent: http.Agent;
}

/** A batch ready for the wire. Its body and ID never change, so every retry sends the same bytes. */
export interface PreparedBatch {
  id: string;
  body: Buffer;
  gzipped: boolean;
  lineCount: number;
}

export interface LineError {
  line: number;
  reason: string;
}

export type IngestOutcome =
  | { kind: 'accepted'; accepted: number; rejected: number; errors: LineError[] }
  | { kind: 'retry'; reason: string; retryAfterMs: number | undefined }
  | { kind: 'refused'; status: number; reason: string };

/** The most of a reply body we read; the rest is discarded so that no answer can grow our memory. */
const MAX_REPLY_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 300;

/** Creates the keep-alive agent a shipper reuses for its one-at-a-time requests. */
export function createAgent(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: 1 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/** Sends `batch` once. Never rejects: every failure becomes an outcome the shipper can act on. */
export async function postBatch(target: IngestTarget, batch: PreparedBatch, signal?: AbortSignal): Promise<IngestOutcome> {
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/x-ndjson',
    'x-logstitch-batch-id': batch.id,
    'user-agent': 'logstitch-shipper',
  };
  if (batch.gzipped) headers['content-encoding'] = 'gzip';
  const reply = await sendRequest(target, batch.body, headers, signal);
  if (reply.kind === 'failed') return { kind: 'retry', reason: reply.reason, retryAfterMs: undefined };
  return classify(reply, batch.lineCount);
}

/** What one request came to: the indexer's answer (status, headers, at most 64 KiB of text), or why there was none. */
export type RawReply =
  | { kind: 'answered'; status: number; statusMessage: string | undefined; retryAfter: string | undefined; text: string }
  | { kind: 'failed'; reason: string };

/**
 * One POST of `body` (in pieces, written one after another, or whole) to `target`, with its token and a
 * deadline. Never rejects. Shared by the loggers' shippers and the agent's sinks, which sort the answer
 * each their own way.
 */
export function sendRequest(target: IngestTarget, body: Buffer | Buffer[], headers: http.OutgoingHttpHeaders, signal?: AbortSignal): Promise<RawReply> {
  const pieces = Array.isArray(body) ? body : [body];
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return new Promise((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (reply: RawReply): void => {
      if (settled) return;
      settled = true;
      // An answer can come before the body is written (an early refusal): the caller may reuse the body's
      // memory once this resolves, so it resolves only when the request has let go of it (the deadline's
      // timer, still running, destroys a request stuck writing).
      if (request === undefined || request.writableFinished || request.destroyed) {
        clearTimeout(timer);
        return resolve(reply);
      }
      const done = (): void => {
        clearTimeout(timer);
        resolve(reply);
      };
      request.once('finish', done);
      request.once('close', done);
    };
    const all: http.OutgoingHttpHeaders = { ...headers, 'content-length': length };
    if (target.token) all.authorization = `Bearer ${target.token}`;

    const send = target.url.protocol === 'https:' ? https.request : http.request;
    let request: http.ClientRequest | undefined;
    try {
      request = send(target.url, { method: 'POST', headers: all, agent: target.agent, signal });
    } catch (error) {
      finish({ kind: 'failed', reason: describeError(error) });
      return;
    }
    timer = setTimeout(() => {
      request!.destroy(new Error(`no answer from the indexer within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
    timer.unref();

    request.on('error', (error) => finish({ kind: 'failed', reason: describeError(error) }));
    request.on('response', (response) => {
      readReply(response, (text) => {
        const retryAfter = response.headers['retry-after'];
        finish({ kind: 'answered', status: response.statusCode ?? 0, statusMessage: response.statusMessage, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, text });
      });
      response.on('error', (error) => finish({ kind: 'failed', reason: describeError(error) }));
    });
    // Corked, the pieces leave in one write.
    request.cork();
    for (const piece of pieces) request.write(piece);
    request.end();
    request.uncork();
  });
}

function readReply(response: http.IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    if (size >= MAX_REPLY_BYTES) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  response.on('end', () => done(Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8')));
}

function classify(reply: Extract<RawReply, { kind: 'answered' }>, lineCount: number): IngestOutcome {
  const { status, text } = reply;
  if (status >= 200 && status < 300) return acceptedOutcome(text, lineCount);
  const reason = `HTTP ${status}${describeReply(text, reply.statusMessage)}`;
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(reply.retryAfter) };
  return { kind: 'refused', status, reason };
}

function acceptedOutcome(text: string, lineCount: number): IngestOutcome {
  const reply = parseJson(text);
  // An indexer that acknowledges without the counts accepted the whole batch.
  const accepted = nonNegativeInteger(reply?.accepted) ?? lineCount;
  const rejected = nonNegativeInteger(reply?.rejected) ?? 0;
  const errors: LineError[] = [];
  if (Array.isArray(reply?.errors)) {
    for (const entry of reply.errors.slice(0, 100)) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { line, reason } = entry as Record<string, unknown>;
      errors.push({ line: nonNegativeInteger(line) ?? -1, reason: String(reason ?? 'no reason given').slice(0, MAX_REASON_CHARS) });
    }
  }
  return { kind: 'accepted', accepted, rejected, errors };
}

/** The reason an indexer gave, as `: <reason>`: its JSON `error`/`message`/`reason`, else its text. */
export function describeReply(text: string, statusMessage: string | undefined): string {
  const reply = parseJson(text);
  const field = reply?.error ?? reply?.message ?? reply?.reason;
  const reason = typeof field === 'string' ? field : typeof field === 'object' && field !== null ? JSON.stringify(field) : text.trim();
  const chosen = reason || statusMessage || '';
  return chosen ? `: ${chosen.slice(0, MAX_REASON_CHARS)}` : '';
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A refused dual-stack connect is an AggregateError with an empty message but a useful code.
    return error.message || code || error.name;
  }
  return String(error);
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
