// patchConsole: legacy code that prints with console.log gets the trace ID on each line it prints.
import { formatWithOptions } from 'node:util';
import { getActiveContext } from '../../src/context/index.js';
import { createRedactor, type RedactOptions } from '../../src/model/redact.js';

export interface PatchConsoleOptions {
  /** The console to patch. Default: the global console. */
  console?: Console;
  /** Methods to patch. Default: log, info, warn, error, debug. */
  methods?: Array<'log' | 'info' | 'warn' | 'error' | 'debug'>;
  /** Redaction of card numbers and `password=…`-style pairs in printed text; on by default. */
  redact?: RedactOptions | false;
}

const PATCHED = Symbol('logstitch.console');

/**
 * Inside a trace, each printed line gains ` trace_id=<id> span_id=<id>` at the end of its first line
 * (so a multi-line stack trace keeps it on the line the agent joins the rest to); a line that already
 * names the trace ID is left as it is. Outside a trace nothing is added. Returns a function that
 * restores the console.
 */
export function patchConsole(options: PatchConsoleOptions = {}): () => void {
  const target = options.console ?? console;
  const patched = target as Console & { [PATCHED]?: () => void };
  const previous = patched[PATCHED];
  if (previous !== undefined) previous();
  const redactor = options.redact === false ? undefined : createRedactor(options.redact ?? {});
  const methods = options.methods ?? ['log', 'info', 'warn', 'error', 'debug'];
  const originals = new Map<string, (...args: unknown[]) => void>();
  for (const name of methods) {
    const original = target[name] as (...args: unknown[]) => void;
    originals.set(name, original);
    target[name] = function (this: unknown, ...args: unknown[]): void {
      const ctx = getActiveContext();
      if (ctx === undefined && redactor === undefined) return original.apply(this, args);
      let text: string;
      try {
        text = formatWithOptions({ colors: false }, ...args);
        if (redactor !== undefined) text = redactor.redactString(text);
        if (ctx !== undefined && !text.includes(ctx.traceId)) text = stampFirstLine(text, ` trace_id=${ctx.traceId} span_id=${ctx.spanId}`);
      } catch {
        return original.apply(this, args);
      }
      original.call(this, text);
    };
  }
  const restore = (): void => {
    for (const [name, original] of originals) (target as unknown as Record<string, unknown>)[name] = original;
    delete patched[PATCHED];
  };
  patched[PATCHED] = restore;
  return restore;
}

function stampFirstLine(text: string, stamp: string): string {
  const newline = text.indexOf('\n');
  if (newline === -1) return text + stamp;
  const cr = newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
  return text.slice(0, cr) + stamp + text.slice(cr);
}
