// Turns whatever logger a service has (pino, winston, console, a function) into a span-end line writer.
import { symbols } from 'pino';
import type { SpanLineWriter } from '../../src/context/index.js';
import { SPAN_END_KEY, type SpanEndLine } from '../../src/model/span-end.js';

type Level = 'info' | 'warn' | 'error';
export type SpanLineFunction = (line: SpanEndLine, level: Level, message: string) => void;

/** Anything the adapters accept as `logger`. */
export type LoggerLike = SpanLineWriter | SpanLineFunction | object;

interface PinoLike {
  child: (...args: unknown[]) => unknown;
  bindings: () => unknown;
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

interface WinstonLike {
  log: (entry: Record<string, unknown>) => void;
  add: (...args: unknown[]) => unknown;
  levels?: Record<string, number>;
}

interface ConsoleLike {
  log: (line: string) => void;
  warn: (line: string) => void;
  error: (line: string) => void;
}

// Set by logstitch/pino on the hooks that stamp lines themselves (a registered symbol, so that this
// adapter needs no import of that one).
const STAMPS_LINES = Symbol.for('logstitch.stamps-lines');

/** True when the pino logger's mixin or streamWrite hook is ours, and so stamps the trace fields itself. */
function stampsItself(logger: object): boolean {
  const l = logger as Record<symbol, unknown>;
  const hooks = l[symbols.hooksSym] as { streamWrite?: Record<symbol, unknown> } | undefined;
  const mixin = l[symbols.mixinSym] as Record<symbol, unknown> | undefined;
  return hooks?.streamWrite?.[STAMPS_LINES] === true || mixin?.[STAMPS_LINES] === true;
}

function isPino(logger: object): logger is PinoLike {
  const l = logger as Partial<PinoLike>;
  return typeof l.child === 'function' && typeof l.bindings === 'function' && typeof l.info === 'function';
}

function isWinston(logger: object): logger is WinstonLike {
  const l = logger as Partial<WinstonLike> & { transports?: unknown };
  return typeof l.log === 'function' && typeof l.add === 'function' && 'transports' in l;
}

function isConsole(logger: object): logger is ConsoleLike {
  const l = logger as Partial<ConsoleLike> & { table?: unknown };
  return typeof l.log === 'function' && typeof l.warn === 'function' && typeof l.error === 'function' && typeof l.table === 'function';
}

/**
 * The writer for a logger, or undefined when none was given (then spans are timed but not reported).
 * Throws a TypeError naming the problem when the value is not a logger we know how to write to.
 */
export function spanLineWriter(logger: LoggerLike | undefined): SpanLineWriter | undefined {
  if (logger === undefined) return undefined;
  if (typeof logger === 'function') return { writeSpanEnd: logger as SpanLineFunction };
  if (typeof (logger as SpanLineWriter).writeSpanEnd === 'function') return logger as SpanLineWriter;
  if (isPino(logger)) {
    // A logger that stamps itself gets only the span: it adds the IDs of the active span, which is the
    // one ending, and naming them twice would give the line duplicate keys.
    if (stampsItself(logger)) return { writeSpanEnd: (line, level, message) => logger[level]({ [SPAN_END_KEY]: line[SPAN_END_KEY] }, message) };
    return { writeSpanEnd: (line, level, message) => logger[level](line, message) };
  }
  if (isWinston(logger)) {
    return {
      writeSpanEnd(line, level, message) {
        // Custom level sets (syslog's has no `warn`) fall back to what the logger has.
        const levels = logger.levels ?? {};
        const name = level in levels ? level : level === 'warn' && 'warning' in levels ? 'warning' : 'info';
        logger.log({ ...line, level: name, message });
      },
    };
  }
  if (isConsole(logger)) {
    return {
      writeSpanEnd(line, level, message) {
        const text = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...line });
        if (level === 'info') logger.log(text);
        else logger[level](text);
      },
    };
  }
  throw new TypeError('logstitch: `logger` must be a pino or winston logger, a console, a function (line, level, message) or an object with writeSpanEnd');
}
