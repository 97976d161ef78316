// nginx's error log (`2024/03/10 02:30:00 [error] 1234#1234: *5 connect() failed …`) → record.
//
// Attributes: process.pid, thread.id, nginx.connection (the `*N` connection number), and the
// `client:`, `server:`, `request:`, `upstream:`, `host:` details nginx appends, as client.address,
// http.server_name, http.request_line, upstream.address, http.host.
import type { Attributes } from '../model/records.js';
import { finishRecord, severityOf, type ParseContext, type TextFields } from './record.js';
import type { ParsedLine } from './types.js';

const ERROR_RE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?([\s\S]*)$/;
const DETAIL_RE = /, (client|server|request|upstream|host): ("[^"]*"|[^,]*)/g;
const DETAIL_NAMES: Record<string, string> = {
  client: 'client.address', server: 'http.server_name', request: 'http.request_line', upstream: 'upstream.address', host: 'http.host',
};

export function parseNginxError(line: string, observed: number, ctx: ParseContext): ParsedLine | string {
  const m = ERROR_RE.exec(line);
  if (m === null) return 'not an nginx error-log line';
  const attributes: Attributes = { 'process.pid': Number(m[8]), 'thread.id': Number(m[9]) };
  if (m[10] !== undefined) attributes['nginx.connection'] = Number(m[10]);
  const message = m[11]!;
  DETAIL_RE.lastIndex = 0;
  let d: RegExpExecArray | null;
  while ((d = DETAIL_RE.exec(message)) !== null) {
    const value = d[2]!;
    attributes[DETAIL_NAMES[d[1]!]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  const fields: TextFields = { body: message, attributes, ...severityOf(m[7]) };
  fields.time = ctx.time.wallClock({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! });
  return finishRecord(fields, observed, ctx);
}
