// Batches per file: records gather into a batch that covers one byte range of one file; a full (or old
// enough) batch is sealed — its range written to the checkpoint file before it is sent — and the file's
// acknowledged offset moves, in order, as its batches are acknowledged.
//
// Why per file and why sealed ranges: a batch's ID is `<file key>-<start>-<end>`, and after a crash the
// agent re-forms exactly the sealed ranges from the file, so a batch the indexer stored before the crash
// comes back with the same ID and is dropped as a duplicate — whatever timing formed it the first time.
import type { Logger } from 'pino';
import type { Checkpointer, FileCheckpoint } from './checkpoint.js';
import type { AgentMetrics } from './metrics.js';
import type { BufferLedger } from './output-pool.js';
import { RecordBuffer } from './record-buffer.js';

export interface Batch {
  id: string;
  key: string;
  path: string;
  start: number;
  end: number;
  /** The records, one NDJSON line each, in pieces to be sent one after another. */
  body: Buffer[];
  records: number;
  /** Where each record starts in `body`, and its group, for sinks that regroup records (OTLP). */
  offsets: number[] | undefined;
  groups: string[];
  bytes: number;
  /** When its first record was read (ms since the epoch): the observed time of lines that go out as written. */
  observedAt: number;
  done: boolean;
  /** The stage outputs `body` views, released (for reuse) once the batch is done. */
  held: ArrayBufferLike[];
}

export interface BatchLimits {
  maxLines: number;
  maxBytes: number;
  timeoutMs: number;
}

/** One file's batching state: the open batch, the sealed ones not yet acknowledged, ranges to re-form. */
export class FileBatches {
  readonly cp: FileCheckpoint;
  /** The end of the last byte consumed and settled (its record is in a batch, or it made none). */
  position: number;
  /** Sealed ends from before a restart, to re-form one by one before anything new. */
  readonly replay: number[];
  readonly queue: Batch[] = [];
  openStart: number;
  records: RecordBuffer;
  groups: string[] = [];
  openedAt = 0;
  private readonly grouped: boolean;
  private readonly ledger: BufferLedger | undefined;

  constructor(cp: FileCheckpoint, grouped: boolean, ledger?: BufferLedger) {
    this.cp = cp;
    this.grouped = grouped;
    this.ledger = ledger;
    this.records = new RecordBuffer(grouped, ledger);
    this.position = cp.offset;
    this.openStart = cp.offset;
    this.replay = [...cp.sealed];
  }

  /** The next byte the reader may not pass while re-forming a range (Infinity when not re-forming). */
  get limit(): number {
    return this.replay[0] ?? Infinity;
  }

  get unacknowledged(): boolean {
    return this.queue.length > 0 || this.records.count > 0 || this.position > this.openStart || this.replay.length > 0;
  }

  /** Hands over the open batch's records and starts an empty one. */
  takeRecords(): { records: RecordBuffer; groups: string[] } {
    const taken = { records: this.records, groups: this.groups };
    this.records = new RecordBuffer(this.grouped, this.ledger);
    this.groups = [];
    return taken;
  }
}

export class Batcher {
  inFlightBytes = 0;
  private readonly limits: BatchLimits;
  private readonly checkpointer: Checkpointer;
  private readonly metrics: AgentMetrics;
  private readonly log: Logger;
  private readonly send: (batches: Batch[]) => void;
  private readonly files = new Map<string, FileBatches>();
  private sealing: Batch[] = [];
  private persisting = false;
  /** True when acknowledgements moved offsets that are not yet on disk. */
  dirty = false;

  /** Whether the sink regroups records (OTLP by resource), so each record's place and group are kept. */
  readonly grouped: boolean;
  private readonly ledger: BufferLedger | undefined;

  constructor(limits: BatchLimits, checkpointer: Checkpointer, metrics: AgentMetrics, log: Logger, send: (batches: Batch[]) => void, grouped = false, ledger?: BufferLedger) {
    this.limits = limits;
    this.ledger = ledger;
    this.grouped = grouped;
    this.checkpointer = checkpointer;
    this.metrics = metrics;
    this.log = log;
    this.send = send;
  }

  /** Batches sealed and not yet acknowledged (or refused), over every file. */
  get unacknowledged(): number {
    let n = 0;
    for (const fb of this.files.values()) n += fb.queue.length;
    return n;
  }

  track(cp: FileCheckpoint): FileBatches {
    const fb = new FileBatches(cp, this.grouped, this.ledger);
    this.files.set(cp.key, fb);
    return fb;
  }

  untrack(fb: FileBatches): void {
    this.files.delete(fb.cp.key);
  }

  /**
   * A record whose line(s) end at `end`. Several records can share an end (groups the multiline joiner
   * finished on one line), so a batch is only ever cut between different ends: a full batch is sealed
   * when the next record starts past it.
   */
  addBytes(fb: FileBatches, src: Buffer, start: number, stop: number, group: string, end: number): void {
    const records = fb.records;
    if (end > fb.position && fb.replay.length === 0 && (records.count >= this.limits.maxLines || records.used >= this.limits.maxBytes)) this.seal(fb);
    if (fb.records.count === 0) fb.openedAt = Date.now();
    fb.records.appendBytes(src, start, stop);
    if (this.grouped) fb.groups.push(group);
    fb.position = end;
  }

  /**
   * Records `from` to `to` (exclusive) of a stage output, all kept: `src[starts[k], starts[k + 1])` is
   * record k, ending in the file at `ends[k]`. The same batches as addBytes one record at a time, with
   * one copy per batch instead of one per record. Only for sinks that do not regroup records.
   */
  addRun(fb: FileBatches, src: Buffer, starts: Int32Array, ends: number[], from: number, to: number): void {
    const { maxLines, maxBytes } = this.limits;
    const stopOf = (k: number): number => (k + 1 < starts.length ? starts[k + 1]! : src.length);
    let k = from;
    while (k < to) {
      if (ends[k]! > fb.position && fb.replay.length === 0 && (fb.records.count >= maxLines || fb.records.used >= maxBytes)) this.seal(fb);
      const records = fb.records;
      if (records.count === 0) fb.openedAt = Date.now();
      const first = k;
      let count = records.count + 1;
      let used = records.used + (stopOf(k) - starts[k]!);
      for (k++; k < to; k++) {
        // A batch is only cut between different ends (see addBytes).
        if (ends[k]! > ends[k - 1]! && fb.replay.length === 0 && (count >= maxLines || used >= maxBytes)) break;
        count++;
        used += stopOf(k) - starts[k]!;
      }
      records.appendRun(src, starts[first]!, stopOf(k - 1), k - first);
      fb.position = ends[k - 1]!;
    }
  }

  /** Bytes up to `end` were consumed without a record (an empty or filtered line). */
  advance(fb: FileBatches, end: number): void {
    if (end > fb.position) fb.position = end;
  }

  /** The reader reached the end of a range being re-formed after a restart: seal it under its old ID. */
  finishReplay(fb: FileBatches): void {
    const end = fb.replay[0];
    if (end === undefined || fb.position < end) return;
    if (fb.position > end) this.log.warn({ path: fb.cp.path, expected: end, at: fb.position }, 'a re-formed range ended past its sealed end; sending it as it is');
    fb.replay.shift();
    this.emit(fb, false);
  }

  /** Seals open batches older than the batch timeout, and those holding only skipped bytes. */
  sealDue(now: number): void {
    for (const fb of this.files.values()) {
      if (fb.replay.length > 0 || fb.position === fb.openStart) continue;
      if (fb.records.count === 0 || now - fb.openedAt >= this.limits.timeoutMs) this.seal(fb);
    }
  }

  /** Seals what a file has gathered (its file is going away, or the agent is stopping). */
  sealNow(fb: FileBatches): void {
    if (fb.replay.length === 0 && fb.position > fb.openStart) this.seal(fb);
  }

  /** The batch was acknowledged (or refused and counted): move the file's offset over every done batch in order. */
  ack(batch: Batch): void {
    batch.done = true;
    this.inFlightBytes -= batch.bytes;
    // Nothing reads the batch's bytes any more (the sender is done with it): its buffers may be reused.
    batch.body = [];
    for (const buffer of batch.held) this.ledger?.release(buffer);
    batch.held = [];
    const fb = this.files.get(batch.key);
    if (fb === undefined) return;
    while (fb.queue[0]?.done === true) {
      const head = fb.queue.shift()!;
      fb.cp.offset = head.end;
      fb.cp.sealed.shift();
    }
    this.dirty = true;
  }

  private seal(fb: FileBatches): void {
    fb.cp.sealed.push(fb.position);
    this.emit(fb, true);
  }

  private emit(fb: FileBatches, fresh: boolean): void {
    const { records, groups } = fb.takeRecords();
    const batch: Batch = {
      id: `${fb.cp.key}-${fb.openStart}-${fb.position}`,
      key: fb.cp.key,
      path: fb.cp.path,
      start: fb.openStart,
      end: fb.position,
      body: records.pieces(),
      records: records.count,
      offsets: records.offsets,
      groups,
      bytes: records.used,
      observedAt: fb.openedAt,
      done: false,
      held: records.held,
    };
    fb.openStart = fb.position;
    fb.queue.push(batch);
    this.inFlightBytes += batch.bytes;
    if (batch.records === 0) {
      this.ack(batch);
      if (fresh) this.dirty = true;
      return;
    }
    // A re-formed range is on disk already; a fresh one must be before it is sent.
    if (!fresh) return this.send([batch]);
    this.sealing.push(batch);
    if (!this.persisting) void this.persistSeals();
  }

  private async persistSeals(): Promise<void> {
    this.persisting = true;
    while (this.sealing.length > 0) {
      const batches = this.sealing;
      this.sealing = [];
      for (let attempt = 0; ; attempt++) {
        try {
          await this.checkpointer.save();
          this.metrics.checkpointWrites++;
          break;
        } catch (error) {
          // Sending before the range is on disk could double lines after a crash: wait for the disk.
          if (attempt === 0) this.log.error({ err: error, file: this.checkpointer.path }, 'cannot write the checkpoint file; holding batches until it can be written');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
        }
      }
      this.send(batches);
    }
    this.persisting = false;
  }
}
