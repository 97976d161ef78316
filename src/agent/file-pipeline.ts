// One file's lines on their way to a batch: empty lines skipped, multiline groups joined, records sent
// through the record stage a chunk at a time, and the results applied to the file's batches strictly in
// file order — so a batch never ends past a line whose record is not in it yet, nor past a line the
// multiline joiner still holds.
import type { JoinedRecord } from '../parse/index.js';
import type { Batcher, FileBatches } from './batches.js';
import { LINE_CUT, LINE_INVALID_UTF8, LINE_UNTERMINATED, type LineSink } from './line-reader.js';
import type { AgentMetrics } from './metrics.js';
import {
  DROPPED_DROP, DROPPED_KEEP, DROPPED_LEVEL, JOIN_CONTINUED, JOIN_CUT_BYTES, JOIN_CUT_LINES, KEPT, type StageInput, type StageOutput,
} from './record-stage.js';
import type { StageRunner } from './stage-runner.js';

/** The multiline joiner's shape (src/parse): each record says how many lines went into it. */
export interface Joiner {
  pushJoined(line: string): JoinedRecord[];
  flushJoined(): JoinedRecord[];
}

export interface PipelineParts {
  runner: StageRunner;
  batcher: Batcher;
  metrics: AgentMetrics;
  /** Called when records were applied: a reader paused for the stage can go on. */
  applied: () => void;
}

/** A chunk being gathered: the stage's input, in arrays that grow a line at a time. */
interface ChunkBuilder extends StageInput {
  texts: Array<string | null | undefined>;
  flags: number[];
  originalBytes: number[];
  cuts: number[];
  at: number[];
}

/** A chunk on its way through the stage: its entries' end offsets, and what to do once it is applied. */
interface InFlight {
  ends: number[];
  result: Promise<StageOutput> | undefined;
  after: (() => void) | undefined;
}

export class FilePipeline {
  readonly fb: FileBatches;
  path: string;
  private readonly source: number;
  private readonly service: string | undefined;
  private readonly parts: PipelineParts;
  private readonly joiner: Joiner | undefined;
  /** End offsets of the lines the joiner holds, oldest first. */
  private heldEnds: number[] = [];
  private heldFlags = 0;
  private heldBytes = 0;
  private chunk: ChunkBuilder;
  private chunkEnds: number[] = [];
  private readonly inFlight: InFlight[] = [];
  private applying = false;
  private drainWaiters: Array<() => void> = [];

  constructor(fb: FileBatches, path: string, source: number, service: string | undefined, parts: PipelineParts, joiner: Joiner | undefined) {
    this.fb = fb;
    this.path = path;
    this.source = source;
    this.service = service;
    this.parts = parts;
    this.joiner = joiner;
    this.chunk = this.emptyChunk();
  }

  /** Lines may come undecoded (see LineSink): only when each goes to the stage as it is, not to a joiner. */
  get lazy(): boolean {
    return this.joiner === undefined;
  }

  readonly onLine: LineSink = (given, end, flags, originalBytes, bytes, start) => {
    const metrics = this.parts.metrics;
    metrics.linesRead++;
    metrics.bytesRead += originalBytes + 1;
    if (flags !== 0) {
      if ((flags & LINE_CUT) !== 0) metrics.linesCut++;
      if ((flags & LINE_INVALID_UTF8) !== 0) metrics.linesInvalidUtf8++;
      if ((flags & LINE_UNTERMINATED) !== 0) metrics.linesUnterminated++;
    }
    let text = given;
    if (text === undefined) {
      // Undecoded, it goes to the stage as bytes of the chunk being gathered; anything else is decoded here.
      if (this.joiner === undefined && bytes !== undefined && start !== undefined && (this.chunk.bytes ?? bytes) === bytes
        && originalBytes > 0 && bytes[start]! > 32) {
        this.chunk.bytes = bytes;
        this.push(undefined, flags, originalBytes, 0, end, start);
        return;
      }
      text = bytes!.toString('utf8', start!, start! + originalBytes);
    }
    const blank = isBlank(text);
    if (this.joiner === undefined || (blank && this.heldEnds.length === 0)) {
      if (blank) metrics.linesEmpty++;
      // A line read straight from the chunk being consumed keeps its place in it (one chunk per dispatch).
      let at = -1;
      if (bytes !== undefined && start !== undefined && this.joiner === undefined) {
        this.chunk.bytes ??= bytes;
        if (this.chunk.bytes === bytes) at = start;
      }
      this.push(blank ? null : text, flags, originalBytes, 0, end, at);
      return;
    }
    this.heldEnds.push(end);
    this.heldFlags |= flags;
    this.heldBytes += originalBytes;
    const records = this.joiner.pushJoined(text);
    if (records.length > 0) this.pushJoined(records);
  };

  /** Hands what the joiner holds over as records (its group timed out, or the file is going away). */
  flushJoiner(): void {
    if (this.joiner === undefined || this.heldEnds.length === 0) return;
    this.pushJoined(this.joiner.flushJoined());
  }

  /** Sends the lines gathered since the last call through the record stage. */
  dispatch(): void {
    if (this.chunkEnds.length === 0) return;
    const input = this.chunk;
    const item: InFlight = { ends: this.chunkEnds, result: this.parts.runner.run(input), after: undefined };
    this.chunk = this.emptyChunk();
    this.chunkEnds = [];
    this.inFlight.push(item);
    void item.result!.then(() => this.applyReady());
  }

  /** Runs `fn` once everything handed to the stage so far is in the batches. */
  afterApplied(fn: () => void): void {
    this.dispatch();
    if (this.inFlight.length === 0) return fn();
    this.inFlight.push({ ends: [], result: undefined, after: fn });
  }

  /** Resolves once everything handed to the stage so far is in the batches. */
  drained(): Promise<void> {
    return new Promise((resolve) => this.afterApplied(resolve));
  }

  get busy(): boolean {
    return this.inFlight.length > 0;
  }

  private emptyChunk(): ChunkBuilder {
    return { source: this.source, path: this.path, service: this.service, texts: [], flags: [], originalBytes: [], cuts: [], bytes: undefined, at: [] };
  }

  private push(text: string | null | undefined, flags: number, originalBytes: number, cut: number, end: number, at = -1): void {
    this.chunk.at.push(at);
    this.chunk.texts.push(text);
    this.chunk.flags.push(flags);
    this.chunk.originalBytes.push(originalBytes);
    this.chunk.cuts.push(cut);
    this.chunkEnds.push(end);
  }

  /** Each joined record ends where its last line ended: the joiner says how many lines it took. */
  private pushJoined(records: JoinedRecord[]): void {
    for (const joined of records) {
      const taken = Math.min(Math.max(1, joined.lines), this.heldEnds.length);
      const end = this.heldEnds[taken - 1]!;
      this.heldEnds.splice(0, taken);
      const cut = (joined.cut === 'maxLines' ? JOIN_CUT_LINES : joined.cut === 'maxBytes' ? JOIN_CUT_BYTES : 0) | (joined.continued === true ? JOIN_CONTINUED : 0);
      this.push(joined.text, this.heldFlags, this.heldBytes, cut, end);
      this.heldFlags = 0;
      this.heldBytes = 0;
    }
  }

  /** Applies finished chunks from the front of the queue, in order; a chunk behind an unfinished one waits. */
  private async applyReady(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    try {
      while (this.inFlight.length > 0) {
        const head = this.inFlight[0]!;
        if (head.result !== undefined) this.apply(head.ends, await head.result);
        this.inFlight.shift();
        head.after?.();
      }
    } finally {
      this.applying = false;
    }
    this.parts.applied();
  }

  private apply(ends: number[], output: StageOutput): void {
    const body = Buffer.from(output.body.buffer, output.body.byteOffset, output.body.byteLength);
    // Held while applied: batches that take views of it hold it from then on (see output-pool.ts).
    const ledger = this.parts.runner.ledger;
    ledger.adopt(body.buffer);
    try {
      this.applyOutcomes(ends, output, body);
    } finally {
      ledger.release(body.buffer);
    }
  }

  private applyOutcomes(ends: number[], output: StageOutput, body: Buffer): void {
    const { batcher, metrics } = this.parts;
    const n = ends.length;
    const grouped = batcher.grouped;
    for (let i = 0; i < n; i++) {
      const outcome = output.outcomes[i];
      if (outcome === KEPT && !grouped) {
        let j = i + 1;
        while (j < n && output.outcomes[j] === KEPT) j++;
        batcher.addRun(this.fb, body, output.starts, ends, i, j);
        i = j - 1;
        continue;
      }
      if (outcome === KEPT) {
        const stop = i + 1 < n ? output.starts[i + 1]! : body.length;
        batcher.addBytes(this.fb, body, output.starts[i]!, stop, output.groups[i] ?? '', ends[i]!);
        continue;
      }
      if (outcome === DROPPED_LEVEL) metrics.recordsDropped.level++;
      else if (outcome === DROPPED_DROP) metrics.recordsDropped.drop++;
      else if (outcome === DROPPED_KEEP) metrics.recordsDropped.keep++;
      batcher.advance(this.fb, ends[i]!);
    }
  }
}

function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0);
}
