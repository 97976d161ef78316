// What every text parser shares: the parse context and the step that turns found fields into a record.
import type { Attributes, LogRecord } from '../model/records.js';
import { Severity, severityFromText } from '../model/severity.js';
import type { TimeReader } from './timestamp.js';
import { applyIds, noteId, scanMessage, type FoundIds, type IdKeys } from './trace-ids.js';
import type { ParsedLine } from './types.js';

/** Built once per parser from its config; passed to each format's reader. */
export interface ParseContext {
  time: TimeReader;
  ids: IdKeys;
  /** The configured traceFields, as written (JSON lines look them up by exact name). */
  traceFields: readonly string[];
  service: string | undefined;
  host: string | undefined;
}

/** What a text format read from a line, before IDs and defaults are settled. */
export interface TextFields {
  /** µs since the epoch; undefined when the line carried no time (the observed time is used). */
  time?: number | undefined;
  severityNumber?: number;
  /** The level as the line wrote it. */
  severityText?: string | undefined;
  body: string;
  service?: string | undefined;
  host?: string | undefined;
  attributes?: Attributes | undefined;
  ids?: FoundIds;
  /** Set when the line was read but its timestamp was not (the line is kept; the time is the observed one). */
  timeError?: string;
  /** Set when the body is not a message (an access-log line), so it is not searched for IDs. */
  noScan?: boolean;
}

// Four-letter spellings (log15, Go's inconshreveable/log15 and its heirs) the model's table lacks.
const LEVEL_ALIASES: Record<string, string> = { dbug: 'debug', eror: 'error', crit: 'crit', trce: 'trace' };

/** Severity from a level word as a line wrote it (`WARN `, `warning`, `E`); keeps the text. */
export function severityOf(text: string | undefined): { severityNumber: number; severityText?: string } {
  if (text === undefined || text.length === 0) return { severityNumber: Severity.UNSPECIFIED };
  const trimmed = text.trim();
  const alias = LEVEL_ALIASES[trimmed.toLowerCase()];
  return { severityNumber: severityFromText(alias ?? trimmed), severityText: trimmed };
}

/** Settles a text format's fields into a record: IDs (fields, then the message), defaults, observed time. */
export function finishRecord(fields: TextFields, observed: number, ctx: ParseContext): ParsedLine {
  const log: LogRecord = {
    time: fields.time ?? observed,
    observedTime: observed,
    severityNumber: fields.severityNumber ?? Severity.UNSPECIFIED,
    body: fields.body,
  };
  if (fields.severityText !== undefined && fields.severityText.length > 0) log.severityText = fields.severityText;
  const service = fields.service ?? ctx.service;
  if (service !== undefined) log.service = service;
  const host = fields.host ?? ctx.host;
  if (host !== undefined) log.host = host;
  if (fields.attributes !== undefined && hasKeys(fields.attributes)) log.attributes = fields.attributes;
  if (fields.timeError !== undefined) (log.attributes ??= {})['log.time_error'] = fields.timeError;
  const found = fields.ids ?? {};
  if (fields.noScan !== true) scanMessage(found, fields.body);
  const aliases: string[] = [];
  applyIds(log, aliases, found);
  return { log, aliases };
}

/** Gathers the ID-bearing entries of an attribute map (logfmt pairs, syslog SD, regex groups). */
export function idsFromAttributes(attributes: Attributes | undefined, ctx: ParseContext, found: FoundIds = {}): FoundIds {
  if (attributes === undefined) return found;
  for (const key in attributes) {
    const kind = ctx.ids.kind(key);
    if (kind !== undefined) noteId(found, kind, attributes[key]);
  }
  return found;
}

function hasKeys(attributes: Attributes): boolean {
  for (const _ in attributes) return true;
  return false;
}
