// Java logging lines (logback and log4j default patterns, log4j 1 ISO8601, Spring Boot) → record.
//
// Attributes: thread.name, code.namespace (the logger), process.pid (Spring Boot), and logback 1.3+'s
// key=value pairs (`-%kvp-`) each under its key. The message is the body; a joined stack trace follows
// it on the next lines of the same body.
import type { Attributes } from '../model/records.js';
import { finishRecord, idsFromAttributes, severityOf, type ParseContext, type TextFields } from './record.js';
import { splitLogfmt } from './logfmt.js';
import type { ParsedLine } from './types.js';

const LEVEL = '(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|FINE|FINER|FINEST|CONFIG)';
const TIME = '(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})?|\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,6})?)';

// `%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n` (logback and log4j2 defaults; logback 1.3+
// writes `-%kvp-`, which reads `--` when there are no pairs), with or without a date.
const CLASSIC_RE = new RegExp(`^${TIME} \\[([^\\]]*)\\] ${LEVEL} +(\\S+) -(?:(?:(\\S[^\\n]*?))?-)? ([\\s\\S]*)$`);
// `%d{ISO8601} %-5p [%t] %c - %m%n`, the usual log4j 1 layout.
const LOG4J1_RE = new RegExp(`^${TIME} ${LEVEL} +\\[([^\\]]*)\\] (\\S+)(?: \\S+)? - ([\\s\\S]*)$`);
// Spring Boot: `2024-03-10T02:30:00.123-05:00  INFO 12345 --- [app] [           main] c.e.App : msg`.
const SPRING_RE = new RegExp(`^${TIME} +${LEVEL} (\\d+) --- (?:\\[([^\\]]*)\\] )?\\[ *([^\\]]*)\\] (\\S+) +: ([\\s\\S]*)$`);

export function parseJava(text: string, observed: number, ctx: ParseContext): ParsedLine | string {
  const attributes: Attributes = {};
  let time: string;
  let level: string;
  let body: string;
  let m = CLASSIC_RE.exec(text);
  if (m !== null) {
    time = m[1]!;
    attributes['thread.name'] = m[2]!;
    level = m[3]!;
    attributes['code.namespace'] = m[4]!;
    const pairs = m[5] === undefined ? undefined : splitLogfmt(m[5], 1);
    if (pairs !== undefined) for (const [k, v] of pairs) attributes[k] = v;
    else if (m[5] !== undefined) attributes['log.kvp'] = m[5];
    body = m[6]!;
  } else if ((m = LOG4J1_RE.exec(text)) !== null) {
    time = m[1]!;
    level = m[2]!;
    attributes['thread.name'] = m[3]!;
    attributes['code.namespace'] = m[4]!;
    body = m[5]!;
  } else if ((m = SPRING_RE.exec(text)) !== null) {
    time = m[1]!;
    level = m[2]!;
    attributes['process.pid'] = Number(m[3]);
    if (m[4] !== undefined && m[4].length > 0) attributes['service.name'] = m[4];
    attributes['thread.name'] = m[5]!;
    attributes['code.namespace'] = m[6]!;
    body = m[7]!;
  } else {
    return 'not a Java log line (want "TIME [thread] LEVEL logger - msg", "TIME LEVEL [thread] logger - msg" or Spring Boot\'s layout)';
  }
  const fields: TextFields = { body, attributes, ...severityOf(level) };
  fields.time = ctx.time.read(time, observed);
  if (fields.time === undefined) fields.timeError = `time "${time}" not understood`;
  const service = attributes['service.name'];
  if (typeof service === 'string') {
    fields.service = service;
    delete attributes['service.name'];
  }
  fields.ids = idsFromAttributes(attributes, ctx);
  return finishRecord(fields, observed, ctx);
}
