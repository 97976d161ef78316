// Recognises access-log lines that carry a request's duration: our nginx/apache parser's, and pino-http's.
import type { AttributeValue, LogRecord } from '../model/records.js';

/** What one access-log line says about the request it records. */
export interface AccessLogRequest {
  /** µs. */
  duration: number;
  method?: string;
  target?: string;
  statusCode?: number;
}

function num(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function objectOf(value: AttributeValue | undefined): Record<string, AttributeValue> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** pino-http's `req.url` carries the query string; spans name the path only. */
function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The request an access-log line records, or undefined when the line is not one. Two shapes:
 * our nginx/apache parser's attributes (`duration_us`, `http.method`, `http.target`,
 * `http.status_code`), and pino-http's `responseTime` (ms) beside `req`/`res` objects.
 */
export function readAccessLog(log: LogRecord): AccessLogRequest | undefined {
  const a = log.attributes;
  if (a === undefined) return undefined;
  const durationUs = num(a.duration_us);
  if (durationUs !== undefined && durationUs >= 0) {
    const request: AccessLogRequest = { duration: Math.round(durationUs) };
    const method = text(a['http.method']);
    const target = pathOf(text(a['http.target']));
    const status = num(a['http.status_code']);
    if (method !== undefined) request.method = method;
    if (target !== undefined) request.target = target;
    if (status !== undefined) request.statusCode = status;
    return request;
  }
  const responseTime = num(a.responseTime);
  const req = objectOf(a.req);
  const res = objectOf(a.res);
  if (responseTime === undefined || responseTime < 0 || (req === undefined && res === undefined)) return undefined;
  const request: AccessLogRequest = { duration: Math.round(responseTime * 1000) };
  const method = text(req?.method);
  const target = pathOf(text(req?.url));
  const status = num(res?.statusCode);
  if (method !== undefined) request.method = method;
  if (target !== undefined) request.target = target;
  if (status !== undefined) request.statusCode = status;
  return request;
}
