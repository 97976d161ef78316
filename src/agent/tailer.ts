// Runs all the files: scans the globs, tells new files from renamed, rotated and truncated ones, reads
// every file in turn in small chunks (pausing while too many bytes are in flight), and keeps the
// timeouts — unterminated lines, multiline groups, batch age, rotated files going quiet.
import { open, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Batcher, FileBatches } from './batches.js';
import { newFileKey, type Checkpointer, type FileCheckpoint } from './checkpoint.js';
import { hashHead, identify, isSameFile, readHead, statHandle, type FileIdentity, type FileStat } from './fingerprint.js';
import type { AgentMetrics } from './metrics.js';
import type { StageRunner } from './stage-runner.js';
import { TrackedFile, type SourceRuntime } from './tracked.js';

/**
 * Reads are this size: each asynchronous read costs a thread-pool round trip (~80 µs on a busy machine),
 * 0.3 µs a line at 64 KiB and 0.04 at 512 KiB; lines are split on the Buffer, as fast in a big chunk.
 */
export const CHUNK_BYTES = 512 * 1024;
/**
 * A read is handed to the record stage this much at a time: its output fits a pooled buffer (reused
 * memory: page faults cost more than parsing), and each message to a parsing thread (tens of µs) carries
 * about a thousand lines.
 */
const STAGE_BYTES = 256 * 1024;
/** The least a read asks for, however little room is left in flight. */
const MIN_READ_BYTES = 64 * 1024;
/** At most this much is read from one file before the next gets a turn. */
const TURN_BYTES = 4 * 1024 * 1024;
/** Records an open batch must hold to be sealed as soon as its file is read to the end. */
const EAGER_SEAL_RECORDS = 100;
/** Chunks handed to the record stage and not yet back: enough to keep a parsing thread busy. */
const MAX_CHUNKS_IN_STAGE = 4;

/** A read started before the previous chunk was parsed. */
interface ReadAhead {
  offset: number;
  buffer: Buffer;
  /** Bytes read (0 when the read failed). */
  bytes: Promise<number>;
}

export interface TailerOptions {
  sources: SourceRuntime[];
  checkpointer: Checkpointer;
  batcher: Batcher;
  runner: StageRunner;
  metrics: AgentMetrics;
  log: Logger;
  maxInFlightBytes: number;
  rotateWaitMs: number;
  /** Called when the record stage hands records back (a paused reader may go on). */
  applied?: () => void;
  /**
   * The batch-ID key of a newly seen file. Random by default (the checkpoint keeps it); a one-shot import
   * derives it from the file's identity so that importing the same file twice stores it once.
   */
  keyFor?: (identity: FileIdentity) => string;
}

export class Tailer {
  private readonly o: TailerOptions;
  private readonly byDevIno = new Map<string, TrackedFile>();
  /** Files the agent decided not to follow (copies of followed files), by device:inode. */
  private readonly ignored = new Map<string, string>();
  private readonly reported = new Set<string>();
  private readonly retiring: Array<{ fb: FileBatches; forget: boolean }> = [];
  /** Full-size fingerprints of files truncated or finished, so that their copies are known as copies. */
  private readonly formerHeads = new Map<string, string>();
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  /** The second read buffer, for reading ahead. */
  private readonly spare = Buffer.allocUnsafe(CHUNK_BYTES);
  private scans = 0;

  constructor(options: TailerOptions) {
    this.o = options;
  }

  get files(): TrackedFile[] {
    return [...this.byDevIno.values()];
  }

  /** Reading waits while too many bytes are sealed and unacknowledged, or too many chunks are being parsed. */
  get paused(): boolean {
    return this.o.batcher.inFlightBytes >= this.o.maxInFlightBytes || this.o.runner.pending >= MAX_CHUNKS_IN_STAGE;
  }

  /** Finds files: new ones are adopted, renamed ones followed, vanished ones read to their end. */
  async scan(): Promise<void> {
    const seen = new Set<TrackedFile>();
    for (const source of this.o.sources) {
      const { files, skipped } = await source.provider.scan();
      for (const { path, reason } of skipped) this.reportOnce(`${path}\u0000${reason}`, { path, reason }, 'skipping a matching path');
      for (const path of files) {
        const s = await stat(path, { bigint: true }).catch(() => undefined);
        if (s === undefined) continue;
        const devIno = `${s.dev}:${s.ino}`;
        const known = this.byDevIno.get(devIno);
        if (known !== undefined) {
          if (!seen.has(known)) this.follow(known, path, seen);
          continue;
        }
        if (this.ignored.has(devIno)) continue;
        const adopted = await this.adopt(path, source);
        if (adopted !== undefined) seen.add(adopted);
      }
    }
    for (const file of this.byDevIno.values()) {
      if (!seen.has(file) && !file.detached) {
        file.detached = true;
        this.o.log.info({ path: file.path }, 'file renamed away or deleted; reading it to its end');
      }
    }
    for (const file of seen) await this.verify(file);
    this.scans++;
  }

  private follow(file: TrackedFile, path: string, seen: Set<TrackedFile>): void {
    seen.add(file);
    file.detached = false;
    if (file.path !== path) {
      this.o.log.info({ from: file.path, to: path }, 'file renamed; following it');
      file.path = path;
      file.cp.path = path;
      file.pipeline.path = path;
    }
  }

  private async adopt(path: string, source: SourceRuntime): Promise<TrackedFile | undefined> {
    const fh = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      this.reportOnce(`${path}\u0000open`, { path, err: error.message }, 'cannot open a matching file; skipping it');
      return undefined;
    });
    if (fh === undefined) return undefined;
    const st = await statHandle(fh);
    const devIno = `${st.dev}:${st.ino}`;
    const config = source.config;
    let cp = await this.knownCheckpoint(fh, st);
    if (cp === undefined) {
      const copyOf = await this.copyOf(fh, st, config.fingerprintBytes);
      if (copyOf !== undefined) {
        await fh.close();
        this.ignored.set(devIno, path);
        this.o.metrics.filesSkipped++;
        this.o.log.warn({ path, copyOf }, `not following: its first ${config.fingerprintBytes} bytes equal a followed file's (a rotated copy)`);
        return undefined;
      }
      const identity = await identify(fh, st, config.fingerprintBytes);
      const fromEnd = config.startAt === 'end' && this.scans === 0 && this.o.checkpointer.fresh;
      cp = { key: this.o.keyFor?.(identity) ?? newFileKey(), ...identity, path, offset: fromEnd ? st.size : 0, sealed: [], seen: Date.now() };
      this.o.checkpointer.set(cp);
      this.o.log.info({ path, offset: cp.offset }, 'following a new file');
    } else {
      cp.path = path;
      this.o.log.info({ path, offset: cp.offset, resend: cp.sealed.length }, 'following a file from its checkpoint');
    }
    const file = new TrackedFile(fh, source, devIno, path);
    file.size = st.size;
    file.begin(cp, this.parts());
    this.byDevIno.set(devIno, file);
    return file;
  }

  private parts() {
    return { runner: this.o.runner, batcher: this.o.batcher, metrics: this.o.metrics, applied: () => this.o.applied?.() };
  }

  private async knownCheckpoint(fh: import('node:fs/promises').FileHandle, st: FileStat): Promise<FileCheckpoint | undefined> {
    for (const cp of this.o.checkpointer.all()) {
      if (cp.dev !== st.dev || cp.ino !== st.ino) continue;
      if ([...this.byDevIno.values()].some((f) => f.cp.key === cp.key)) continue;
      if (await isSameFile(fh, st, cp)) return cp;
    }
    return undefined;
  }

  /**
   * A file followed now or before (truncated by copytruncate, or rotated and finished) whose full
   * fingerprint equals this one's: a copy, whose lines were read from the original.
   */
  private async copyOf(fh: import('node:fs/promises').FileHandle, st: FileStat, bytes: number): Promise<string | undefined> {
    if (st.size < bytes) return undefined;
    const hash = hashHead(await readHead(fh, bytes));
    for (const file of this.byDevIno.values()) {
      if (file.cp.headLength === bytes && file.cp.headHash === hash) return file.path;
    }
    for (const cp of this.o.checkpointer.all()) {
      if (cp.headLength === bytes && cp.headHash === hash && `${cp.dev}:${cp.ino}` !== `${st.dev}:${st.ino}`) return cp.path;
    }
    return this.formerHeads.get(hash);
  }

  private remember(cp: FileCheckpoint, bytes: number): void {
    if (cp.headLength !== bytes) return;
    this.formerHeads.set(cp.headHash, cp.path);
    // Bounded: the oldest are forgotten first (a Map iterates in insertion order).
    if (this.formerHeads.size > 10_000) this.formerHeads.delete(this.formerHeads.keys().next().value!);
  }

  /** Extends a short fingerprint as the file grows, and notices a file rewritten in place. */
  private async verify(file: TrackedFile): Promise<void> {
    const st = await statHandle(file.fh).catch(() => undefined);
    if (st === undefined) return;
    file.size = st.size;
    file.cp.seen = Date.now();
    const want = file.source.config.fingerprintBytes;
    // A compressed file's offsets count decompressed bytes, and an archive is not rewritten in place.
    if (file.gzip === undefined && (st.size < file.reader.offset || !(await isSameFile(file.fh, st, file.cp)))) return this.restart(file, st);
    if (file.cp.headLength < want && st.size > file.cp.headLength) await this.extendHead(file, st);
  }

  private async extendHead(file: TrackedFile, st: FileStat): Promise<void> {
    if (!(await isSameFile(file.fh, st, file.cp))) return;
    const identity = await identify(file.fh, st, file.source.config.fingerprintBytes);
    file.cp.headHash = identity.headHash;
    file.cp.headLength = identity.headLength;
  }

  /** The file was truncated (copytruncate) or rewritten in place: what was held is shipped, then it starts over at 0. */
  private async restart(file: TrackedFile, st: FileStat): Promise<void> {
    this.o.metrics.truncations++;
    this.o.log.info({ path: file.path, size: st.size, offset: file.reader.offset }, 'file truncated in place; reading it again from the start');
    file.flushHeld();
    await file.pipeline.drained();
    this.o.batcher.sealNow(file.fb);
    this.remember(file.cp, file.source.config.fingerprintBytes);
    this.retiring.push({ fb: file.fb, forget: true });
    const identity = await identify(file.fh, st, file.source.config.fingerprintBytes);
    const cp: FileCheckpoint = { key: newFileKey(), ...identity, path: file.path, offset: 0, sealed: [], seen: Date.now() };
    this.o.checkpointer.set(cp);
    file.begin(cp, this.parts());
    file.size = st.size;
  }

  /** One turn over every file; true when anything was read. */
  async readTurn(): Promise<boolean> {
    let worked = false;
    for (const file of this.byDevIno.values()) {
      if (this.paused) break;
      if (await this.readFile(file)) worked = true;
    }
    return worked;
  }

  private async readFile(file: TrackedFile): Promise<boolean> {
    const st = await statHandle(file.fh).catch(() => undefined);
    if (st === undefined) return false;
    const read = file.gzip === undefined ? await this.readPlain(file, st) : await this.readCompressed(file);
    if (file.fb.replay.length > 0 && file.reader.offset >= file.fb.limit && !file.replayEnding) {
      // The end of a range sealed before a restart: it is re-formed exactly, whatever follows it.
      file.replayEnding = true;
      file.flushHeld();
      await file.pipeline.drained();
      this.o.batcher.finishReplay(file.fb);
      file.replayEnding = false;
    }
    if (read > 0) {
      file.lastRead = Date.now();
      // Once past the fingerprint size, the fingerprint is made full-size at once, so that a copy of
      // this file made from now on is recognised as one.
      if (file.cp.headLength < file.source.config.fingerprintBytes && file.reader.offset >= file.source.config.fingerprintBytes) await this.extendHead(file, st);
    }
    return read > 0;
  }

  private async readPlain(file: TrackedFile, st: FileStat): Promise<number> {
    file.size = st.size;
    if (st.size < file.reader.offset) await this.restart(file, st);
    let read = 0;
    const limit = Math.min(st.size, file.fb.limit);
    // The next chunk is read while this one is parsed (into the other buffer): no idle wait per read.
    let ahead: ReadAhead | undefined;
    while (read < TURN_BYTES && file.reader.offset < limit && !this.paused) {
      const offset = file.reader.offset;
      // Never much more than may still go in flight: reading pauses at the limit, not a big read past it.
      const room = Math.max(MIN_READ_BYTES, this.o.maxInFlightBytes - this.o.batcher.inFlightBytes);
      const want = Math.min(CHUNK_BYTES, room, limit - offset);
      let buffer: Buffer;
      let bytesRead: number;
      if (ahead !== undefined && ahead.offset === offset) {
        buffer = ahead.buffer;
        bytesRead = Math.min(want, await ahead.bytes);
      } else {
        if (ahead !== undefined) await ahead.bytes;
        buffer = this.buffer === ahead?.buffer ? this.spare : this.buffer;
        bytesRead = (await file.fh.read(buffer, 0, want, offset)).bytesRead;
      }
      ahead = undefined;
      if (bytesRead === 0) break;
      const next = offset + bytesRead;
      if (read + bytesRead < TURN_BYTES && next < limit) {
        const other = buffer === this.buffer ? this.spare : this.buffer;
        // A failed read-ahead reads nothing; the read at that offset is then made again, and fails or not there.
        ahead = { offset: next, buffer: other, bytes: file.fh.read(other, 0, Math.min(CHUNK_BYTES, limit - next), next).then((r) => r.bytesRead, () => 0) };
      }
      for (let at = 0; at < bytesRead; at += STAGE_BYTES) {
        const piece = Math.min(STAGE_BYTES, bytesRead - at);
        file.reader.consume(at === 0 && piece === bytesRead ? buffer : buffer.subarray(at, at + piece), piece, file.pipeline.onLine, file.pipeline.lazy);
        file.pipeline.dispatch();
      }
      read += bytesRead;
    }
    // A read still writing into a buffer must end before that buffer is used again.
    if (ahead !== undefined) await ahead.bytes;
    return read;
  }

  /** A `.gz` file: decompressed as it is read; its size is known once it has been read to its end. */
  private async readCompressed(file: TrackedFile): Promise<number> {
    const gzip = file.gzip!;
    let read = 0;
    while (read < TURN_BYTES && !this.paused) {
      const piece = await gzip.read(file.reader.offset, file.fb.limit);
      if (piece === undefined) break;
      file.reader.consume(piece, piece.length, file.pipeline.onLine, file.pipeline.lazy);
      file.pipeline.dispatch();
      read += piece.length;
    }
    file.size = file.reader.offset + (gzip.ended ? 0 : 1);
    if (gzip.failed !== undefined) this.reportOnce(`${file.devIno}\u0000gzip`, { path: file.path, reason: gzip.failed }, 'a compressed file could not be read to its end; what came before the damage was kept');
    return read;
  }

  /** Timeouts: unterminated lines and multiline groups, batches, rotated files gone quiet. */
  async tick(now: number): Promise<void> {
    for (const file of [...this.byDevIno.values()]) {
      const quiet = now - file.lastRead;
      if (file.fb.replay.length === 0 && quiet >= file.source.config.partialLineTimeoutMs && file.reader.offset >= file.size) file.flushHeld();
      if ((file.detached || file.gzip?.ended === true) && file.reader.offset >= file.size && quiet >= this.o.rotateWaitMs) {
        // Writers may still add to a renamed file: close it only when a fresh look finds nothing new.
        const st = await statHandle(file.fh).catch(() => undefined);
        if (file.gzip === undefined && st !== undefined && st.size > file.reader.offset) file.size = st.size;
        else await this.close(file);
      }
    }
    // A file read to its end with a good many records gathered (the end of a burst) ships them now
    // rather than after the batch timeout; a trickle of lines still gathers until the timeout.
    for (const file of this.byDevIno.values()) {
      if (file.fb.records.count >= EAGER_SEAL_RECORDS && file.reader.offset >= file.size && !file.pipeline.busy) this.o.batcher.sealNow(file.fb);
    }
    this.o.batcher.sealDue(now);
    for (let i = this.retiring.length - 1; i >= 0; i--) {
      const { fb, forget } = this.retiring[i]!;
      if (fb.queue.length > 0) continue;
      this.retiring.splice(i, 1);
      this.o.batcher.untrack(fb);
      if (forget) this.o.checkpointer.delete(fb.cp.key);
      this.o.batcher.dirty = true;
    }
  }

  /** Stops following a file that was rotated away and has gone quiet; its entry goes once it is acknowledged. */
  private async close(file: TrackedFile): Promise<void> {
    file.flushHeld();
    await file.pipeline.drained();
    this.o.batcher.sealNow(file.fb);
    const st = await statHandle(file.fh).catch(() => undefined);
    this.byDevIno.delete(file.devIno);
    // A finished archive is not decompressed again at every scan.
    if (file.gzip !== undefined) this.ignored.set(file.devIno, file.path);
    this.remember(file.cp, file.source.config.fingerprintBytes);
    await file.fh.close().catch(() => {});
    this.o.metrics.rotations++;
    // A deleted file cannot come back; a renamed one keeps its entry in case the globs find it again.
    this.retiring.push({ fb: file.fb, forget: st === undefined || st.nlink === 0 });
    this.o.log.info({ path: file.path, deleted: st === undefined || st.nlink === 0 }, 'finished a rotated file');
  }

  /**
   * Seals what every file gathered. `ended` (a one-shot import's end) also ships unterminated last lines
   * and held multiline groups; a stopping agent leaves those to be read again on its next start.
   */
  async flushAll(ended: boolean): Promise<void> {
    for (const file of this.byDevIno.values()) {
      if (ended && file.fb.replay.length === 0) file.flushHeld();
      await file.pipeline.drained();
      if (file.fb.replay.length === 0) this.o.batcher.sealNow(file.fb);
    }
  }

  async closeAll(): Promise<void> {
    for (const file of this.byDevIno.values()) await file.fh.close().catch(() => {});
    this.byDevIno.clear();
  }

  /** True when every followed file was read to its end (as it was at the last stat). */
  get caughtUp(): boolean {
    return this.files.every((f) => f.reader.offset >= f.size && !f.pipeline.busy);
  }

  /** Bytes written to followed files and not yet read. */
  get bytesBehind(): number {
    let behind = 0;
    for (const file of this.byDevIno.values()) behind += file.behind;
    return behind;
  }

  private reportOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.o.metrics.filesSkipped++;
    this.o.log.warn(fields, message);
  }
}
