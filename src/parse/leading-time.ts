// The last try before a line is kept raw: `TIMESTAMP [LEVEL] message`, in any timestamp the reader knows.
import { finishRecord, severityOf, type ParseContext, type TextFields } from './record.js';
import type { ParsedLine } from './types.js';

const LEVEL = '(?:\\[\\s*|<)?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|ALERT|EMERG|PANIC|trace|debug|info|notice|warn|warning|error|fatal)(?:\\s*\\]|>)?:?';
const BUILT_IN_TIME = [
  '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d{1,9})?)?(?: ?(?:Z|[+-]\\d{2}:?\\d{2}|UTC))?',
  '\\d{2}/[A-Za-z]{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}',
  '[A-Z][a-z]{2},? \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4}| GMT)?',
  '[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}',
  '\\d{10}(?:\\.\\d{1,9})?|\\d{13}',
].join('|');
// After the time: an optional level, then the message.
const AFTER = `(?:\\s+${LEVEL})?(?:\\s+|$)([\\s\\S]*)$`;
const BUILT_IN_RE = new RegExp(`^\\[?(${BUILT_IN_TIME})\\]?${AFTER}`);
const AFTER_RE = new RegExp(`^${AFTER}`);

export function parseLeadingTime(line: string, observed: number, ctx: ParseContext): ParsedLine | string {
  if (ctx.time.custom !== undefined) {
    const parsed = withCustomTime(line, observed, ctx, ctx.time.custom.words);
    if (parsed !== undefined) return parsed;
  }
  const m = BUILT_IN_RE.exec(line);
  if (m === null) return 'no timestamp at the start of the line';
  const time = ctx.time.builtIn(m[1]!, observed);
  if (time === undefined) return 'no timestamp at the start of the line';
  return finishRecord({ time, body: m[3]!, ...severityOf(m[2]) }, observed, ctx);
}

/**
 * A time in the configured timeFormat: luxon reads whole strings, so the line's first words (as many as
 * the format spans, after an optional '[') are handed to it, and what follows is the level and message.
 */
function withCustomTime(line: string, observed: number, ctx: ParseContext, words: number): ParsedLine | undefined {
  const open = line.charCodeAt(0) === 0x5b /* [ */ ? 1 : 0;
  let end = open;
  for (let w = 0; w < words; w++) {
    if (w > 0 && line.charCodeAt(end++) !== 0x20) return undefined;
    const start = end;
    while (end < line.length && line.charCodeAt(end) > 0x20) end++;
    if (end === start) return undefined;
  }
  const close = open === 1 && line.charCodeAt(end - 1) === 0x5d /* ] */ ? end - 1 : end;
  const time = ctx.time.customTime(line.slice(open, close), observed);
  if (time === undefined) return undefined;
  const m = AFTER_RE.exec(line.slice(end));
  if (m === null) return undefined;
  const fields: TextFields = { time, body: m[2]!, ...severityOf(m[1]) };
  return finishRecord(fields, observed, ctx);
}
