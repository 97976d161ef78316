// The record stage's input on its way to the parsing thread: the chunk's bytes in memory shared with the
// thread, the per-line numbers in one typed array, and only the texts that are not left in the bytes — so
// that a message costs a few copies, not a structured clone of thousands of array elements.
import type { StageInput } from './record-stage.js';

/** A StageInput as posted to the parsing thread. */
export interface PackedInput {
  source: number;
  path: string;
  service: string | undefined;
  count: number;
  /** `at`, `originalBytes`, `flags` and `cuts`, `count` each, one after the other. */
  numbers: Int32Array;
  /** The entries whose text travels as text (or null: a blank line): their indexes, and the texts. */
  textAt: number[];
  texts: Array<string | null>;
  bytes: Uint8Array | undefined;
}

/**
 * The input as the parsing thread gets it: the chunk's bytes copied into `shared` (memory both threads
 * see), and the lines read straight from the chunk left for the thread to decode. Without room there, the
 * texts alone (the read buffer is reused once the caller returns). The result is also what the main
 * thread parses if the thread fails.
 */
export function forThread(given: StageInput, shared: Buffer | undefined): StageInput {
  const bytes = given.bytes;
  if (bytes === undefined) return given;
  const texts = given.texts as Array<string | null | undefined>;
  let used = 0;
  for (let i = 0; i < texts.length; i++) {
    const at = given.at[i]!;
    if (at >= 0) used = Math.max(used, at + given.originalBytes[i]!);
  }
  if (shared === undefined || used > shared.length) {
    // The thread gets texts only: lines left undecoded are decoded here.
    for (let i = 0; i < texts.length; i++) {
      if (texts[i] === undefined) texts[i] = bytes.toString('utf8', given.at[i]!, given.at[i]! + given.originalBytes[i]!);
    }
    return { ...given, bytes: undefined };
  }
  bytes.copy(shared, 0, 0, used);
  for (let i = 0; i < texts.length; i++) {
    // A flagged or joined line's text is not its bytes: it travels as text.
    if (given.at[i]! >= 0 && texts[i] !== null && given.flags[i] === 0 && given.cuts[i] === 0) texts[i] = undefined;
  }
  return { ...given, bytes: shared };
}

export function pack(input: StageInput): PackedInput {
  const count = input.texts.length;
  const numbers = new Int32Array(count * 4);
  const textAt: number[] = [];
  const texts: Array<string | null> = [];
  for (let i = 0; i < count; i++) {
    numbers[i] = input.at[i]!;
    numbers[count + i] = input.originalBytes[i]!;
    numbers[2 * count + i] = input.flags[i]!;
    numbers[3 * count + i] = input.cuts[i]!;
    const text = input.texts[i];
    if (text !== undefined) {
      textAt.push(i);
      texts.push(text);
    }
  }
  return { source: input.source, path: input.path, service: input.service, count, numbers, textAt, texts, bytes: input.bytes };
}

/** The StageInput again, its numbers read from the typed array, over `bytes` (the thread's copy of the chunk). */
export function unpack(packed: PackedInput, bytes: Buffer | undefined): StageInput {
  const { count, numbers } = packed;
  const texts = new Array<string | null | undefined>(count).fill(undefined);
  for (let k = 0; k < packed.textAt.length; k++) texts[packed.textAt[k]!] = packed.texts[k]!;
  return {
    source: packed.source,
    path: packed.path,
    service: packed.service,
    texts,
    at: numbers.subarray(0, count),
    originalBytes: numbers.subarray(count, 2 * count),
    flags: numbers.subarray(2 * count, 3 * count),
    cuts: numbers.subarray(3 * count, 4 * count),
    bytes,
  };
}
