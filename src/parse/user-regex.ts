// A user's regex with named groups (format 'regex') → record; the group names say what each part is.
import type { Attributes } from '../model/records.js';
import { ParserConfigError } from './errors.js';
import { finishRecord, severityOf, type ParseContext, type TextFields } from './record.js';
import { noteId, type FoundIds } from './trace-ids.js';
import type { ParsedLine } from './types.js';

/**
 * Compiles the pattern. Python's `(?P<name>…)` is accepted, since patterns are often copied from
 * Python tools. Throws ParserConfigError when it does not compile.
 */
export function compileUserPattern(pattern: string): RegExp {
  const source = pattern.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>');
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (error) {
    throw new ParserConfigError('PARSE_BAD_PATTERN', `pattern is not a valid regex (${(error as Error).message}); fix it, e.g. ^(?<time>\\S+) (?<level>\\w+) (?<msg>.*)$`);
  }
  if (!/\(\?<[A-Za-z_]/.test(source)) {
    throw new ParserConfigError('PARSE_BAD_PATTERN', 'pattern has no named group; name the parts, e.g. (?<time>…) (?<level>…) (?<msg>…)');
  }
  return re;
}

export function parseWithPattern(line: string, observed: number, ctx: ParseContext, re: RegExp): ParsedLine | string {
  const m = re.exec(line);
  if (m === null || m.groups === undefined) return `does not match the configured pattern ${re.source.slice(0, 80)}`;
  const fields: TextFields = { body: line };
  const ids: FoundIds = {};
  let attributes: Attributes | undefined;
  let timeText: string | undefined;
  for (const [name, value] of Object.entries(m.groups)) {
    if (value === undefined) continue;
    switch (name) {
      case 'time': case 'timestamp':
        timeText = value;
        continue;
      case 'level': case 'severity':
        Object.assign(fields, severityOf(value));
        continue;
      case 'msg': case 'message':
        fields.body = value;
        continue;
      case 'service':
        if (value.length > 0) fields.service = value;
        continue;
      case 'host':
        if (value.length > 0) fields.host = value;
        continue;
    }
    const kind = ctx.ids.kind(name);
    if (kind !== undefined) noteId(ids, kind, value);
    (attributes ??= {})[name] = value;
  }
  if (timeText !== undefined) {
    fields.time = ctx.time.read(timeText, observed);
    if (fields.time === undefined) fields.timeError = `time "${timeText.slice(0, 64)}" not understood`;
  }
  fields.attributes = attributes;
  fields.ids = ids;
  return finishRecord(fields, observed, ctx);
}
