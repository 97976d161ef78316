// Where the record stage runs: in a worker thread when one can be started (a second core for parsing),
// otherwise — or after the worker failed — on the main thread. Results come back in the order asked.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createRedactor, type RedactOptions } from '../model/redact.js';
import { createJsonLineReader, createLineParser } from '../parse/index.js';
import type { SourceConfig } from './config.js';
import { nativeEncoder, otlpEncoder, type Encoder } from './encode.js';
import { runStage, type StageInput, type StageOutput } from './record-stage.js';
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
  /** Chunks asked for and not yet answered. */
  readonly pending: number;
  close(): Promise<void>;
}

interface Waiting {
  input: StageInput;
  resolve(output: StageOutput): void;
}

/** A smaller young generation than V8's default keeps the worker's share of the agent's memory down. */
const WORKER_YOUNG_GENERATION_MB = 16;

/** The compiled worker beside this module; absent when running from TypeScript sources (tests). */
const WORKER_FILE = fileURLToPath(new URL('./stage-worker.js', import.meta.url));

export function createStageRunner(setup: StageSetup, threads: number, log: Logger): StageRunner {
  const inline = stageParts(setup);
  const runInline = (input: StageInput): StageOutput => runStage(inline.transforms, inline.encoder, input);
  if (threads === 0 || !existsSync(WORKER_FILE) || !import.meta.url.endsWith('.js')) {
    let pending = 0;
    return {
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
    }
  };
  worker.on('message', (message: { id: number; output: StageOutput }) => {
    const w = waiting.get(message.id);
    if (w === undefined) return;
    waiting.delete(message.id);
    w.resolve(message.output);
  });
  worker.on('error', failOver);
  worker.on('exit', (code) => {
    if (worker !== undefined && code !== 0) failOver(new Error(`exited with code ${code}`));
  });
  // Not unref'd: while the agent waits only for parsed records, the worker is what keeps the process alive.
  return {
    run(given) {
      if (worker === undefined) return Promise.resolve(runInline(given));
      // The read buffer is reused once this call returns: the thread (or a later fail-over) gets the texts only.
      const input = given.bytes === undefined ? given : { ...given, bytes: undefined };
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, { input, resolve });
        worker!.postMessage({ id, input });
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
      }
    },
  };
}
