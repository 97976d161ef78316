// Glob patterns (`*`, `**`, `?`, `[abc]`, `{a,b}`) → regular expressions over absolute paths, and the
// directory a pattern's matches all live under (where the scan and the watcher start).
import { isAbsolute, join, resolve, sep } from 'node:path';

export interface CompiledGlob {
  /** The pattern as given, for messages. */
  source: string;
  /** The absolute pattern the regex was built from. */
  absolute: string;
  regex: RegExp;
  /** The deepest directory without wildcards: every match is below it. */
  base: string;
  /** How many path segments below `base` a match can have; Infinity with `**`. */
  depth: number;
}

const MAGIC = /(?<!\\)[*?[{]/;

/** `pattern` with its wildcard characters escaped: matches exactly that path. */
export function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\]{}]/g, (c) => `\\${c}`);
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** `[!a-z]` → `[^a-z]`; an unterminated class is a literal `[`. Returns the regex and the index after it. */
function charClass(glob: string, start: number): [string, number] {
  const end = glob.indexOf(']', start + 2);
  if (end === -1) return ['\\[', start + 1];
  let body = glob.slice(start + 1, end);
  if (body.startsWith('!')) body = `^${body.slice(1)}`;
  return [`[${body.replace(/\\/g, '\\\\').replace(/\//g, '')}]`, end + 1];
}

/** The body of a regex matching what `glob` matches (no anchors). */
export function globToRegexSource(glob: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; ) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      // A backslash makes the next character literal (`logstitch ingest` escapes file names this way).
      out += escapeChar(glob[i + 1]!);
      i += 2;
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more whole directories; a trailing `**` anything at all.
        if (glob[i + 2] === '/') {
          out += '(?:[^/]*/)*';
          i += 3;
        } else {
          out += '.*';
          i += 2;
        }
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      const [cls, next] = charClass(glob, i);
      out += cls;
      i = next;
    } else if (c === '{') {
      braces++;
      out += '(?:';
      i += 1;
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
      i += 1;
    } else if (c === ',' && braces > 0) {
      out += '|';
      i += 1;
    } else {
      out += escapeChar(c);
      i += 1;
    }
  }
  // An unclosed brace is a mistake in the pattern, but a harmless one: close it.
  return out + ')'.repeat(braces);
}

/** Compiles a glob; relative patterns are taken from `cwd`. Paths use `/` (POSIX systems only). */
export function compileGlob(pattern: string, cwd: string = process.cwd()): CompiledGlob {
  const absolute = (isAbsolute(pattern) ? pattern : join(resolve(cwd), pattern)).split(sep).join('/');
  const segments = absolute.split('/');
  const firstMagic = segments.findIndex((s) => MAGIC.test(s));
  const baseSegments = firstMagic === -1 ? segments.slice(0, -1) : segments.slice(0, firstMagic);
  const rest = firstMagic === -1 ? segments.slice(-1) : segments.slice(firstMagic);
  const base = baseSegments.map((s) => s.replace(/\\(.)/g, '$1')).join('/') || '/';
  const depth = rest.some((s) => s.includes('**')) ? Infinity : rest.length;
  return { source: pattern, absolute, regex: new RegExp(`^${globToRegexSource(absolute)}$`), base, depth };
}

/**
 * An exclude pattern: one with a `/` matches whole paths like an include; one without (`*.gz`) matches
 * the file's name in any directory, which is what people mean by it.
 */
export function compileExclude(pattern: string, cwd: string = process.cwd()): (path: string) => boolean {
  if (!pattern.includes('/')) {
    const name = new RegExp(`^${globToRegexSource(pattern)}$`);
    return (path) => name.test(path.slice(path.lastIndexOf('/') + 1));
  }
  const { regex } = compileGlob(pattern, cwd);
  return (path) => regex.test(path);
}
