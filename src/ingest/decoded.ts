// What every ingest decoder hands the server: the records it could read, and an account of those it could not.
import { LogstitchError } from '../model/errors.js';
import type { LogRecord, Span } from '../model/records.js';

/** The same shape as `AliasLink` in src/store/types.ts (ingest may import only the model). */
export interface DecodedAlias {
  alias: string;
  traceId: string;
  /** The line that carried it. */
  joinedBy?: { service?: string; time: number; body: string };
}

export interface Decoded {
  logs: LogRecord[];
  spans: Span[];
  aliases: DecodedAlias[];
  /** Records that were left out (OTLP partial success: rejected_log_records / rejected_spans). */
  rejected: number;
  /**
   * What was wrong and where (`resourceSpans[0].scopeSpans[1].spans[3]: traceId must be 16 bytes`), at most
   * MAX_DECODE_ERRORS lines plus one saying how many more there were. A line may describe a record that was
   * kept with a field dropped, so errors can be non-empty while rejected is 0.
   */
  errors: string[];
}

export const MAX_DECODE_ERRORS = 20;

/** Accumulates one request's records and problems; `result()` gives the Decoded. */
export class DecodeCollector {
  readonly logs: LogRecord[] = [];
  readonly spans: Span[] = [];
  private readonly aliases: DecodedAlias[] = [];
  private readonly aliasKeys = new Set<string>();
  private readonly errors: string[] = [];
  private unreported = 0;
  private rejected = 0;

  /** Leaves `count` records out, saying why once. */
  reject(where: string, why: string, count = 1): void {
    this.rejected += count;
    this.note(where, why);
  }

  /** Says what was wrong with a record that was kept (a dropped field, a value that fell back). */
  note(where: string, why: string): void {
    if (this.errors.length < MAX_DECODE_ERRORS) this.errors.push(where === '' ? why : `${where}: ${why}`);
    else this.unreported += 1;
  }

  /** Adds an alias link once per request, however many records carry it. */
  alias(alias: string, traceId: string): void {
    const key = `${traceId} ${alias}`;
    if (this.aliasKeys.has(key)) return;
    this.aliasKeys.add(key);
    this.aliases.push({ alias, traceId });
  }

  result(): Decoded {
    const errors = this.unreported > 0 ? [...this.errors, `…and ${this.unreported} more`] : [...this.errors];
    return { logs: this.logs, spans: this.spans, aliases: this.aliases, rejected: this.rejected, errors };
  }
}

/** Shortens a value quoted in an error line, so a hostile 1 MB field does not become a 1 MB message. */
export function quote(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** Parses a JSON request body; anything but well-formed JSON is the body's fault (a 400), never a crash. */
export function parseJsonBody(body: Buffer, code: string, expected: string): unknown {
  // Invalid UTF-8 becomes U+FFFD here; a BOM is not JSON, so it goes.
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new LogstitchError(code, `the body is empty: expected ${expected}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new LogstitchError(code, `the body is not valid JSON (${why}): expected ${expected}`, { cause: error });
  }
}
