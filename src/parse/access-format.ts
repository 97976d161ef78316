// Compiles nginx `log_format` and Apache `LogFormat` definitions into one anchored regex per format.
import { ParserConfigError } from './errors.js';

/** A compiled access-log format: a regex and the variable each capture group holds (nginx names). */
export interface AccessFormat {
  name: string;
  re: RegExp;
  vars: string[];
}

export const NGINX_COMBINED = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';
export const APACHE_COMMON = '%h %l %u %t "%r" %>s %b';
export const APACHE_COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"';

// Variables whose shape is known, so the regex need not rely on the text that follows them.
const SHAPES: Record<string, string> = {
  time_local: '\\d{2}/[A-Za-z]{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})? [+-]\\d{4}',
  time_iso8601: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})?',
  msec: '\\d{9,11}(?:\\.\\d{1,6})?',
  status: '\\d{3}|-',
  body_bytes_sent: '\\d+|-',
  bytes_sent: '\\d+|-',
  request_length: '\\d+|-',
  request_time: '\\d+(?:\\.\\d+)?|-',
  request_time_us: '\\d+|-',
  request_time_ms: '\\d+|-',
  request_time_s: '\\d+|-',
};
// Upstream variables list one value per upstream tried (`0.012, 0.004 : 0.010`), spaces included.
const LISTS = new Set(['upstream_response_time', 'upstream_connect_time', 'upstream_header_time', 'upstream_status', 'upstream_addr']);
const QUOTED = '(?:[^"\\\\]|\\\\.)*';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Strips what a definition pasted from nginx.conf carries around the format itself. */
function unwrapNginx(definition: string): string {
  let text = definition.trim().replace(/;$/, '').trim();
  text = text.replace(/^log_format\s+\S+\s+(?:escape=\S+\s+)?/, '');
  if (text.startsWith("'") && text.endsWith("'")) text = text.slice(1, -1).replace(/'\s*'/g, '');
  return text;
}

/** Compiles an nginx format. Throws ParserConfigError when it holds no variable. */
export function compileNginxFormat(definition: string, name = 'nginx'): AccessFormat {
  const text = unwrapNginx(definition);
  const tokens: Array<{ literal: string } | { variable: string }> = [];
  const varRe = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = varRe.exec(text)) !== null) {
    if (m.index > last) tokens.push({ literal: text.slice(last, m.index) });
    tokens.push({ variable: (m[1] ?? m[2])! });
    last = m.index + m[0].length;
  }
  if (last < text.length) tokens.push({ literal: text.slice(last) });
  const vars: string[] = [];
  let source = '^';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if ('literal' in token) {
      source += escape(token.literal);
      continue;
    }
    const next = tokens[i + 1];
    const follow = next !== undefined && 'literal' in next ? next.literal[0] : undefined;
    vars.push(token.variable);
    source += `(${shapeOf(token.variable, follow)})`;
  }
  if (vars.length === 0) {
    throw new ParserConfigError('PARSE_BAD_LOG_FORMAT', `log format "${definition.slice(0, 80)}" holds no $variable; give the log_format body, e.g. ${NGINX_COMBINED}`);
  }
  return { name, re: new RegExp(`${source}$`), vars };
}

function shapeOf(variable: string, follow: string | undefined): string {
  const known = SHAPES[variable];
  if (known !== undefined) return known;
  if (LISTS.has(variable)) return follow === undefined ? '.*' : '.*?';
  if (follow === '"') return QUOTED;
  if (follow === undefined) return '.*';
  if (follow === ' ') return '\\S*';
  return `[^${escape(follow)}]*`;
}

// Apache directives, by letter, as the nginx variable that holds the same thing.
const APACHE_LETTERS: Record<string, string> = {
  h: 'remote_addr', a: 'remote_addr', A: 'server_addr', l: 'remote_ident', u: 'remote_user', r: 'request',
  s: 'status', b: 'body_bytes_sent', B: 'body_bytes_sent', O: 'bytes_sent', I: 'request_length', D: 'request_time_us',
  T: 'request_time_s', v: 'server_name', V: 'server_name', p: 'server_port', P: 'pid', H: 'server_protocol',
  m: 'request_method', U: 'uri', q: 'args', L: 'request_log_id', k: 'connection_requests', X: 'connection_status',
  f: 'request_filename', R: 'handler',
};

/**
 * Compiles an Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b "%{Referer}i"`) by translating each
 * directive into the nginx variable that means the same, so both formats yield the same attributes.
 */
export function compileApacheFormat(definition: string, name = 'apache'): AccessFormat {
  let text = definition.trim().replace(/^LogFormat\s+/, '');
  if (text.startsWith('"') && /"\s+\w+$/.test(text)) text = text.slice(1, text.lastIndexOf('"')); // `"…" combined`
  text = text.replace(/\\"/g, '"');
  const directive = /%([<>]?)(?:!?[\d,]+)?(?:\{([^}]*)\})?([<>]?)([a-zA-Z%])/g;
  let nginx = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = directive.exec(text)) !== null) {
    nginx += text.slice(last, m.index);
    last = m.index + m[0].length;
    const arg = m[2];
    const letter = m[4]!;
    nginx += apacheVariable(letter, arg, definition);
  }
  nginx += text.slice(last);
  return compileNginxFormat(nginx, name);
}

function apacheVariable(letter: string, arg: string | undefined, definition: string): string {
  const header = (prefix: string) => `\${${prefix}${(arg ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_')}}`;
  switch (letter) {
    case '%':
      return '%';
    case 't':
      return arg === undefined ? '[${time_local}]' : arg === 'msec' || arg === 'msec_frac' ? '${msec}' : '${time_custom}';
    case 'T':
      return arg === 'ms' ? '${request_time_ms}' : arg === 'us' ? '${request_time_us}' : '${request_time_s}';
    case 'i':
      return header('http_');
    case 'o':
      return header('sent_http_');
    case 'e':
    case 'n':
      return header('');
    case 'C':
      return header('cookie_');
    default: {
      const variable = APACHE_LETTERS[letter];
      if (variable === undefined) {
        throw new ParserConfigError('PARSE_BAD_LOG_FORMAT', `Apache log format "${definition.slice(0, 80)}": %${letter} is not a directive this reader knows`);
      }
      return `\${${variable}}`;
    }
  }
}
