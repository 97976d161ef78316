// The query API: a trace by ID or alias and pages of its lines, search in the query language, and the services seen.
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { CorrelateError } from '../../correlate/errors.js';
import { LogstitchError } from '../../model/errors.js';
import { planQuery } from '../../query/index.js';
import type { Store } from '../../store/types.js';
import { TRACE_RECORD_LIMIT, VIEW_LOG_LIMIT, type Correlator } from '../correlation.js';
import { HttpError } from '../errors.js';
import { intParam, timeParam } from '../params.js';
import { sendJson } from '../respond.js';

/** `Server-Timing: store;dur=0.42`: how long the store took, so a slow answer can be told apart from a slow network. */
function serverTiming(res: ServerResponse, name: string, started: number): void {
  res.setHeader('server-timing', `${name};dur=${(performance.now() - started).toFixed(3)}`);
}

function traceKey(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw).trim();
  } catch {
    throw new HttpError(400, 'BAD_TRACE_ID', 'the trace ID in the path is not valid percent-encoding');
  }
  if (key.length === 0 || key.length > 256) throw new HttpError(400, 'BAD_TRACE_ID', 'a trace ID or alias of 1–256 characters is needed: GET /api/traces/<id>');
  return key;
}

/** `?logs=`: how many lines the view carries — `all`, or a number from 0; the default keeps big traces small. */
function logLimitParam(params: URLSearchParams): number | undefined {
  const value = params.get('logs');
  if (value === null || value === '') return undefined;
  if (value === 'all') return Infinity;
  if (!/^\d{1,6}$/.test(value) || Number(value) > TRACE_RECORD_LIMIT) throw new HttpError(400, 'BAD_PARAMETER', `logs must be "all" or a whole number from 0 to ${TRACE_RECORD_LIMIT} (lines the view carries; default ${VIEW_LOG_LIMIT}), not ${JSON.stringify(value)}`);
  return Number(value);
}

/** `GET /api/traces/:id` (the trace view) and `GET /api/traces/:id/logs` (pages of its lines). */
export async function getTrace(res: ServerResponse, correlator: Correlator, rest: string, params: URLSearchParams = new URLSearchParams()): Promise<void> {
  if (rest.endsWith('/logs')) return getTraceLogs(res, correlator, traceKey(rest.slice(0, -'/logs'.length)), params);
  const key = traceKey(rest);
  const logLimit = logLimitParam(params);
  const started = performance.now();
  const timings: Record<string, number> = {};
  const trace = await correlator.traceView(key, { timings, ...(logLimit === undefined ? {} : { logLimit }) });
  // The whole view first, then its parts: where a slow answer spent its time.
  const parts = Object.entries(timings).map(([name, ms]) => `, ${name};dur=${ms.toFixed(3)}`);
  res.setHeader('server-timing', `view;dur=${(performance.now() - started).toFixed(3)}${parts.join('')}`);
  if (trace === undefined) throw new HttpError(404, 'TRACE_NOT_FOUND', `no trace has the ID or alias ${JSON.stringify(key)}`);
  sendJson(res, 200, trace);
}

async function getTraceLogs(res: ServerResponse, correlator: Correlator, key: string, params: URLSearchParams): Promise<void> {
  const limit = intParam(params, 'limit', 1000, 1, 10_000);
  const spanId = params.get('span') || undefined;
  const cursor = params.get('cursor') || undefined;
  const started = performance.now();
  let page;
  try {
    page = await correlator.traceLogs(key, { limit, ...(spanId !== undefined ? { spanId } : {}), ...(cursor !== undefined ? { cursor } : {}) });
  } catch (error) {
    if (error instanceof CorrelateError && error.code === 'CURSOR_INVALID') throw new HttpError(400, 'BAD_CURSOR', error.message, { cause: error });
    if (error instanceof CorrelateError && error.code === 'SPAN_NOT_IN_TRACE') throw new HttpError(404, 'SPAN_NOT_FOUND', error.message, { cause: error });
    throw error;
  }
  serverTiming(res, 'view', started);
  if (page === undefined) throw new HttpError(404, 'TRACE_NOT_FOUND', `no trace has the ID or alias ${JSON.stringify(key)}`);
  sendJson(res, 200, page);
}

export async function search(res: ServerResponse, store: Store, params: URLSearchParams): Promise<void> {
  const from = timeParam(params, 'from');
  const to = timeParam(params, 'to');
  if (from !== undefined && to !== undefined && from > to) throw new HttpError(400, 'BAD_TIME', 'from must not be after to');
  const limit = intParam(params, 'limit', 100, 1, 1000);
  const cursor = params.get('cursor') ?? undefined;
  let plan;
  try {
    plan = await planQuery(params.get('q') ?? '', { vocabulary: store, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  } catch (error) {
    if (error instanceof LogstitchError) throw new HttpError(400, error.code, error.message, { cause: error });
    throw error;
  }
  let page;
  const started = performance.now();
  try {
    page = await store.search(plan, { limit, ...(cursor ? { cursor } : {}) });
    serverTiming(res, 'store', started);
  } catch (error) {
    // A cursor the store did not give out is the caller's mistake, whatever the store calls it.
    if (error instanceof LogstitchError && /CURSOR/.test(error.code)) throw new HttpError(400, 'BAD_CURSOR', error.message, { cause: error });
    throw error;
  }
  sendJson(res, 200, page);
}

export async function services(res: ServerResponse, store: Store): Promise<void> {
  sendJson(res, 200, { services: await store.services() });
}
