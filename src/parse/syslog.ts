// syslog lines, RFC 3164 (BSD, with or without <PRI>, as /var/log/syslog holds them) and RFC 5424 → record.
//
// Attributes: syslog.facility (name), syslog.procid, syslog.msgid (5424), and each structured-data
// parameter as `<SD-ID>.<name>` (`meta.sequenceId`, `exampleSDID@32473.iut`). The app name (tag) is
// the record's service; the hostname its host; the severity comes from the PRI.
import type { Attributes } from '../model/records.js';
import { severityFromSyslog } from '../model/severity.js';
import { finishRecord, idsFromAttributes, severityOf, type ParseContext, type TextFields } from './record.js';
import type { ParsedLine } from './types.js';

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

const RFC5424_RE = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;
const RFC3164_RE = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?) (.*)$/;
// After the time: `host tag[pid]: msg`, `tag[pid]: msg` (no host, as local daemons log), or just `host msg`.
const TAG_RE = /^([^\s:[\]]{1,128})(?:\[([^\]\s]{1,32})\])?: ?/;

function nil(value: string | undefined): string | undefined {
  return value === undefined || value === '-' ? undefined : value;
}

function fromPri(pri: string | undefined, fields: TextFields, attributes: Attributes): boolean {
  if (pri === undefined) return true;
  const n = Number(pri);
  if (n > 191) return false;
  attributes['syslog.facility'] = FACILITIES[n >> 3] ?? String(n >> 3);
  fields.severityNumber = severityFromSyslog(n & 7);
  fields.severityText = SEVERITIES[n & 7];
  return true;
}

export function parseSyslog(line: string, observed: number, ctx: ParseContext): ParsedLine | string {
  if (line.charCodeAt(0) === 0x3c) {
    const m = RFC5424_RE.exec(line);
    if (m !== null) return parse5424(line, m, observed, ctx);
  }
  const m = RFC3164_RE.exec(line);
  if (m === null) return 'not a syslog line (want "<PRI>1 TIME HOST APP …" or "[<PRI>]Mmm dd hh:mm:ss host tag: msg")';
  const attributes: Attributes = {};
  const fields: TextFields = { body: '', attributes };
  if (!fromPri(m[1], fields, attributes)) return `syslog PRI ${m[1]} is over 191`;
  const time = m[2]!;
  fields.time = time.charCodeAt(0) <= 0x39 ? ctx.time.iso(time) : ctx.time.syslog(time, observed);
  if (fields.time === undefined) fields.timeError = `time "${time}" not understood`;
  let rest = m[3]!;
  let tag = TAG_RE.exec(rest);
  if (tag === null) {
    // `host tag: msg`: the first word is the host.
    const space = rest.indexOf(' ');
    if (space > 0) {
      fields.host = rest.slice(0, space);
      rest = rest.slice(space + 1);
      tag = TAG_RE.exec(rest);
    } else tag = null;
  }
  if (tag !== null) {
    fields.service = tag[1];
    if (tag[2] !== undefined) attributes['syslog.procid'] = tag[2];
    rest = rest.slice(tag[0].length);
  }
  if (fields.severityNumber === undefined) Object.assign(fields, levelInMessage(rest));
  fields.body = rest;
  fields.ids = idsFromAttributes(attributes, ctx);
  return finishRecord(fields, observed, ctx);
}

/** A BSD line without PRI often names its level at the start of the message (`<warn>`, `ERROR:`). */
function levelInMessage(message: string): { severityNumber?: number; severityText?: string } {
  const m = /^(?:<(\w{3,8})>|\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRIT|CRITICAL|FATAL|ALERT|EMERG)\]?:?)\s/i.exec(message);
  if (m === null) return {};
  const level = severityOf(m[1] ?? m[2]);
  return level.severityNumber === 0 ? {} : level;
}

function parse5424(line: string, m: RegExpExecArray, observed: number, ctx: ParseContext): ParsedLine | string {
  const attributes: Attributes = {};
  const fields: TextFields = { body: '', attributes };
  if (!fromPri(m[1], fields, attributes)) return `syslog PRI ${m[1]} is over 191`;
  const time = nil(m[3]);
  if (time !== undefined) {
    fields.time = ctx.time.iso(time);
    if (fields.time === undefined) fields.timeError = `time "${time.slice(0, 64)}" not understood`;
  }
  fields.host = nil(m[4]);
  fields.service = nil(m[5]);
  const procid = nil(m[6]);
  if (procid !== undefined) attributes['syslog.procid'] = procid;
  const msgid = nil(m[7]);
  if (msgid !== undefined) attributes['syslog.msgid'] = msgid;
  let i = m[0].length;
  if (line[i] === '-') i++;
  else {
    const end = readStructuredData(line, i, attributes);
    if (end === -1) return 'RFC 5424 structured data is malformed (want [id name="value" …] or -)';
    i = end;
  }
  if (line[i] === ' ') i++;
  let message = line.slice(i);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1); // the BOM 5424 puts before UTF-8 text
  fields.body = message;
  fields.ids = idsFromAttributes(attributes, ctx);
  return finishRecord(fields, observed, ctx);
}

/** Reads `[id k="v" …][id2 …]` from `i`; returns the index after it, or -1 when it is malformed. */
function readStructuredData(line: string, i: number, attributes: Attributes): number {
  while (line[i] === '[') {
    i++;
    const idEnd = scanName(line, i);
    if (idEnd === i) return -1;
    const id = line.slice(i, idEnd);
    i = idEnd;
    while (line[i] === ' ') {
      i++;
      const nameEnd = scanName(line, i);
      if (nameEnd === i || line[nameEnd] !== '=' || line[nameEnd + 1] !== '"') return -1;
      const name = line.slice(i, nameEnd);
      let value = '';
      let j = nameEnd + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\' || line[j + 1] === ']')) j++;
        value += line[j];
      }
      if (j >= line.length) return -1;
      attributes[`${id}.${name}`] = value;
      i = j + 1;
    }
    if (line[i] !== ']') return -1;
    i++;
  }
  return i;
}

function scanName(line: string, i: number): number {
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3d || c === 0x5d || c === 0x22) break;
    i++;
  }
  return i;
}
