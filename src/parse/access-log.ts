// nginx and Apache access-log lines (combined, common, or a custom format) → record with HTTP attributes.
//
// Attributes (stable names; src/correlate/access-log.ts reads the first four):
//   duration_us                  request time in µs ($request_time, Apache %D / %T / %{ms}T)
//   http.method, http.target     from "$request" (or $request_method, $request_uri/$uri)
//   http.status_code             number; severity follows it: 5xx error, 4xx warn, else info
//   http.flavor                  protocol version from "$request" ("1.1", "2.0")
//   http.request_line            the request line when it is not "METHOD target PROTOCOL" (a TLS probe, "-")
//   http.response_content_length number of body bytes sent ($body_bytes_sent, %b)
//   http.referer, http.user_agent, http.host
//   client.address               $remote_addr (%h)
//   user.name                    $remote_user (%u)
//   upstream.duration_us         sum of $upstream_response_time over the upstreams tried
//   any other variable           under its nginx name ($request_id → request_id), '-' values left out
import type { Attributes } from '../model/records.js';
import { Severity } from '../model/severity.js';
import { compileApacheFormat, compileNginxFormat, NGINX_COMBINED, APACHE_COMMON, type AccessFormat } from './access-format.js';
import { finishRecord, type ParseContext, type TextFields } from './record.js';
import { microsFromEpochText } from './timestamp.js';
import { noteId, type FoundIds } from './trace-ids.js';
import type { ParsedLine } from './types.js';

const RENAMED: Record<string, string> = {
  remote_addr: 'client.address',
  remote_user: 'user.name',
  http_referer: 'http.referer',
  http_user_agent: 'http.user_agent',
  host: 'http.host',
  http_host: 'http.host',
  request_method: 'http.method',
  request_uri: 'http.target',
  server_protocol: 'http.flavor',
};
const CONSUMED = new Set(['time_local', 'time_iso8601', 'msec', 'time_custom', 'request', 'status', 'body_bytes_sent', 'request_time', 'request_time_us', 'request_time_ms', 'request_time_s', 'remote_ident']);
const REQUEST_RE = /^([A-Z][A-Z_-]{0,19}) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/;

/** The built-in formats tried in 'auto' mode, after any configured one: nginx/Apache combined, Apache common. */
export const BUILT_IN_ACCESS_FORMATS: AccessFormat[] = [compileNginxFormat(NGINX_COMBINED, 'combined'), compileApacheFormat(APACHE_COMMON, 'common')];

/** The formats a parser tries, configured one first. */
export function accessFormats(format: 'nginx' | 'apache' | 'auto', logFormat: string | undefined): AccessFormat[] {
  if (logFormat === undefined) return BUILT_IN_ACCESS_FORMATS;
  const custom = format === 'apache' || (format === 'auto' && logFormat.includes('%') && !logFormat.includes('$'))
    ? compileApacheFormat(logFormat, 'custom')
    : compileNginxFormat(logFormat, 'custom');
  return format === 'auto' ? [custom, ...BUILT_IN_ACCESS_FORMATS] : [custom];
}

function seconds(text: string): number | undefined {
  const n = Number(text);
  return text.length > 0 && Number.isFinite(n) ? Math.round(n * 1e6) : undefined;
}

/** The total time of `0.012, 0.004 : 0.010` (one value per upstream tried), in µs. */
function upstreamMicros(text: string): number | undefined {
  let total = 0;
  let any = false;
  for (const part of text.split(/[,:]/)) {
    const us = seconds(part.trim());
    if (us !== undefined) {
      total += us;
      any = true;
    }
  }
  return any ? total : undefined;
}

function durationOf(name: string, value: string): number | undefined {
  switch (name) {
    case 'request_time': case 'request_time_s': return seconds(value);
    case 'request_time_ms': return value === '' ? undefined : Number(value) * 1000;
    case 'request_time_us': return value === '' ? undefined : Number(value);
    default: return undefined;
  }
}

function severityOfStatus(status: number | undefined): { severityNumber: number; severityText?: string } {
  if (status === undefined) return { severityNumber: Severity.INFO };
  if (status >= 500) return { severityNumber: Severity.ERROR, severityText: String(status) };
  if (status >= 400) return { severityNumber: Severity.WARN, severityText: String(status) };
  return { severityNumber: Severity.INFO, severityText: String(status) };
}

/** Reads an access-log line with the first of `formats` that matches; returns why not when none does. */
export function parseAccessLog(line: string, observed: number, ctx: ParseContext, formats: readonly AccessFormat[]): ParsedLine | string {
  for (const format of formats) {
    const m = format.re.exec(line);
    if (m !== null) return fromMatch(line, m, format.vars, observed, ctx);
  }
  return `not an access-log line in the ${formats.map((f) => f.name).join(' or ')} format`;
}

function fromMatch(line: string, m: RegExpExecArray, vars: readonly string[], observed: number, ctx: ParseContext): ParsedLine {
  const attributes: Attributes = {};
  const ids: FoundIds = {};
  const fields: TextFields = { body: line, attributes, ids, noScan: true };
  let status: number | undefined;
  for (let i = 0; i < vars.length; i++) {
    const name = vars[i]!;
    const value = m[i + 1] ?? '';
    if (value === '-' || value === '') continue;
    const kind = ctx.ids.kind(name);
    if (kind !== undefined) noteId(ids, kind, value);
    switch (name) {
      case 'time_local':
        fields.time ??= ctx.time.clf(value);
        continue;
      case 'time_iso8601':
        fields.time ??= ctx.time.iso(value);
        continue;
      case 'time_custom':
        fields.time ??= ctx.time.read(value, observed);
        continue;
      case 'msec':
        fields.time ??= microsFromEpochText(value);
        continue;
      case 'request':
        readRequest(value, attributes);
        continue;
      case 'status':
        status = Number(value);
        attributes['http.status_code'] = status;
        continue;
      case 'body_bytes_sent':
        attributes['http.response_content_length'] = Number(value);
        continue;
      case 'upstream_response_time': {
        const us = upstreamMicros(value);
        if (us !== undefined) attributes['upstream.duration_us'] = us;
        break;
      }
    }
    const duration = durationOf(name, value);
    if (duration !== undefined && Number.isFinite(duration)) attributes.duration_us ??= duration;
    if (CONSUMED.has(name)) continue;
    attributes[RENAMED[name] ?? name] = value;
  }
  Object.assign(fields, severityOfStatus(status));
  return finishRecord(fields, observed, ctx);
}

function readRequest(request: string, attributes: Attributes): void {
  const m = REQUEST_RE.exec(request);
  if (m === null) {
    attributes['http.request_line'] = request;
    return;
  }
  attributes['http.method'] = m[1]!;
  attributes['http.target'] = m[2]!;
  if (m[3] !== undefined) attributes['http.flavor'] = m[3].includes('.') ? m[3] : `${m[3]}.0`;
}
