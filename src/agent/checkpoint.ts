// How far we got: one JSON file per agent recording, for every file it follows, the offset up to which
// the indexer acknowledged everything, and the ranges already sent (or about to be) but not yet
// acknowledged, so that after a crash exactly those ranges are re-sent under the same batch IDs.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LogstitchError } from '../model/errors.js';
import type { FileIdentity } from './fingerprint.js';

export interface FileCheckpoint extends FileIdentity {
  /** Random, fixed for the file's life: batch IDs are `<key>-<start>-<end>`. */
  key: string;
  /** Where the file was last seen. */
  path: string;
  /** Every byte before this was acknowledged by the indexer (or refused by it and counted). */
  offset: number;
  /** Ends of the ranges sent or sealed for sending after `offset`, ascending; each range starts where the previous ends. */
  sealed: number[];
  /** When the file was last seen, ms since the epoch; entries unseen for a long time are pruned. */
  seen: number;
}

interface CheckpointFileShape {
  version: 1;
  files: FileCheckpoint[];
}

export class CheckpointError extends LogstitchError {}

export const CHECKPOINT_FILE = 'checkpoints.json';

export function newFileKey(): string {
  return randomBytes(8).toString('hex');
}

function isEntry(value: unknown): value is FileCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e.key === 'string' && /^[0-9a-f]{16}$/.test(e.key) && typeof e.dev === 'string' && typeof e.ino === 'string' &&
    typeof e.headHash === 'string' && Number.isSafeInteger(e.headLength) && typeof e.path === 'string' &&
    Number.isSafeInteger(e.offset) && Array.isArray(e.sealed) && e.sealed.every((n) => Number.isSafeInteger(n)) && typeof e.seen === 'number';
}

export class Checkpointer {
  /** Where the file lives; undefined for a one-shot import that keeps its offsets in memory. */
  readonly path: string | undefined;
  /** True when no checkpoint file existed: this is the agent's first start with this data directory. */
  readonly fresh: boolean;
  private readonly entries = new Map<string, FileCheckpoint>();
  private saving: Promise<void> | undefined;
  private again: Promise<void> | undefined;

  private constructor(path: string | undefined, fresh: boolean, entries: FileCheckpoint[]) {
    this.path = path;
    this.fresh = fresh;
    for (const e of entries) this.entries.set(e.key, e);
  }

  /**
   * Loads the checkpoint file in `dir` (creating `dir`). Entries not seen for `ttlMs` are dropped. A file
   * that is not ours (not JSON, wrong shape) is an error naming it: the agent will not guess offsets.
   */
  static async open(dir: string, ttlMs: number, now = Date.now()): Promise<Checkpointer> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, CHECKPOINT_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Checkpointer(path, true, []);
      throw new CheckpointError('CHECKPOINT_UNREADABLE', `cannot read the checkpoint file ${path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CheckpointError('CHECKPOINT_CORRUPT', `the checkpoint file ${path} is not JSON; move it away to start over (files would be re-read per start_at)`);
    }
    const shape = parsed as Partial<CheckpointFileShape>;
    if (shape.version !== 1 || !Array.isArray(shape.files)) {
      throw new CheckpointError('CHECKPOINT_CORRUPT', `the checkpoint file ${path} is not a logstitch agent checkpoint (version 1); move it away to start over`);
    }
    const entries = shape.files.filter(isEntry).filter((e) => now - e.seen <= ttlMs);
    return new Checkpointer(path, false, entries);
  }

  /** Offsets kept in memory only (`logstitch ingest` without --data). */
  static memory(): Checkpointer {
    return new Checkpointer(undefined, true, []);
  }

  get(key: string): FileCheckpoint | undefined {
    return this.entries.get(key);
  }

  all(): FileCheckpoint[] {
    return [...this.entries.values()];
  }

  set(entry: FileCheckpoint): void {
    this.entries.set(entry.key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /**
   * Writes the current state durably: a temporary file, fsync, rename over the old one, fsync of the
   * directory. Calls made while a write runs share one more write after it, so a caller's changes are on
   * disk when its promise resolves.
   */
  save(): Promise<void> {
    if (this.saving === undefined) {
      this.saving = this.write().finally(() => (this.saving = undefined));
      return this.saving;
    }
    this.again ??= this.saving.then(() => {
      this.again = undefined;
      return this.save();
    });
    return this.again;
  }

  private async write(): Promise<void> {
    if (this.path === undefined) return;
    const body = JSON.stringify({ version: 1, files: this.all() } satisfies CheckpointFileShape);
    const temp = `${this.path}.tmp`;
    const fh = await open(temp, 'w');
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, this.path);
    // The rename is durable only once the directory entry is.
    const dir = await open(join(this.path, '..'), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
