// The per-record work — parse, enrich, filter, redact, encode — over a chunk of one file's lines, done
// where the stage runner puts it (a worker thread, or the main thread). Pure: text in, bytes out.
import { nowMicros } from '../model/time.js';
import { markCut } from '../parse/index.js';
import type { Encoder } from './encode.js';
import { CUT_ATTRIBUTE, type RecordTransform, type Transformed } from './transform.js';

/** The indexer cuts NDJSON lines longer than 1 MiB characters; records stay below that. */
export const MAX_RECORD_CHARS = 1_000_000;

/** `cuts` entries: how the multiline joiner ended a record, if it did. */
export const JOIN_CUT_LINES = 1;
export const JOIN_CUT_BYTES = 2;
export const JOIN_CONTINUED = 4;

export interface StageInput {
  /** Index of the source in the configuration: which transform applies. */
  source: number;
  path: string;
  service: string | undefined;
  /** One entry per record; null for a line that makes no record (blank), which only moves the position. */
  texts: Array<string | null>;
  flags: number[];
  originalBytes: number[];
  cuts: number[];
}

export const KEPT = 0;
export const SKIPPED = 1;
export const DROPPED_LEVEL = 2;
export const DROPPED_DROP = 3;
export const DROPPED_KEEP = 4;

export interface StageOutput {
  /** The kept records, each followed by a newline. */
  body: Uint8Array;
  /** Per input entry: where its record starts in `body`; it ends where the next entry starts (or at the end). */
  starts: Int32Array;
  /** Per input entry: KEPT, SKIPPED or DROPPED_*. */
  outcomes: Uint8Array;
  /** Per input entry: the record's group (OTLP resources); empty when the encoder has none. */
  groups: string[];
}

const DROP_CODES = { level: DROPPED_LEVEL, drop: DROPPED_DROP, keep: DROPPED_KEEP } as const;

/** A record whose encoding outgrew the indexer's line limit (escaped control bytes grow sixfold): its body is cut to fit. */
function shrink(encoder: Encoder, log: Transformed['log'], span: Transformed['span'], length: number): { text: string; group: string } {
  let excess = length - MAX_RECORD_CHARS;
  for (;;) {
    log.body = log.body.slice(0, Math.max(0, log.body.length - excess - 64));
    (log.attributes ??= {})[CUT_ATTRIBUTE] = true;
    const out = encoder.record(log, span);
    if (out.text.length <= MAX_RECORD_CHARS || log.body.length === 0) return out;
    excess = out.text.length - MAX_RECORD_CHARS;
  }
}

export function runStage(transforms: RecordTransform[], encoder: Encoder, input: StageInput): StageOutput {
  const transform = transforms[input.source]!;
  const n = input.texts.length;
  const starts = new Int32Array(n);
  const outcomes = new Uint8Array(n);
  const groups: string[] = [];
  const texts: string[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const text = input.texts[i];
    starts[i] = size;
    if (text === null || text === undefined) {
      outcomes[i] = SKIPPED;
      continue;
    }
    const result = transform.apply(text, input.flags[i]!, input.originalBytes[i]!, nowMicros(), input.path, input.service);
    if (typeof result === 'string') {
      outcomes[i] = DROP_CODES[result];
      continue;
    }
    const cut = input.cuts[i]!;
    if (cut !== 0) markCut(result.log, { text, lines: 0, ...(cut & JOIN_CUT_LINES ? { cut: 'maxLines' } : cut & JOIN_CUT_BYTES ? { cut: 'maxBytes' } : {}), ...(cut & JOIN_CONTINUED ? { continued: true } : {}) });
    let encoded = encoder.record(result.log, result.span);
    if (encoded.text.length > MAX_RECORD_CHARS) encoded = shrink(encoder, result.log, result.span, encoded.text.length);
    texts.push(encoded.text);
    if (encoder.grouped) groups[i] = encoded.group;
    // Exact byte offsets are needed per record; Buffer.byteLength is cheap next to the work above.
    size += Buffer.byteLength(encoded.text) + 1;
  }
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (const text of texts) {
    at += body.write(text, at);
    body[at++] = 0x0a;
  }
  return { body, starts, outcomes, groups };
}
