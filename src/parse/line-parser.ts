// Chooses, per source or per line, the parser that turns a line into a LogRecord; never throws.
import type { AccessFormat } from './access-format.js';
import { accessFormats } from './access-log.js';
import { parseAccessLog } from './access-log.js';
import { ParserConfigError } from './errors.js';
import { parseJava } from './java.js';
import { parseJsonFields, parseJsonLine } from './json-line.js';
import { JsonLineScanner } from './json-scan.js';
import { VerbatimJsonReader, type VerbatimFacts, type VerbatimJson } from './json-verbatim.js';
import { parseLeadingTime } from './leading-time.js';
import { parseLogfmt } from './logfmt.js';
import { parseNginxError } from './nginx-error.js';
import { parsePython } from './python.js';
import { finishRecord, type ParseContext } from './record.js';
import { parseSyslog } from './syslog.js';
import { TimeReader } from './timestamp.js';
import { IdKeys } from './trace-ids.js';
import type { LineFormat, LineParser, ParsedLine, ParserConfig } from './types.js';
import { compileUserPattern, parseWithPattern } from './user-regex.js';

const FORMATS: readonly LineFormat[] = ['auto', 'json', 'logfmt', 'nginx', 'apache', 'syslog', 'logback', 'log4j', 'python', 'regex', 'raw'];

/** Everything a parser needs, built once from its config (so a bad config fails here, not per line). */
interface Setup {
  ctx: ParseContext;
  access: readonly AccessFormat[];
  pattern: RegExp | undefined;
}

function setUp(config: ParserConfig): Setup {
  const format = config.format ?? 'auto';
  if (!FORMATS.includes(format)) {
    throw new ParserConfigError('PARSE_BAD_CONFIG', `format "${String(format)}" is not one of ${FORMATS.join(', ')}`);
  }
  if (format === 'regex' && config.pattern === undefined) {
    throw new ParserConfigError('PARSE_BAD_CONFIG', "format 'regex' needs a pattern with named groups, e.g. ^(?<time>\\S+) (?<level>\\w+) (?<msg>.*)$");
  }
  const ctx: ParseContext = {
    time: new TimeReader(config.zone ?? 'UTC', config.timeFormat),
    ids: new IdKeys(config.traceFields),
    traceFields: config.traceFields ?? [],
    service: config.service,
    host: config.host,
  };
  const accessKind = format === 'apache' ? 'apache' : format === 'nginx' ? 'nginx' : 'auto';
  return {
    ctx,
    access: accessFormats(accessKind, config.logFormat),
    pattern: config.pattern === undefined ? undefined : compileUserPattern(config.pattern),
  };
}

/** A line kept whole: the observed time, IDs from its text, the config's service and host, and why. */
function raw(line: string, observed: number, ctx: ParseContext, why: string | undefined): ParsedLine {
  const parsed = finishRecord({ body: line }, observed, ctx);
  if (why !== undefined) parsed.log.parseError = why;
  return parsed;
}

/** Text-format detection for 'auto': cheap tests on the first characters pick the few parsers worth a try. */
function detect(line: string, observed: number, s: Setup): ParsedLine | string {
  const ctx = s.ctx;
  const first = line.charCodeAt(0);
  let result: ParsedLine | string;
  if (s.pattern !== undefined && typeof (result = parseWithPattern(line, observed, ctx, s.pattern)) !== 'string') return result;
  if (first === 0x3c /* < */ && typeof (result = parseSyslog(line, observed, ctx)) !== 'string') return result;
  if (line.includes('"') && typeof (result = parseAccessLog(line, observed, ctx, s.access)) !== 'string') return result;
  if (first >= 0x30 && first <= 0x39) {
    if (typeof (result = parsePython(line, observed, ctx)) !== 'string') return result;
    if (typeof (result = parseJava(line, observed, ctx)) !== 'string') return result;
    if (line.charCodeAt(4) === 0x2f && typeof (result = parseNginxError(line, observed, ctx)) !== 'string') return result;
  } else if (first >= 0x41 && first <= 0x5a) {
    if (typeof (result = parsePython(line, observed, ctx)) !== 'string') return result;
    if (typeof (result = parseSyslog(line, observed, ctx)) !== 'string') return result;
  }
  const space = line.indexOf(' ');
  const equals = line.indexOf('=');
  if (equals > 0 && (space === -1 || equals < space) && typeof (result = parseLogfmt(line, observed, ctx)) !== 'string') return result;
  if (typeof (result = parseLeadingTime(line, observed, ctx)) !== 'string') return result;
  return 'no parser understood the line (tried syslog, access log, Java, Python, nginx error, logfmt, leading timestamp)';
}

function parseAs(format: LineFormat, line: string, observed: number, s: Setup): ParsedLine | string {
  switch (format) {
    case 'json': return parseJsonLine(line, observed, s.ctx);
    case 'logfmt': return parseLogfmt(line, observed, s.ctx);
    case 'nginx': {
      // An nginx source may be its error log: `2024/03/12 09:15:05 [error] …`.
      const access = parseAccessLog(line, observed, s.ctx, s.access);
      if (typeof access !== 'string' || line.charCodeAt(4) !== 0x2f) return access;
      const error = parseNginxError(line, observed, s.ctx);
      return typeof error === 'string' ? access : error;
    }
    case 'apache': return parseAccessLog(line, observed, s.ctx, s.access);
    case 'syslog': return parseSyslog(line, observed, s.ctx);
    case 'logback': case 'log4j': return parseJava(line, observed, s.ctx);
    case 'python': return parsePython(line, observed, s.ctx);
    case 'regex': return parseWithPattern(line, observed, s.ctx, s.pattern!);
    case 'raw': return raw(line, observed, s.ctx, undefined);
    case 'auto': return parseAuto(line, observed, s);
  }
}

/** 'auto': a line opening with '{' goes straight to JSON.parse, with no regex tried first. */
function parseAuto(line: string, observed: number, s: Setup): ParsedLine | string {
  if (line.charCodeAt(0) !== 0x7b /* { */) return detect(line, observed, s);
  const json = parseJsonLine(line, observed, s.ctx);
  if (typeof json !== 'string') return json;
  const text = detect(line, observed, s);
  return typeof text === 'string' ? `${json}; ${text}` : text;
}

/**
 * Builds a parser from its config; throws ParserConfigError (a stable `code`) when the config cannot
 * work. The parser it returns never throws: a line it does not understand comes back raw, with the
 * observed time and `parseError` saying why. A line may be a joined multiline record (lines joined with
 * '\n'); its first line decides the format and the rest stays in the body.
 */
export function createLineParser(config: ParserConfig = {}): LineParser {
  const s = setUp(config);
  const format = config.format ?? 'auto';
  return (input: string, observedTime: number): ParsedLine => {
    let line = input;
    try {
      if (line.charCodeAt(line.length - 1) === 0x0d) line = line.slice(0, -1);
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.length === 0) return raw(line, observedTime, s.ctx, 'empty line');
      const parsed = format === 'auto' ? parseAuto(line, observedTime, s) : parseAs(format, line, observedTime, s);
      return typeof parsed === 'string' ? raw(line, observedTime, s.ctx, format === 'auto' ? parsed : `not a ${format} line: ${parsed}`) : parsed;
    } catch (error) {
      // A bug of ours must not cost the line: keep it raw and say what happened.
      try {
        return raw(line, observedTime, s.ctx, `parser failed: ${(error as Error).message}`);
      } catch {
        return { log: { time: observedTime, observedTime, severityNumber: 0, body: line, parseError: `parser failed: ${(error as Error).message}` }, aliases: [] };
      }
    }
  };
}

/**
 * A parser that may hand a JSON line back unparsed, as a VerbatimJson, when it can go out as written
 * (see json-verbatim.ts); any other line comes back parsed, as from createLineParser. Undefined when the
 * config rules the shortcut out: a text format, or a service or host the parser itself stamps.
 */
export interface JsonLineReader {
  /** `keep` sees each field that would become an attribute: a line is only verbatim if it keeps them all. */
  read(line: string, observedTime: number, keep?: (key: string, value: unknown) => boolean): VerbatimJson | ParsedLine;
  /** The record for a line read as verbatim, when it must go out parsed after all (redaction changed it). */
  parsed(line: VerbatimJson, observedTime: number): ParsedLine;
  /**
   * The same verdict over the line's bytes, `bytes[start, end)` (no BOM, no CR), without parsing it (see
   * json-scan.ts): its facts when it may go out as written, undefined when that takes `read` to settle.
   * The object returned is reused by the next call.
   */
  scan(bytes: Buffer, start: number, end: number, keep?: (key: string, value: unknown) => boolean): VerbatimFacts | undefined;
}

export function createJsonLineReader(config: ParserConfig = {}): JsonLineReader | undefined {
  const format = config.format ?? 'auto';
  if ((format !== 'auto' && format !== 'json') || config.service !== undefined || config.host !== undefined) return undefined;
  const parse = createLineParser(config);
  const s = setUp(config);
  const verbatim = new VerbatimJsonReader(config.traceFields ?? []);
  const scanner = new JsonLineScanner(config.traceFields ?? []);
  const parsed = (line: VerbatimJson, observedTime: number): ParsedLine => {
    try {
      return parseJsonFields(line.fields, observedTime, s.ctx);
    } catch {
      return parse(line.text, observedTime);
    }
  };
  return {
    read(line, observedTime, keep) {
      // A BOM, a CR or anything but an object goes the ordinary way (which also says why it failed).
      if (line.charCodeAt(0) !== 0x7b /* { */) return parse(line, observedTime);
      let fields: unknown;
      try {
        fields = JSON.parse(line);
      } catch {
        return parse(line, observedTime);
      }
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return parse(line, observedTime);
      let v: VerbatimJson | undefined;
      try {
        v = verbatim.read(line, fields as Record<string, unknown>, keep);
      } catch {
        v = undefined;
      }
      return v ?? parsed({ text: line, fields: fields as Record<string, unknown>, body: '', severityNumber: 0, hasHost: false, hasService: false }, observedTime);
    },
    parsed,
    scan(bytes, start, end, keep) {
      try {
        return scanner.scan(bytes, start, end, keep);
      } catch {
        return undefined;
      }
    },
  };
}
