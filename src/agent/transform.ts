// The transforms every record goes through after its line is read: parse, enrich (host, service, file
// path, static attributes), filter (level threshold, drop/keep patterns on the body), redact.
import type { LogRecord, Span } from '../model/records.js';
import type { LineParser } from '../parse/index.js';
import type { Redactor } from '../model/redact.js';
import type { SourceConfig } from './config.js';
import { LINE_CUT, LINE_INVALID_UTF8, LINE_UNTERMINATED } from './line-reader.js';


export interface Transformed {
  log: LogRecord;
  span: Span | undefined;
}

export type DropReason = 'level' | 'drop' | 'keep';

/** Attribute names the agent adds; `log.file.path` is OpenTelemetry's name for it. */
export const FILE_PATH_ATTRIBUTE = 'log.file.path';
export const CUT_ATTRIBUTE = 'logstitch_truncated';
export const ORIGINAL_BYTES_ATTRIBUTE = 'logstitch_original_bytes';
export const INVALID_UTF8_ATTRIBUTE = 'logstitch_invalid_utf8';
export const UNTERMINATED_ATTRIBUTE = 'logstitch_unterminated';

/** The service a file's records get when their lines name none: from the path pattern, else the source's. */
export function serviceForPath(source: SourceConfig, path: string): string | undefined {
  return source.servicePath?.exec(path)?.groups?.service ?? source.service;
}

export class RecordTransform {
  private readonly source: SourceConfig;
  private readonly host: string;
  private readonly parse: LineParser;
  private readonly redactor: Redactor | undefined;
  private readonly staticAttributes: Array<[string, unknown]>;

  constructor(source: SourceConfig, host: string, parse: LineParser, redactor: Redactor | undefined) {
    this.source = source;
    this.host = host;
    this.parse = parse;
    this.redactor = redactor;
    this.staticAttributes = Object.entries(source.attributes);
  }

  /** The record for `text`, or why it was dropped. */
  apply(text: string, flags: number, originalBytes: number, observed: number, path: string, service: string | undefined): Transformed | DropReason {
    const { log, span, aliases } = this.parse(text, observed);
    const source = this.source;
    if (source.minSeverity > 0 && log.severityNumber > 0 && log.severityNumber < source.minSeverity) return 'level';
    if (source.drop.length > 0 && source.drop.some((r) => r.test(log.body))) return 'drop';
    if (source.keep.length > 0 && !source.keep.some((r) => r.test(log.body))) return 'keep';
    if (log.host === undefined) log.host = this.host;
    if (log.service === undefined && service !== undefined) log.service = service;
    if (aliases.length > 0 && log.aliases === undefined) log.aliases = aliases;
    const attributes = (log.attributes ??= {});
    for (const [key, value] of this.staticAttributes) if (!(key in attributes)) attributes[key] = value as never;
    attributes[FILE_PATH_ATTRIBUTE] = path;
    if (flags !== 0) {
      if ((flags & LINE_CUT) !== 0) {
        attributes[CUT_ATTRIBUTE] = true;
        attributes[ORIGINAL_BYTES_ATTRIBUTE] = originalBytes;
      }
      if ((flags & LINE_INVALID_UTF8) !== 0) attributes[INVALID_UTF8_ATTRIBUTE] = true;
      if ((flags & LINE_UNTERMINATED) !== 0) attributes[UNTERMINATED_ATTRIBUTE] = true;
    }
    if (this.redactor !== undefined) {
      log.body = this.redactor.redactString(log.body);
      this.redactor.redactInPlace(attributes as Record<string, unknown>, false);
    }
    return { log, span };
  }
}
