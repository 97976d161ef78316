// The per-record work — parse, enrich, filter, redact, encode — over a chunk of one file's lines, done
// where the stage runner puts it (a worker thread, or the main thread). Pure: text in, bytes out.
import { isAscii } from 'node:buffer';
import { nowMicros } from '../model/time.js';
import { markCut } from '../parse/index.js';
import type { Encoder } from './encode.js';
import type { OutputPool } from './output-pool.js';
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
  /**
   * One entry per record; null for a line that makes no record (blank), which only moves the position;
   * undefined for a line whose text is to be decoded from `bytes` (at `at[i]`, `originalBytes[i]` long) —
   * so that a parsing thread, not the main thread, spends the time on it.
   */
  texts: ArrayLike<string | null | undefined>;
  flags: ArrayLike<number>;
  originalBytes: ArrayLike<number>;
  cuts: ArrayLike<number>;
  /**
   * The chunk the lines were read from, and per entry where its bytes begin in it (-1: not there — held
   * across chunks, joined, or flushed). A line that goes out as written is copied from here rather than
   * encoded again. On the main thread, valid only during the call (the chunk is a reused read buffer);
   * for a parsing thread, a copy in memory shared with it.
   */
  bytes?: Buffer | undefined;
  at: ArrayLike<number>;
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

/** Where the last line to be decoded from `input.bytes` ends. */
function decodedEnd(input: StageInput): number {
  let end = 0;
  for (let i = 0; i < input.texts.length; i++) {
    if (input.texts[i] === undefined) end = Math.max(end, input.at[i]! + input.originalBytes[i]!);
  }
  return end;
}

/** `pool`: where the output's memory comes from (reused buffers); without it, fresh memory. */
export function runStage(transforms: RecordTransform[], encoder: Encoder, input: StageInput, pool?: OutputPool): StageOutput {
  const transform = transforms[input.source]!;
  const n = input.texts.length;
  const starts = new Int32Array(n);
  const outcomes = new Uint8Array(n);
  const groups: string[] = [];
  const texts: string[] = [];
  /** Per text: what replaces its last character (a verbatim line's closing brace), or undefined. */
  const tails: Array<Buffer | undefined> = [];
  /** Per text: where its bytes are in `input.bytes` (a verbatim line read straight from the chunk), or -1. */
  const from: number[] = [];
  // The lines of a chunk were read together: one observed time serves them all.
  const observed = nowMicros();
  let chars = 0;
  const bytes = input.bytes;
  // Lines left undecoded are decoded here, if they must be; as Latin-1 when the chunk is ASCII (the same text, faster).
  let encoding: 'latin1' | 'utf8' | undefined;
  for (let i = 0; i < n; i++) {
    let text = input.texts[i];
    starts[i] = chars;
    const cut = input.cuts[i]!;
    const start = input.at[i]!;
    if (bytes !== undefined && start >= 0 && text !== null && cut === 0 && input.flags[i] === 0) {
      // A line that goes out as written is settled over its bytes, neither decoded nor parsed.
      const size = input.originalBytes[i]!;
      const tail = transform.applyBytes(bytes, start, size, input.path, input.service);
      if (typeof tail === 'string') {
        outcomes[i] = DROP_CODES[tail];
        continue;
      }
      if (tail !== undefined) {
        texts.push('');
        tails.push(tail);
        from.push(start);
        chars += size + tail.length;
        continue;
      }
    }
    if (text === undefined && bytes !== undefined) {
      encoding ??= isAscii(bytes.subarray(0, decodedEnd(input))) ? 'latin1' : 'utf8';
      text = bytes.toString(encoding, start, start + input.originalBytes[i]!);
    }
    if (text === null || text === undefined) {
      outcomes[i] = SKIPPED;
      continue;
    }
    const result = transform.apply(text, input.flags[i]!, input.originalBytes[i]!, observed, input.path, input.service, cut === 0);
    if (typeof result === 'string') {
      outcomes[i] = DROP_CODES[result];
      continue;
    }
    let encoded: string;
    let tail: Buffer | undefined;
    let at = -1;
    if ('line' in result) {
      encoded = result.line;
      tail = result.tail;
      if (input.bytes !== undefined) at = input.at[i] ?? -1;
    } else {
      if (cut !== 0) markCut(result.log, { text, lines: 0, ...(cut & JOIN_CUT_LINES ? { cut: 'maxLines' } : cut & JOIN_CUT_BYTES ? { cut: 'maxBytes' } : {}), ...(cut & JOIN_CONTINUED ? { continued: true } : {}) });
      let out = encoder.record(result.log, result.span);
      if (out.text.length > MAX_RECORD_CHARS) out = shrink(encoder, result.log, result.span, out.text.length);
      encoded = out.text;
      if (encoder.grouped) groups[i] = out.group;
    }
    // A line copied from the chunk needs no text: let it go now (fewer survivors for the collector).
    texts.push(at === -1 ? encoded : '');
    tails.push(tail);
    from.push(at);
    chars += (at === -1 ? encoded.length : input.originalBytes[i]!) + (tail === undefined ? 1 : tail.length);
  }
  return { body: encodeRecords({ texts, tails, from, bytes: input.bytes, sizes: input.originalBytes }, chars, starts, outcomes, pool), starts, outcomes, groups };
}

interface Encoded {
  texts: string[];
  tails: Array<Buffer | undefined>;
  from: number[];
  bytes: Buffer | undefined;
  /** Per input entry: the line's length in bytes (for those copied from `bytes`). */
  sizes: ArrayLike<number>;
}

/**
 * The records as one buffer, each followed by a newline; `starts` (character offsets so far) become byte
 * offsets. A verbatim line read straight from the chunk is copied from it (re-encoding its text cost
 * several times more), then its tail; other records are written from their text. Sized for ASCII (log
 * lines nearly always are) and grown if not: one allocation, no joined or concatenated string.
 */
function encodeRecords(e: Encoded, chars: number, starts: Int32Array, outcomes: Uint8Array, pool: OutputPool | undefined): Buffer {
  if (e.texts.length === 0) return Buffer.alloc(0);
  // Never from Node's shared pool: a parsing thread transfers this buffer.
  let body = pool === undefined ? Buffer.allocUnsafeSlow(chars) : Buffer.from(pool.take(chars));
  let at = 0;
  let t = 0;
  for (let i = 0; i < starts.length; i++) {
    starts[i] = at;
    if (outcomes[i] !== KEPT) continue;
    const text = e.texts[t]!;
    const tail = e.tails[t];
    const src = e.from[t++]!;
    const size = src === -1 ? undefined : e.sizes[i]!;
    // Worst case three bytes a character; the exact size is only asked for near the end of the buffer.
    const most = (size ?? text.length * 3) + (tail?.length ?? 1);
    if (at + most > body.length) {
      // A tail overwrites the line's last byte.
      const need = at + (size ?? Buffer.byteLength(text)) + (tail === undefined ? 1 : tail.length);
      if (need > body.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(body.length * 2, need + Math.max(0, chars - at)));
        body.copy(bigger, 0, 0, at);
        pool?.give(body.buffer as ArrayBuffer);
        body = bigger;
      }
    }
    // TypedArray set(), not Buffer copy(): a third of the cost for a line, a seventh for a tail.
    if (size !== undefined) {
      body.set(new Uint8Array(e.bytes!.buffer, e.bytes!.byteOffset + src, size), at);
      at += size;
    } else at += body.write(text, at);
    // The tail replaces the line's closing brace.
    if (tail !== undefined) {
      body.set(tail, at - 1);
      at += tail.length - 1;
    }
    body[at++] = 0x0a;
  }
  return at === body.length ? body : body.subarray(0, at);
}
