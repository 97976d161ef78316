// Joins the lines of one event (a stack trace under its log line) into one record, within caps.
import type { LogRecord } from '../model/records.js';
import { ParserConfigError } from './errors.js';
import type { JoinedRecord, MultilineConfig, MultilineCut } from './types.js';

export const DEFAULT_MAX_LINES = 500;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** The attribute `markCut` sets on a record a cap ended: 'maxLines' or 'maxBytes'. */
export const MULTILINE_CUT_ATTRIBUTE = 'log.multiline.cut';

// Shared empty results, frozen so a caller that pushes into one fails loudly instead of corrupting the next.
const NOTHING: string[] = Object.freeze([]) as unknown as string[];
const NOTHING_JOINED: JoinedRecord[] = Object.freeze([]) as unknown as JoinedRecord[];

// A Java exception header (`java.lang.IllegalStateException: boom`, `com.acme.CartError`): a qualified
// class name. It belongs to the line above only when a frame follows, so it is held until the next line.
const JAVA_HEADER_RE = /^[a-z][\w$]*(?:\.[\w$]+)*\.[A-Z][\w$]*(?::\s|:$|$)/;
const FRAME_RE = /^\s+(?:at |\.\.\. \d+ (?:more|common frames omitted)|Caused by: |Suppressed: |Wrapped by: )/;
const PY_TRACEBACK = 'Traceback (most recent call last):';
const PY_CHAIN_RE = /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;

type PyState = 'none' | 'frames' | 'after-exception' | 'chain';

/** Records a cap cut, so a user sees that the rest of its stack trace is in the next record. */
export function markCut(log: LogRecord, joined: JoinedRecord): void {
  if (joined.cut === undefined && joined.continued !== true) return;
  const attributes = (log.attributes ??= {});
  if (joined.cut !== undefined) attributes[MULTILINE_CUT_ATTRIBUTE] = joined.cut;
  if (joined.continued === true) attributes['log.multiline.continued'] = true;
}

/**
 * Groups lines into records. A record is known to be complete only when the next record's first line
 * arrives, so one group is always held back: `pending` says so, and `flush()` (call it when the file has
 * been quiet for the partial-line timeout, and at end of input) hands it over. `push` and `flush` return
 * each record's lines joined with '\n'; `pushJoined`/`flushJoined` say also how many lines each record
 * took and which records a cap cut. Every pushed line lands in exactly one record, in order. The arrays
 * returned are the caller's to read, not to change.
 */
export class MultilineJoiner {
  private readonly mode: 'auto' | 'none' | 'pattern';
  private readonly start: RegExp | undefined;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private group: string[] = [];
  private bytes = 0;
  private continued = false;
  /** A line that joins the group only if the line after it confirms it (a Java header, a blank in a Python chain). */
  private held: string | undefined;
  private py: PyState = 'none';

  constructor(config: MultilineConfig = {}) {
    this.maxLines = positive(config.maxLines, DEFAULT_MAX_LINES, 'maxLines');
    this.maxBytes = positive(config.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
    if (config.startPattern !== undefined) {
      try {
        this.start = new RegExp(config.startPattern);
      } catch (error) {
        throw new ParserConfigError('PARSE_BAD_PATTERN', `multiline startPattern is not a valid regex (${(error as Error).message}); fix the pattern or remove it`);
      }
      this.mode = 'pattern';
    } else {
      this.mode = config.mode === 'none' ? 'none' : 'auto';
    }
  }

  get pending(): boolean {
    return this.group.length > 0 || this.held !== undefined;
  }

  push(line: string): string[] {
    if (this.mode === 'none') return [line];
    // The common case in JSON logs, kept free of per-line objects: a JSON line closes the group before it.
    if (this.mode === 'auto' && this.held === undefined && line.charCodeAt(0) === 0x7b) {
      const group = this.group;
      const text = group.length === 0 ? undefined : group.length === 1 ? group[0]! : group.join('\n');
      group.length = 0;
      group.push(line);
      this.bytes = line.length;
      this.py = 'none';
      this.continued = false;
      return text === undefined ? NOTHING : [text];
    }
    const out = this.pushJoined(line);
    return out.length === 0 ? NOTHING : out.map(textOf);
  }

  flush(): string[] {
    const out = this.flushJoined();
    return out.length === 0 ? NOTHING : out.map(textOf);
  }

  pushJoined(line: string): JoinedRecord[] {
    if (this.mode === 'none') return [{ text: line, lines: 1 }];
    // The common case in JSON logs: a single JSON line held, closed by the next one.
    if (this.mode === 'auto' && this.held === undefined && line.charCodeAt(0) === 0x7b && this.group.length <= 1 && !this.continued) {
      const previous = this.group.length === 1 ? this.group[0]! : undefined;
      this.group.length = 0;
      this.group.push(line);
      this.bytes = line.length;
      this.py = 'none';
      return previous === undefined ? NOTHING_JOINED : [{ text: previous, lines: 1 }];
    }
    let out: JoinedRecord[] = NOTHING_JOINED;
    if (this.held !== undefined) {
      const held = this.held;
      this.held = undefined;
      if (this.py === 'after-exception' && PY_CHAIN_RE.test(line)) {
        this.py = 'chain';
        return this.append(line, this.append(held, out));
      }
      if (this.py === 'none' && FRAME_RE.test(line)) out = this.append(held, out);
      else out = this.restart(held, out);
    }
    if (this.mode === 'pattern') return this.start!.test(line) ? this.begin(line, this.emit(out)) : this.append(line, out);
    return this.auto(line, out);
  }

  flushJoined(): JoinedRecord[] {
    let out = NOTHING_JOINED;
    if (this.held !== undefined) {
      const held = this.held;
      this.held = undefined;
      out = this.restart(held, out);
    }
    this.py = 'none';
    return this.emit(out);
  }

  private auto(line: string, out: JoinedRecord[]): JoinedRecord[] {
    if (this.group.length === 0) return this.restart(line, out);
    const first = line.charCodeAt(0);
    if (first === 0x7b /* { */) return this.restart(line, out);
    if (this.py !== 'none') return this.python(line, out);
    if (first === 0x20 || first === 0x09) return FRAME_RE.test(line) ? this.append(line, out) : this.restart(line, out);
    if (first === 0x43 /* C */ && line.startsWith('Caused by: ')) return this.append(line, out);
    if (first === 0x54 /* T */ && line === PY_TRACEBACK) {
      this.py = 'frames';
      return this.append(line, out);
    }
    if (first >= 0x61 && first <= 0x7a && JAVA_HEADER_RE.test(line)) {
      this.held = line;
      return out;
    }
    return this.restart(line, out);
  }

  /** Inside a Python traceback: indented lines are frames; the first unindented line is the exception. */
  private python(line: string, out: JoinedRecord[]): JoinedRecord[] {
    const first = line.charCodeAt(0);
    const indented = first === 0x20 || first === 0x09;
    switch (this.py) {
      case 'frames':
        if (!indented && line.length > 0) this.py = 'after-exception';
        return this.append(line, out);
      case 'after-exception':
        if (line.length === 0) {
          this.held = line;
          return out;
        }
        if (indented) return this.append(line, out); // a multi-line exception message
        break;
      case 'chain':
        if (line.length === 0) return this.append(line, out);
        if (line === PY_TRACEBACK) {
          this.py = 'frames';
          return this.append(line, out);
        }
        break;
    }
    this.py = 'none';
    return this.auto(line, out);
  }

  /** Ends the group and starts the next with this line (a bare traceback starts one of its own). */
  private restart(line: string, out: JoinedRecord[]): JoinedRecord[] {
    out = this.emit(out);
    this.py = this.mode === 'auto' && line === PY_TRACEBACK ? 'frames' : 'none';
    return this.begin(line, out);
  }

  private begin(line: string, out: JoinedRecord[]): JoinedRecord[] {
    this.group.push(line);
    this.bytes = line.length;
    return out;
  }

  private append(line: string, out: JoinedRecord[]): JoinedRecord[] {
    if (this.group.length === 0) return this.begin(line, out);
    const bytes = this.bytes + 1 + line.length;
    let cut: MultilineCut | undefined;
    if (this.group.length >= this.maxLines) cut = 'maxLines';
    else if (bytes > this.maxBytes) cut = 'maxBytes';
    if (cut === undefined) {
      this.group.push(line);
      this.bytes = bytes;
      return out;
    }
    out = this.emit(out, cut);
    this.continued = true;
    return this.begin(line, out);
  }

  private emit(out: JoinedRecord[], cut?: MultilineCut): JoinedRecord[] {
    if (this.group.length === 0) return out;
    const record: JoinedRecord = { text: this.group.length === 1 ? this.group[0]! : this.group.join('\n'), lines: this.group.length };
    if (cut !== undefined) record.cut = cut;
    if (this.continued) record.continued = true;
    this.group = [];
    this.bytes = 0;
    this.continued = false;
    if (out === NOTHING_JOINED) return [record];
    out.push(record);
    return out;
  }
}

function textOf(record: JoinedRecord): string {
  return record.text;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ParserConfigError('PARSE_BAD_CONFIG', `multiline ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
