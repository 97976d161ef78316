// The transforms every record goes through after its line is read: parse, enrich (host, service, file
// path, static attributes), filter (level threshold, drop/keep patterns on the body), redact.
import type { LogRecord, Span } from '../model/records.js';
import { isConsumedKey, type JsonLineReader, type LineParser, type ParsedLine, type VerbatimFacts } from '../parse/index.js';
import type { Redactor } from '../model/redact.js';
import type { SourceConfig } from './config.js';
import { LINE_CUT, LINE_INVALID_UTF8, LINE_UNTERMINATED } from './line-reader.js';

export interface Transformed {
  log: LogRecord;
  span: Span | undefined;
}

/** A JSON line that goes out as it was written, with the agent's fields (`tail`, UTF-8, which closes the brace) instead of its closing brace. */
export interface Verbatim {
  line: string;
  tail: Buffer;
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

/** Paths whose added-fields text is remembered (a file's path rarely changes). */
const SUFFIX_CACHE_SIZE = 1000;

export class RecordTransform {
  private readonly source: SourceConfig;
  private readonly host: string;
  private readonly parse: LineParser;
  private readonly redactor: Redactor | undefined;
  private readonly staticAttributes: Array<[string, unknown]>;
  /** Set when JSON lines may go out as written (the native sink, and no static attribute the model would read as a field). */
  private readonly reader: JsonLineReader | undefined;
  private readonly suffixes = new Map<string, string>();
  private readonly tails = new Map<string, Buffer[]>();
  private readonly hostField: string;
  /**
   * Whether a line's attribute lets the line stay as written: no static attribute must give way to it, and
   * the redactor leaves it as it is (made once: no closure per line). Undefined when every attribute does.
   */
  private readonly keepAsWritten: ((key: string, value: unknown) => boolean) | undefined;

  constructor(source: SourceConfig, host: string, parse: LineParser, redactor: Redactor | undefined, reader?: JsonLineReader) {
    this.source = source;
    this.host = host;
    this.parse = parse;
    this.redactor = redactor;
    this.staticAttributes = Object.entries(source.attributes);
    this.reader = this.staticAttributes.some(([key]) => isConsumedKey(key)) ? undefined : reader;
    this.hostField = `,"host":${JSON.stringify(host)}`;
    // Stricter than the walk over attributes (no exemption for ID-shaped values): any doubt goes the parsed way.
    const unredacted = redactor === undefined ? undefined : (key: string, value: unknown): boolean => !redactor.isSensitiveKey(key)
      && (typeof value === 'string' ? redactor.redactString(value) === value : Object.is(redactor.redactValue(value), value));
    const staticKeys = new Set(this.staticAttributes.map(([key]) => key));
    this.keepAsWritten = staticKeys.size === 0 ? unredacted
      : (key, value) => !staticKeys.has(key) && (unredacted === undefined || unredacted(key, value));
  }

  /**
   * The record for `text`, or why it was dropped. With `verbatim`, a JSON line may come back as a
   * Verbatim line instead: only when the indexer, reading it, stores what the record would have said.
   */
  apply(text: string, flags: number, originalBytes: number, observed: number, path: string, service: string | undefined, verbatim = false): Transformed | Verbatim | DropReason {
    if (verbatim && flags === 0 && this.reader !== undefined) {
      const read = this.reader.read(text, observed, this.keepAsWritten);
      if ('log' in read) return this.finish(read, flags, originalBytes, path, service);
      const tail = this.verbatimTail(read, path, service);
      if (typeof tail === 'string') return tail;
      if (tail !== undefined) return { line: read.text, tail };
      return this.finish(this.reader.parsed(read, observed), flags, originalBytes, path, service);
    }
    return this.finish(this.parse(text, observed), flags, originalBytes, path, service);
  }

  /**
   * For a line that may go out as written, read over its bytes (`bytes[start, start + length)`: valid
   * UTF-8, not cut, not flagged, not joined) without decoding or parsing it: what replaces its closing
   * brace, or why it was dropped. Undefined when the bytes alone do not settle it: then `apply` its text.
   */
  applyBytes(bytes: Buffer, start: number, length: number, path: string, service: string | undefined): Buffer | DropReason | undefined {
    const read = this.reader?.scan(bytes, start, start + length, this.keepAsWritten);
    return read === undefined ? undefined : this.verbatimTail(read, path, service);
  }

  private finish(parsed: ParsedLine, flags: number, originalBytes: number, path: string, service: string | undefined): Transformed | DropReason {
    const { log, span, aliases } = parsed;
    const source = this.source;
    if (source.minSeverity > 0 && log.severityNumber > 0 && log.severityNumber < source.minSeverity) return 'level';
    if (source.drop.length > 0 && source.drop.some((r) => r.test(log.body))) return 'drop';
    if (source.keep.length > 0 && !source.keep.some((r) => r.test(log.body))) return 'keep';
    if (log.host === undefined) log.host = this.host;
    if (log.service === undefined && service !== undefined) log.service = service;
    if (aliases.length > 0 && log.aliases === undefined) log.aliases = aliases;
    const attributes = (log.attributes ??= {});
    // Own keys only: a static attribute named like an Object member (`constructor`) is added too.
    for (const [key, value] of this.staticAttributes) if (!Object.hasOwn(attributes, key)) attributes[key] = value as never;
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

  /**
   * The same filters and additions as `finish`, on a line that stays as written (its attributes passed
   * `keepAsWritten` already): undefined when the redactor would change its message (invariant 4: then it
   * goes out parsed and redacted).
   */
  private verbatimTail(read: VerbatimFacts, path: string, service: string | undefined): Buffer | DropReason | undefined {
    const source = this.source;
    if (source.minSeverity > 0 && read.severityNumber > 0 && read.severityNumber < source.minSeverity) return 'level';
    if (source.drop.length > 0 && source.drop.some((r) => r.test(read.body))) return 'drop';
    if (source.keep.length > 0 && !source.keep.some((r) => r.test(read.body))) return 'keep';
    if (this.redactor !== undefined && this.redactor.redactString(read.body) !== read.body) return undefined;
    return this.tailFor(path, read.hasHost, read.hasService || service === undefined ? undefined : service);
  }

  /**
   * What replaces a verbatim line's closing brace: the host and service it lacks, the static attributes
   * and the file path, then the brace, as bytes. Remembered per path: made once, copied for every line.
   */
  private tailFor(path: string, hasHost: boolean, service: string | undefined): Buffer {
    let tails = this.tails.get(path);
    if (tails === undefined) {
      if (this.tails.size >= SUFFIX_CACHE_SIZE) this.tails.clear();
      this.tails.set(path, (tails = []));
    }
    const which = (hasHost ? 1 : 0) | (service === undefined ? 2 : 0);
    let tail = tails[which];
    if (tail === undefined) {
      tail = Buffer.from(`${hasHost ? '' : this.hostField}${service === undefined ? '' : `,"service":${JSON.stringify(service)}`}${this.suffixFor(path)}}`);
      tails[which] = tail;
    }
    return tail;
  }

  /** The static attributes and the file path as JSON members, redacted as the record's attributes would be. */
  private suffixFor(path: string): string {
    let suffix = this.suffixes.get(path);
    if (suffix !== undefined) return suffix;
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of this.staticAttributes) attributes[key] = value;
    attributes[FILE_PATH_ATTRIBUTE] = path;
    this.redactor?.redactInPlace(attributes, false);
    suffix = '';
    for (const key in attributes) suffix += `,${JSON.stringify(key)}:${JSON.stringify(attributes[key])}`;
    if (this.suffixes.size >= SUFFIX_CACHE_SIZE) this.suffixes.clear();
    this.suffixes.set(path, suffix);
    return suffix;
  }
}
