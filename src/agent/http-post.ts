// One HTTP POST to the sink, sorted into accepted, retry or refused; never rejects. The request itself is
// the loggers' shippers' (adapters/shared/ingest-request.ts); what the agent retries differs.
import http from 'node:http';
import https from 'node:https';
import { describeReply, parseJson, sendRequest } from '../../adapters/shared/ingest-request.js';
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

/** `body` may come in pieces, written one after another (no joined copy). */
export async function post(target: PostTarget, body: Buffer | Buffer[], headers: Record<string, string>, signal?: AbortSignal): Promise<PostOutcome> {
  const reply = await sendRequest(target, body, { 'content-type': target.contentType, 'user-agent': 'logstitch-agent', ...headers }, signal);
  if (reply.kind === 'failed') return { kind: 'retry', reason: reply.reason, retryAfterMs: undefined };
  const { status, text } = reply;
  const json = parseJson(text);
  if (status >= 200 && status < 300) return { kind: 'accepted', reply: Array.isArray(json) ? undefined : json };
  const reason = `HTTP ${status}${describeReply(text, reply.statusMessage)}`;
  if (retryable(status)) return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(reply.retryAfter) };
  return { kind: 'refused', status, reason };
}
