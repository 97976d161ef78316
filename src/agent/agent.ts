// The agent: wires sources (paths, tailer), transforms and the sink around one checkpoint file, and runs
// the loop — scan, read, time out, ship — until stopped. `createAgent` follows files forever;
// `importFiles` (logstitch ingest) reads given files once through the same pipeline.
import { pino, type Logger } from 'pino';
import { pinoOptions } from '../../adapters/pino/index.js';
import { Batcher, type Batch } from './batches.js';
import { Checkpointer } from './checkpoint.js';
import type { AgentConfig, SourceConfig } from './config.js';
import { nativeEncoder, otlpEncoder, type Encoder } from './encode.js';
import type { Joiner } from './file-pipeline.js';
import { AgentMetrics, serveMetrics } from './metrics.js';
import { MultilineJoiner } from '../parse/index.js';
import { PathsProvider } from './paths.js';
import { Sender } from './sender.js';
import { createStageRunner } from './stage-runner.js';
import { FollowLoop } from './follow-loop.js';
import { Tailer, type TailerOptions } from './tailer.js';
import type { SourceRuntime } from './tracked.js';
import { watchDirectories, type Watcher } from './watch.js';

export interface AgentStatus {
  files: number;
  linesRead: number;
  bytesBehind: number;
  bytesInFlight: number;
  retries: number;
  paused: boolean;
  /** Consecutive failed attempts to ship: > 0 while the sink is unreachable. */
  failing: number;
}

export interface Agent {
  readonly metrics: AgentMetrics;
  /** `http://127.0.0.1:PORT` of GET /metrics, when a metrics port was configured. */
  readonly metricsUrl: string | undefined;
  start(): Promise<void>;
  /** Stops reading, ships what was gathered (waiting up to `graceMs`), saves the checkpoint. */
  stop(graceMs?: number): Promise<void>;
  status(): AgentStatus;
}

export interface AgentDeps {
  log?: Logger;
}

export function agentLogger(level: string): Logger {
  return pino({ ...pinoOptions({ service: 'logstitch-agent' }), level }, pino.destination(2));
}

function encoderFor(config: AgentConfig): Encoder {
  return config.sink.type === 'otlp' ? otlpEncoder : nativeEncoder;
}

function runtimeFor(source: SourceConfig, index: number): SourceRuntime {
  const multiline = source.multiline;
  return {
    index,
    config: source,
    provider: new PathsProvider({ include: source.include, exclude: source.exclude, includeCompressed: source.readCompressed }),
    joiner: (): Joiner | undefined => (multiline === undefined ? undefined : new MultilineJoiner(multiline)),
  };
}

/** The parts both the follower and the one-shot import are made of. */
export function assemble(config: AgentConfig, checkpointer: Checkpointer, log: Logger, metrics: AgentMetrics, keyFor?: TailerOptions['keyFor'], applied?: () => void) {
  const encoder = encoderFor(config);
  const runner = createStageRunner({ sources: config.sources, host: config.host, redact: config.redact, sink: config.sink.type }, config.parseThreads, log);
  let sender: Sender | undefined;
  const batcher = new Batcher(
    { maxLines: config.sink.maxLines, maxBytes: config.sink.maxBytes, timeoutMs: config.sink.timeoutMs },
    checkpointer, metrics, log, (batches: Batch[]) => sender!.enqueue(batches), encoder.grouped, runner.ledger,
  );
  sender = new Sender(config.sink, encoder, metrics, log, (batch) => batcher.ack(batch));
  const sources = config.sources.map((s, i) => runtimeFor(s, i));
  const tailer = new Tailer({ sources, checkpointer, batcher, runner, metrics, log, maxInFlightBytes: config.sink.maxInFlightBytes, rotateWaitMs: config.rotateWaitMs, ...(keyFor ? { keyFor } : {}), ...(applied ? { applied } : {}) });
  return { batcher, sender, tailer, sources, runner };
}

export function createAgent(config: AgentConfig, deps: AgentDeps = {}): Agent {
  const log = deps.log ?? agentLogger(config.logLevel);
  const metrics = new AgentMetrics();
  let parts: ReturnType<typeof assemble> | undefined;
  let checkpointer: Checkpointer | undefined;
  let loop: FollowLoop | undefined;
  let watcher: Watcher | undefined;
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  let stopped = false;

  function refreshGauges(): void {
    if (parts === undefined) return;
    metrics.filesOpen = parts.tailer.files.length;
    metrics.bytesBehind = parts.tailer.bytesBehind;
    metrics.bytesInFlight = parts.batcher.inFlightBytes;
    metrics.paused = parts.tailer.paused ? 1 : 0;
  }

  /** Seals what was gathered and waits up to `graceMs` for the sink to acknowledge it. */
  async function settle(graceMs: number): Promise<void> {
    const { tailer, batcher, sender, runner } = parts!;
    await tailer.flushAll(false);
    const deadline = Date.now() + graceMs;
    while (batcher.unacknowledged > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (batcher.unacknowledged > 0) log.warn('stopping with batches not yet acknowledged; they are re-sent on the next start');
    sender.close();
    await runner.close();
    await checkpointer!.save().catch((error: unknown) => log.error({ err: error }, 'cannot write the checkpoint file at stop'));
    await tailer.closeAll();
  }

  return {
    metrics,
    get metricsUrl() {
      return metricsServer?.url;
    },
    async start() {
      checkpointer = await Checkpointer.open(config.dataDir, config.checkpointTtlMs);
      // Records back from the parsing thread, and acknowledgements, free a reader that paused for them.
      parts = assemble(config, checkpointer, log, metrics, undefined, () => loop?.wake());
      const { batcher } = parts;
      const ack = batcher.ack.bind(batcher);
      batcher.ack = (batch) => {
        ack(batch);
        loop?.wake();
      };
      loop = new FollowLoop({ tailer: parts.tailer, batcher, checkpointer, metrics, log, globIntervalMs: config.globIntervalMs, pollIntervalMs: config.pollIntervalMs });
      if (config.metricsPort !== undefined) metricsServer = await serveMetrics(metrics, config.metricsPort, refreshGauges);
      watcher = await watchDirectories(parts.sources.flatMap((s) => s.provider.bases), (structural) => loop?.wake(structural), log);
      log.info({ sources: config.sources.map((s) => s.include), sink: `${config.sink.type} ${config.sink.url}`, data: config.dataDir, fresh: checkpointer.fresh }, 'agent started');
      loop.start();
    },
    async stop(graceMs = 5000) {
      if (stopped) return;
      stopped = true;
      await loop?.stop();
      await watcher?.close();
      if (parts !== undefined) await settle(graceMs);
      await metricsServer?.close();
      log.info({ linesRead: metrics.linesRead, recordsSent: metrics.recordsSent }, 'agent stopped');
      log.flush?.();
    },
    status() {
      refreshGauges();
      return {
        files: metrics.filesOpen,
        linesRead: metrics.linesRead,
        bytesBehind: metrics.bytesBehind,
        bytesInFlight: metrics.bytesInFlight,
        retries: metrics.retries,
        paused: metrics.paused === 1,
        failing: parts?.sender.failing ?? 0,
      };
    },
  };
}
