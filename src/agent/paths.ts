// The paths provider: which files the agent should follow right now, found by walking each include
// pattern's base directory and keeping the regular files that match an include and no exclude.
import { readdir, stat } from 'node:fs/promises';
import { compileExclude, compileGlob, type CompiledGlob } from './glob.js';

export interface PathsOptions {
  include: string[];
  exclude: string[];
  /** `.gz` files are rotated archives: followed only when asked. */
  includeCompressed: boolean;
  cwd?: string;
}

/** A path the scan found, with why it was skipped when it was. */
export interface ScanResult {
  files: string[];
  /** Matching paths that are not regular files (a directory where a log file used to be, say). */
  skipped: Array<{ path: string; reason: string }>;
}

/** Directories with more entries than this are read, but only this many entries are considered. */
const MAX_ENTRIES_PER_DIR = 100_000;

export class PathsProvider {
  readonly globs: CompiledGlob[];
  private readonly excludes: Array<(path: string) => boolean>;
  private readonly includeCompressed: boolean;

  constructor(options: PathsOptions) {
    this.globs = options.include.map((p) => compileGlob(p, options.cwd));
    this.excludes = options.exclude.map((p) => compileExclude(p, options.cwd));
    this.includeCompressed = options.includeCompressed;
  }

  /** The directories to watch: each include's base. */
  get bases(): string[] {
    return [...new Set(this.globs.map((g) => g.base))];
  }

  /** True when a path is one this provider follows (by name only; the file may not exist). */
  matches(path: string): boolean {
    if (!this.includeCompressed && path.endsWith('.gz')) return false;
    if (!this.globs.some((g) => g.regex.test(path))) return false;
    return !this.excludes.some((exclude) => exclude(path));
  }

  /** Walks the base directories. Never throws: a directory that cannot be read holds no files. */
  async scan(): Promise<ScanResult> {
    const seen = new Set<string>();
    const result: ScanResult = { files: [], skipped: [] };
    for (const glob of this.globs) await this.walk(glob.base, glob.depth, seen, result);
    result.files.sort();
    return result;
  }

  private async walk(dir: string, depth: number, seen: Set<string>, result: ScanResult): Promise<void> {
    if (depth <= 0) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.slice(0, MAX_ENTRIES_PER_DIR)) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (this.matches(path) && !seen.has(path)) {
          seen.add(path);
          result.skipped.push({ path, reason: 'is a directory, not a file' });
        }
        await this.walk(path, depth - 1, seen, result);
        continue;
      }
      if (seen.has(path) || !this.matches(path)) continue;
      seen.add(path);
      if (entry.isFile()) {
        result.files.push(path);
      } else if (entry.isSymbolicLink()) {
        // A link to a file is followed (the agent reads what it points at); to anything else, skipped.
        const target = await stat(path).catch(() => undefined);
        if (target?.isFile() === true) result.files.push(path);
        else result.skipped.push({ path, reason: target === undefined ? 'is a dangling link' : 'links to something that is not a file' });
      } else {
        result.skipped.push({ path, reason: 'is not a regular file' });
      }
    }
  }
}
