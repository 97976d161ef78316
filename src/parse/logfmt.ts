// logfmt lines (`time=… level=info msg="…" key=value`, as logrus, go-kit, slog and Heroku write them) → record.
import type { Attributes } from '../model/records.js';
import { finishRecord, idsFromAttributes, severityOf, type ParseContext, type TextFields } from './record.js';
import type { ParsedLine } from './types.js';

const TIME_KEYS = new Set(['time', 'ts', 'timestamp', 't', '@timestamp', 'datetime', 'date']);
const LEVEL_KEYS = new Set(['level', 'lvl', 'severity', 'loglevel', 'log.level']);
const MESSAGE_KEYS = new Set(['msg', 'message']);
const SERVICE_KEYS = new Set(['service', 'service.name']);
const HOST_KEYS = new Set(['host', 'hostname', 'host.name']);

/**
 * Splits a logfmt line into pairs; a bare key reads as `true`. Undefined when the line is not logfmt:
 * it must open with `key=` and hold at least `minPairs` `key=value` pairs, so prose with one `=` is not taken.
 */
export function splitLogfmt(line: string, minPairs = 2): Array<[string, string | true]> | undefined {
  const pairs: Array<[string, string | true]> = [];
  let withValue = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 0x3d || c === 0x20 || c === 0x09 || c === 0x22) break;
      i++;
    }
    const key = line.slice(keyStart, i);
    if (key.length === 0) return undefined; // a quote or '=' where a key should start
    if (line.charCodeAt(i) !== 0x3d) {
      if (pairs.length === 0) return undefined;
      pairs.push([key, true]);
      continue;
    }
    i++;
    let value: string;
    if (line.charCodeAt(i) === 0x22) {
      const end = closingQuote(line, i + 1);
      if (end === -1) return undefined;
      value = unescape(line.slice(i + 1, end));
      i = end + 1;
    } else {
      const start = i;
      while (i < n && line.charCodeAt(i) !== 0x20 && line.charCodeAt(i) !== 0x09) i++;
      value = line.slice(start, i);
    }
    pairs.push([key, value]);
    withValue++;
  }
  return withValue >= minPairs ? pairs : undefined;
}

function closingQuote(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
}

export function parseLogfmt(line: string, observed: number, ctx: ParseContext): ParsedLine | string {
  const pairs = splitLogfmt(line);
  if (pairs === undefined) return 'not logfmt (want key=value pairs, the first one at the start of the line)';
  const fields: TextFields = { body: '' };
  let message: string | undefined;
  let timeText: string | undefined;
  let attributes: Attributes | undefined;
  for (const [key, value] of pairs) {
    const lower = key.toLowerCase();
    if (typeof value === 'string') {
      if (timeText === undefined && TIME_KEYS.has(lower)) {
        timeText = value;
        continue;
      }
      if (fields.severityText === undefined && LEVEL_KEYS.has(lower)) {
        Object.assign(fields, severityOf(value));
        continue;
      }
      if (message === undefined && MESSAGE_KEYS.has(lower)) {
        message = value;
        continue;
      }
      if (fields.service === undefined && SERVICE_KEYS.has(lower) && value.length > 0) {
        fields.service = value;
        continue;
      }
      if (fields.host === undefined && HOST_KEYS.has(lower) && value.length > 0) {
        fields.host = value;
        continue;
      }
    }
    (attributes ??= {})[key] = value;
  }
  if (timeText !== undefined) {
    fields.time = ctx.time.read(timeText, observed);
    if (fields.time === undefined) fields.timeError = `time "${timeText.slice(0, 64)}" not understood`;
  }
  fields.body = message ?? line;
  fields.attributes = attributes;
  fields.ids = idsFromAttributes(attributes, ctx);
  return finishRecord(fields, observed, ctx);
}
