// Python `logging` lines: the documented default format and basicConfig's `LEVEL:name:message` → record.
//
// Attributes: code.namespace (the logger name). A joined Traceback follows the message in the body.
import { finishRecord, severityOf, type ParseContext, type TextFields } from './record.js';
import type { ParsedLine } from './types.js';

const LEVEL = '(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|NOTSET)';
// `%(asctime)s - %(name)s - %(levelname)s - %(message)s`, asctime as `2024-03-10 02:30:00,123`.
const DEFAULT_RE = new RegExp(`^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:,\\d{3})?) - (.*?) - ${LEVEL} - ([\\s\\S]*)$`);
// basicConfig's BASIC_FORMAT `%(levelname)s:%(name)s:%(message)s`: no time, so the observed time is used.
const BASIC_RE = new RegExp(`^${LEVEL}:([^:\\s]*):([\\s\\S]*)$`);

export function parsePython(text: string, observed: number, ctx: ParseContext): ParsedLine | string {
  let fields: TextFields;
  let m = DEFAULT_RE.exec(text);
  if (m !== null) {
    fields = { body: m[4]!, attributes: { 'code.namespace': m[2]! }, ...severityOf(m[3]) };
    fields.time = ctx.time.iso(m[1]!);
  } else if ((m = BASIC_RE.exec(text)) !== null) {
    fields = { body: m[3]!, attributes: { 'code.namespace': m[2]! }, ...severityOf(m[1]) };
  } else {
    return 'not a Python logging line (want "asctime - name - LEVEL - message" or "LEVEL:name:message")';
  }
  return finishRecord(fields, observed, ctx);
}
