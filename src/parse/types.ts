// The data the line parsers and the multiline joiner are configured with and hand back.
import type { LogRecord, Span } from '../model/records.js';

export type LineFormat =
  | 'auto' | 'json' | 'logfmt' | 'nginx' | 'apache' | 'syslog' | 'logback' | 'log4j' | 'python' | 'regex' | 'raw';

export interface ParserConfig {
  /** Default 'auto': each line is recognised on its own (a JSON line goes straight to JSON.parse). */
  format?: LineFormat;
  /**
   * An access-log format: an nginx `log_format` body (`$remote_addr - … "$request" …`) for 'nginx', or an
   * Apache `LogFormat` string (`%h %l %u %t "%r" %>s %b`) for 'apache'. Default: the combined format.
   * In 'auto' mode a given format is tried before the built-in ones.
   */
  logFormat?: string;
  /**
   * A user regex with named groups (format 'regex'): time, level, msg/message, trace_id, span_id,
   * request_id, traceparent, service, host; any other group becomes an attribute. `(?P<name>…)` is accepted.
   */
  pattern?: string;
  /**
   * A luxon format (`dd.MM.yyyy HH:mm:ss.SSS`, `MMM d HH:mm:ss z`) for timestamps no built-in reader knows,
   * tried first. Date parts it leaves out come from when the line was read (a year-less time is put in
   * the year that makes it the latest one not after that).
   */
  timeFormat?: string;
  /** Zone for timestamps that carry none: an IANA name, 'UTC' (default), 'local' (the machine's), or an offset (`+05:30`, `UTC-3`). */
  zone?: string;
  /** Stamped when the line carries no service of its own. */
  service?: string;
  /** Stamped when the line carries no host of its own. */
  host?: string;
  /** Extra field names that hold trace IDs or request IDs (`correlation_id`, `x-amzn-trace-id`…). */
  traceFields?: string[];
}

export interface ParsedLine {
  log: LogRecord;
  /** The span a span-end line describes. */
  span?: Span;
  /** Legacy IDs this line joins to `log.traceId` (also in `log.aliases`). */
  aliases: string[];
  /** Why part of a line that was read was not understood (the line is kept whole). */
  warning?: string;
}

export type LineParser = (line: string, observedTime: number) => ParsedLine;

export interface MultilineConfig {
  /** 'auto' (default) joins Java, Python and Node stack traces; 'none' passes every line through. */
  mode?: 'auto' | 'none';
  /** A regex a record's first line matches; every line that does not is a continuation. Overrides mode. */
  startPattern?: string;
  /** Most lines in one record (default 500); a longer group is cut there and the rest starts a new record. */
  maxLines?: number;
  /** Most UTF-16 code units in one record (default 1 MiB); a group is cut before the line that would pass it. */
  maxBytes?: number;
}

/** Why a joined record ended before its group did. */
export type MultilineCut = 'maxLines' | 'maxBytes';

/** One record the joiner hands back: its lines joined with '\n'. */
export interface JoinedRecord {
  text: string;
  /** How many lines went into it. */
  lines: number;
  /** Set when a cap ended the record and its group continues in the next record. */
  cut?: MultilineCut;
  /** Set on the record that carries on a group the previous record was cut from. */
  continued?: boolean;
}
