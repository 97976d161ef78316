// The query API: a trace by ID or alias, search in the query language, and the services seen.
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LogstitchError } from '../../model/errors.js';
import { planQuery } from '../../query/index.js';
import type { Store } from '../../store/types.js';
import type { Correlator } from '../correlation.js';
import { HttpError } from '../errors.js';
import { intParam, timeParam } from '../params.js';
import { sendJson } from '../respond.js';

/** `Server-Timing: store;dur=0.42`: how long the store took, so a slow answer can be told apart from a slow network. */
function serverTiming(res: ServerResponse, name: string, started: number): void {
  res.setHeader('server-timing', `${name};dur=${(performance.now() - started).toFixed(3)}`);
}

export async function getTrace(res: ServerResponse, correlator: Correlator, id: string): Promise<void> {
  let key: string;
  try {
    key = decodeURIComponent(id).trim();
  } catch {
    throw new HttpError(400, 'BAD_TRACE_ID', 'the trace ID in the path is not valid percent-encoding');
  }
  if (key.length === 0 || key.length > 256) throw new HttpError(400, 'BAD_TRACE_ID', 'a trace ID or alias of 1–256 characters is needed: GET /api/traces/<id>');
  const started = performance.now();
  const trace = await correlator.traceView(key);
  serverTiming(res, 'view', started);
  if (trace === undefined) throw new HttpError(404, 'TRACE_NOT_FOUND', `no trace has the ID or alias ${JSON.stringify(key)}`);
  sendJson(res, 200, trace);
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
