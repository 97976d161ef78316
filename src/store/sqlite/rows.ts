// One row of a block as search tests see it: its message tokens (found by scanning the block's text once
// per query token), its extra fields parsed on first use.
import type { BlockView, Extras } from './block.js';
import { addTokens, MAX_TOKEN_LENGTH } from '../tokens.js';

/** What a term can know of a block before reading its rows. */
export interface BlockInfo {
  key: number;
  /** The name IDs the block's rows refer to by index. */
  services: readonly number[];
  hosts: readonly number[];
}

/**
 * Which rows of a block hold a token, found by scanning the block's lowercased text once per query token
 * (far cheaper than tokenizing every row). Undefined when lowercasing the whole text is not the same as
 * lowercasing each body (length-changing or context-dependent case mappings): then rows are tokenized.
 */
class BlockText {
  private lower: string | null | undefined;
  private readonly found = new Map<string, Uint8Array>();

  constructor(private readonly view: BlockView) {}

  rows(token: string, prefix: boolean): Uint8Array | undefined {
    if (this.lower === undefined) {
      const text = this.view.text;
      const lower = text.toLowerCase();
      this.lower = lower.length === text.length && !text.includes('\u03a3') ? lower : null;
    }
    if (this.lower === null) return undefined;
    const key = `${prefix ? '*' : '='}${token}`;
    let rows = this.found.get(key);
    if (rows === undefined) this.found.set(key, (rows = this.scan(this.lower, token, prefix)));
    return rows;
  }

  private scan(text: string, token: string, prefix: boolean): Uint8Array {
    const starts = this.view.bodyOffsets();
    const rows = new Uint8Array(this.view.n);
    const wholeEnd = !prefix && token.length < MAX_TOKEN_LENGTH;
    let row = 0;
    for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
      while (starts[row + 1]! <= at) row++;
      const start = starts[row]!;
      const end = starts[row + 1]! - 1;
      const after = at + token.length;
      if (after > end || rows[row] === 1) continue;
      if (at > start && isWordBefore(text, at)) continue;
      if (wholeEnd && after < end && isWordAt(text, after)) continue;
      rows[row] = 1;
    }
    return rows;
  }
}

const WORD_RE = /^[\p{L}\p{N}]$/u;
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? 1 : 0;

function isWordCode(code: number): boolean {
  return code < 128 ? ASCII_WORD[code] === 1 : WORD_RE.test(String.fromCodePoint(code));
}

/** Whether the character ending just before `at` is a letter or digit. */
function isWordBefore(text: string, at: number): boolean {
  const code = text.charCodeAt(at - 1);
  if (code >= 0xdc00 && code <= 0xdfff && at >= 2) return isWordCode(text.codePointAt(at - 2)!);
  return isWordCode(code);
}

/** Whether the character starting at `at` is a letter or digit. */
function isWordAt(text: string, at: number): boolean {
  return isWordCode(text.codePointAt(at)!);
}

/** One row of a block, with what tests need computed on first use. */
export class RowContext {
  i = 0;
  private tokenSet: Set<string> | undefined;
  private extraValue: Extras | undefined | null = null;
  private readonly text: BlockText;

  constructor(
    readonly block: BlockInfo,
    readonly view: BlockView,
  ) {
    this.text = new BlockText(view);
  }

  at(i: number): this {
    this.i = i;
    this.tokenSet = undefined;
    this.extraValue = null;
    return this;
  }

  /** Whether the row's message has this token (or, with `prefix`, a token starting with it). */
  has(token: string, prefix: boolean): boolean {
    const rows = this.text.rows(token, prefix);
    if (rows !== undefined) return rows[this.i] === 1;
    const tokens = this.tokens();
    if (!prefix) return tokens.has(token);
    for (const t of tokens) if (t.startsWith(token)) return true;
    return false;
  }

  tokens(): Set<string> {
    if (this.tokenSet === undefined) {
      this.tokenSet = new Set();
      const [text, start, end] = this.view.bodyRange(this.i);
      addTokens(text, start, end, this.tokenSet);
    }
    return this.tokenSet;
  }

  extra(): Extras | undefined {
    if (this.extraValue === null) this.extraValue = this.view.extra(this.i);
    return this.extraValue;
  }
}
