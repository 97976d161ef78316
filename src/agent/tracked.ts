// One followed file: its open handle, identity, reader, pipeline and batching state, and the changes
// that happen to it — renamed, truncated in place, rotated away.
import type { FileHandle } from 'node:fs/promises';
import type { FileBatches } from './batches.js';
import type { FileCheckpoint } from './checkpoint.js';
import type { SourceConfig } from './config.js';
import { GzipCursor } from './gzip-reader.js';
import { LineReader } from './line-reader.js';
import { FilePipeline, type Joiner, type PipelineParts } from './file-pipeline.js';
import { serviceForPath } from './transform.js';
import type { PathsProvider } from './paths.js';

/** What every file of one configured source shares. */
export interface SourceRuntime {
  /** The source's index in the configuration (the record stage picks its transform by it). */
  index: number;
  config: SourceConfig;
  provider: PathsProvider;
  /** A fresh multiline joiner per file, or undefined when the source is line-per-record. */
  joiner(): Joiner | undefined;
}

export class TrackedFile {
  readonly fh: FileHandle;
  readonly source: SourceRuntime;
  readonly devIno: string;
  path: string;
  cp!: FileCheckpoint;
  fb!: FileBatches;
  reader!: LineReader;
  pipeline!: FilePipeline;
  /** Size at the last stat. */
  size = 0;
  /** When bytes were last read (ms), for partial-line and rotation timeouts. */
  lastRead = Date.now();
  /** The path no longer leads to this file (renamed out of the globs, or deleted): read it to its end. */
  detached = false;
  /** A range re-formed after a restart is being finished (its records are on their way through the stage). */
  replayEnding = false;
  /** For a `.gz` file (read_compressed): the decompressing cursor; offsets count decompressed bytes. */
  gzip: GzipCursor | undefined;

  constructor(fh: FileHandle, source: SourceRuntime, devIno: string, path: string) {
    this.fh = fh;
    this.source = source;
    this.devIno = devIno;
    this.path = path;
  }

  /** (Re)starts following under checkpoint `cp`: after adoption, and after a truncation with a new one. */
  begin(cp: FileCheckpoint, parts: PipelineParts): void {
    this.cp = cp;
    this.fb = parts.batcher.track(cp);
    this.reader = new LineReader(cp.offset, this.source.config.maxLineBytes);
    this.gzip = this.path.endsWith('.gz') ? new GzipCursor(this.fh) : undefined;
    this.pipeline = new FilePipeline(this.fb, this.path, this.source.index, serviceForPath(this.source.config, this.path), parts, this.source.joiner());
  }

  /** Hands the unterminated last line and whatever the joiner holds to the record stage. */
  flushHeld(): void {
    this.reader.flushPending(this.pipeline.onLine);
    this.pipeline.flushJoiner();
    this.pipeline.dispatch();
  }

  get behind(): number {
    return Math.max(0, this.size - this.reader.offset);
  }
}
