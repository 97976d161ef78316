// Where the record stage runs: in a worker thread when one can be started (a second core for parsing),
// and on the main thread as well while the thread is behind; otherwise — or after the worker failed — on
// the main thread alone. Results are applied in the order asked, whoever made them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createRedactor, type RedactOptions } from '../model/redact.js';
import { createJsonLineReader, createLineParser } from '../parse/index.js';
import type { SourceConfig } from './config.js';
import { nativeEncoder, otlpEncoder, type Encoder } from './encode.js';
import { BufferLedger, OutputPool } from './output-pool.js';
import { runStage, type StageInput, type StageOutput } from './record-stage.js';
import { forThread, pack } from './stage-message.js';
import { RecordTransform } from './transform.js';

/** What a worker needs to build the same transforms as the main thread (structured-clonable). */
export interface StageSetup {
  sources: SourceConfig[];
  host: string;
  redact: RedactOptions | false;
  sink: 'logstitch' | 'otlp';
}

export function stageParts(setup: StageSetup): { transforms: RecordTransform[]; encoder: Encoder } {
  const redactor = setup.redact === false ? undefined : createRedactor(setup.redact);
  // Only logstitch's own sink reads JSON lines as they were written; OTLP needs every record encoded.
  const native = setup.sink !== 'otlp';
  const transforms = setup.sources.map((s) => new RecordTransform(s, setup.host, createLineParser(s.parser), redactor, native ? createJsonLineReader(s.parser) : undefined));
  return { transforms, encoder: setup.sink === 'otlp' ? otlpEncoder : nativeEncoder };
}

export interface StageRunner {
  run(input: StageInput): Promise<StageOutput>;
  /** Who holds each output buffer (the pipeline, batches); a buffer let go goes back to the stage's pool. */
  readonly ledger: BufferLedger;
  /** Chunks asked for and not yet answered. */
  readonly pending: number;
  close(): Promise<void>;
}

interface Waiting {
  input: StageInput;
  resolve(output: StageOutput): void;
}

/** Input chunks shared with the parsing thread are this big (the tailer hands the stage 256 KiB at a time). */
const SHARED_INPUT_BYTES = 256 * 1024;

/** A smaller young generation than V8's default keeps the worker's share of the agent's memory down. */
const WORKER_YOUNG_GENERATION_MB = 8;

/** The compiled worker beside this module; absent when running from TypeScript sources (tests). */
const WORKER_FILE = fileURLToPath(new URL('./stage-worker.js', import.meta.url));

/** Chunks queued for the parsing thread beyond which the main thread parses the next one itself. */
const THREAD_BACKLOG = 2;
/** Freed buffers go back to the parsing thread this many at a time (one message, not one each). */
const RECYCLE_BATCH = 8;

export function createStageRunner(setup: StageSetup, threads: number, log: Logger): StageRunner {
  const inline = stageParts(setup);
  const pool = new OutputPool();
  const runInline = (input: StageInput): StageOutput => runStage(inline.transforms, inline.encoder, input, pool);
  if (threads === 0 || !existsSync(WORKER_FILE) || !import.meta.url.endsWith('.js')) {
    let pending = 0;
    return {
      ledger: new BufferLedger((buffer) => pool.give(buffer)),
      run: async (input) => {
        pending++;
        try {
          return runInline(input);
        } finally {
          pending--;
        }
      },
      get pending() {
        return pending;
      },
      close: async () => {},
    };
  }
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  /** Shared input chunks not in use; one goes with each chunk asked for and comes back with its answer. */
  const sharedInputs: Buffer[] = [];
  const answered = (w: Waiting): void => {
    if (w.input.bytes !== undefined && sharedInputs.length < 16) sharedInputs.push(w.input.bytes);
  };
  let recycled: ArrayBuffer[] = [];
  /** Outputs made on this thread (chunks it took on while the parsing thread was busy): this pool's. */
  const own = new WeakSet<ArrayBufferLike>();
  // The thread's outputs are written into its own pool: freed buffers are moved back to it.
  const ledger = new BufferLedger((buffer) => {
    if (worker === undefined || own.has(buffer)) return pool.give(buffer);
    recycled.push(buffer);
    if (recycled.length < RECYCLE_BATCH) return;
    const buffers = recycled;
    recycled = [];
    worker.postMessage({ recycle: buffers }, buffers);
  });
  let worker: Worker | undefined = new Worker(WORKER_FILE, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  // A worker that fails leaves its chunks to the main thread: no line is lost to a crashed thread.
  const failOver = (why: unknown): void => {
    if (worker === undefined) return;
    log.error({ err: why }, 'the parsing thread failed; parsing on the main thread from now on');
    void worker.terminate();
    worker = undefined;
    for (const [id, w] of [...waiting].sort((a, b) => a[0] - b[0])) {
      waiting.delete(id);
      w.resolve(runInline(w.input));
      answered(w);
    }
  };
  worker.on('message', (message: { id: number; output: StageOutput }) => {
    const w = waiting.get(message.id);
    if (w === undefined) return;
    waiting.delete(message.id);
    w.resolve(message.output);
    answered(w);
  });
  worker.on('error', failOver);
  worker.on('exit', (code) => {
    if (worker !== undefined && code !== 0) failOver(new Error(`exited with code ${code}`));
  });
  // Not unref'd: while the agent waits only for parsed records, the worker is what keeps the process alive.
  return {
    ledger,
    run(given) {
      if (worker === undefined) return Promise.resolve(runInline(given));
      // The thread has work queued: this chunk is parsed here, so both cores parse (results are applied
      // in file order whoever made them).
      if (waiting.size >= THREAD_BACKLOG) {
        const output = runInline(given);
        own.add(output.body.buffer);
        return Promise.resolve(output);
      }
      // The read buffer is reused once this call returns: the thread (or a later fail-over) gets a copy.
      const shared = given.bytes === undefined ? undefined : sharedInputs.pop() ?? Buffer.from(new SharedArrayBuffer(SHARED_INPUT_BYTES));
      const input = forThread(given, shared);
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, { input, resolve });
        const packed = pack(input);
        worker!.postMessage({ id, input: packed }, [packed.numbers.buffer as ArrayBuffer]);
      });
    },
    get pending() {
      return waiting.size;
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
      // Whoever waits for these still gets them, in order.
      for (const [id, item] of [...waiting].sort((a, b) => a[0] - b[0])) {
        waiting.delete(id);
        item.resolve(runInline(item.input));
        answered(item);
      }
    },
  };
}
