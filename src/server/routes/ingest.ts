// The receivers: native batches, OTLP/HTTP logs and traces (JSON and protobuf), and Zipkin v2 spans.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decoded } from '../../ingest/decoded.js';
import { decodeNdjson } from '../../ingest/native.js';
import { decodeOtlpLogs, decodeOtlpTraces } from '../../ingest/otlp/index.js';
import { otlpResponseJson, otlpResponseProtobuf, type OtlpSignal } from '../../ingest/otlp-response.js';
import { decodeZipkinSpans } from '../../ingest/zipkin.js';
import { LogstitchError } from '../../model/errors.js';
import { nowMicros } from '../../model/time.js';
import { MAX_TIME_US } from '../../store/checks.js';
import { readBody, requireMediaType, requireUtf8, type BodyLimits } from '../body.js';
import { HttpError } from '../errors.js';
import type { Intake } from '../intake.js';
import { sendJson } from '../respond.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines', 'text/plain'];
const BATCH_ID_RE = /^[\x21-\x7e]{1,128}$/;

export interface IngestContext {
  intake: Intake;
  limits: BodyLimits;
}

/** A decoder's whole-body failure (bad JSON, bad protobuf) is the client's: 400 with its message. */
function decodeOr400(decode: () => Decoded): Decoded {
  try {
    return decode();
  } catch (error) {
    if (error instanceof LogstitchError && !(error instanceof HttpError)) throw new HttpError(400, error.code, error.message, { cause: error });
    throw error;
  }
}

/** POST /ingest — replies once the batch is committed: `{ accepted, rejected, errors, duplicate }`. */
export async function ingestNative(req: IncomingMessage, res: ServerResponse, ctx: IngestContext): Promise<void> {
  requireMediaType(req, NDJSON_TYPES);
  const batchId = req.headers['x-logstitch-batch-id'];
  if (batchId !== undefined && (typeof batchId !== 'string' || !BATCH_ID_RE.test(batchId))) {
    throw new HttpError(400, 'BAD_BATCH_ID', 'x-logstitch-batch-id must be 1–128 printable ASCII characters (a UUID, say)');
  }
  const observed = observedTime(req.headers['x-logstitch-observed-time']);
  const body = requireUtf8(await readBody(req, ctx.limits));
  const decoded = decodeNdjson(body, observed);
  const result = await ctx.intake.accept(decoded, 'native', batchId);
  sendJson(res, 200, { accepted: decoded.logs.length, rejected: decoded.rejected, errors: decoded.errors, spans: decoded.spans.length, duplicate: result.duplicate });
}

/**
 * When the sender read the batch's lines (µs since the epoch, `x-logstitch-observed-time`): the agent
 * ships JSON lines as they were written, and their observed time is when it read them, not when they
 * arrived here (which, after an outage, can be much later). Absent: now.
 */
function observedTime(header: string | string[] | undefined): number {
  if (header === undefined) return nowMicros();
  const value = typeof header === 'string' && /^\d{1,17}$/.test(header) ? Number(header) : NaN;
  if (!Number.isSafeInteger(value) || value > MAX_TIME_US) {
    throw new HttpError(400, 'BAD_OBSERVED_TIME', 'x-logstitch-observed-time must be µs since the epoch, a whole number (or leave it out to mean now)');
  }
  return value;
}

/** POST /v1/logs and /v1/traces — OTLP/HTTP as the SDK exporters send it, answered in kind. */
export async function ingestOtlp(req: IncomingMessage, res: ServerResponse, ctx: IngestContext, signal: OtlpSignal): Promise<void> {
  const type = requireMediaType(req, ['application/json', 'application/x-protobuf']);
  const encoding = type === 'application/json' ? 'json' : 'protobuf';
  const body = await readBody(req, ctx.limits);
  const decoded = decodeOr400(() => (signal === 'logs' ? decodeOtlpLogs(body, encoding) : decodeOtlpTraces(body, encoding)));
  await ctx.intake.accept(decoded, 'otlp');
  const message = decoded.errors.join('; ');
  if (encoding === 'json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(otlpResponseJson(signal, decoded.rejected, message));
  } else {
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(otlpResponseProtobuf(decoded.rejected, message));
  }
}

/** POST /api/v2/spans — Zipkin v2 JSON; 202 as Zipkin's own collector answers. */
export async function ingestZipkin(req: IncomingMessage, res: ServerResponse, ctx: IngestContext): Promise<void> {
  requireMediaType(req, ['application/json']);
  const body = await readBody(req, ctx.limits);
  const decoded = decodeOr400(() => decodeZipkinSpans(body));
  await ctx.intake.accept(decoded, 'zipkin');
  if (decoded.rejected > 0) sendJson(res, 202, { accepted: decoded.spans.length, rejected: decoded.rejected, errors: decoded.errors });
  else res.writeHead(202).end();
}
