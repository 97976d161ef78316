// One HTTP POST to the sink, sorted into accepted, retry or refused; never rejects.
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from '../../adapters/shared/backoff.js';

export interface PostTarget {
  url: URL;
  contentType: string;
  token: string | undefined;
  timeoutMs: number;
  agent: http.Agent;
}

export type PostOutcome =
  | { kind: 'accepted'; reply: Record<string, unknown> | undefined }
  | { kind: 'retry'; reason: string; retryAfterMs: number | undefined }
  | { kind: 'refused'; status: number; reason: string };

const MAX_REPLY_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 300;

export function createHttpAgent(url: URL, sockets: number): http.Agent {
  const options = { keepAlive: true, maxSockets: sockets };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Status codes that are not the batch's fault: retried. A wrong token or URL (401, 403, 404) is the
 * agent's configuration, not the data, so the batch waits for it to be fixed rather than being dropped.
 */
function retryable(status: number): boolean {
  return status === 401 || status === 403 || status === 404 || status === 408 || status === 429 || status >= 500;
}

export function post(target: PostTarget, body: Buffer, headers: Record<string, string>, signal?: AbortSignal): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const all: http.OutgoingHttpHeaders = { 'content-type': target.contentType, 'content-length': body.length, 'user-agent': 'logstitch-agent', ...headers };
    if (target.token !== undefined) all.authorization = `Bearer ${target.token}`;
    const send = target.url.protocol === 'https:' ? https.request : http.request;
    let request: http.ClientRequest;
    try {
      request = send(target.url, { method: 'POST', headers: all, agent: target.agent, signal });
    } catch (error) {
      finish({ kind: 'retry', reason: describe(error), retryAfterMs: undefined });
      return;
    }
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${target.timeoutMs} ms`)), target.timeoutMs);
    request.on('error', (error) => finish({ kind: 'retry', reason: describe(error), retryAfterMs: undefined }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_REPLY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('error', (error) => finish({ kind: 'retry', reason: describe(error), retryAfterMs: undefined }));
      response.on('end', () => {
        const text = Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8');
        const status = response.statusCode ?? 0;
        const reply = parseJson(text);
        if (status >= 200 && status < 300) return finish({ kind: 'accepted', reply });
        const why = reply?.error ?? reply?.message ?? text.trim();
        const reason = `HTTP ${status}${why ? `: ${String(typeof why === 'object' ? JSON.stringify(why) : why).slice(0, MAX_REASON_CHARS)}` : ''}`;
        if (retryable(status)) finish({ kind: 'retry', reason, retryAfterMs: parseRetryAfter(response.headers['retry-after']) });
        else finish({ kind: 'refused', status, reason });
      });
    });
    request.end(body);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
