// `logstitch ingest`: reads the given files once, from the start, through the agent's pipeline, and
// waits until the sink has every batch. Batches are cut by count and size only, and each file's batch-ID
// key comes from its identity, so importing the same file again sends the same batches and the indexer
// stores them once.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { assemble } from './agent.js';
import { Checkpointer } from './checkpoint.js';
import type { AgentConfig } from './config.js';
import type { FileIdentity } from './fingerprint.js';
import { escapeGlob } from './glob.js';
import { AgentMetrics } from './metrics.js';

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  lines: number;
}

export interface ImportResult {
  files: number;
  lines: number;
  recordsSent: number;
  recordsRejected: number;
  batchesRefused: number;
  recordsRefused: number;
  duplicates: number;
  /** Paths that could not be imported, with why. */
  failed: Array<{ path: string; reason: string }>;
  /** The sink stayed unreachable for longer than `giveUpAfterMs`. */
  gaveUp: boolean;
}

export interface ImportOptions {
  log: Logger;
  giveUpAfterMs: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** `config.sources[0]` gives the parser, multiline, filters and service; its include list is replaced by `paths`. */
export async function importFiles(config: AgentConfig, paths: string[], options: ImportOptions): Promise<ImportResult> {
  const failed: ImportResult['failed'] = [];
  const files: string[] = [];
  for (const path of paths.map((p) => resolve(p))) {
    const s = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (s instanceof Error) failed.push({ path, reason: s.code === 'ENOENT' ? 'no such file' : s.message });
    else if (!s.isFile()) failed.push({ path, reason: 'not a regular file' });
    else files.push(path);
  }
  const base = config.sources[0]!;
  // Files named on the command line are read as given: a `.gz` one decompressed.
  const source = { ...base, include: files.map(escapeGlob), exclude: [], startAt: 'beginning' as const, readCompressed: true };
  const importConfig: AgentConfig = { ...config, sources: files.length > 0 ? [source] : [], sink: { ...config.sink, timeoutMs: Number.MAX_SAFE_INTEGER } };
  const metrics = new AgentMetrics();
  const checkpointer = Checkpointer.memory();
  const keyFor = (id: FileIdentity): string => createHash('sha256').update(`${id.dev}:${id.ino}:${id.headHash}:${id.headLength}`).digest('hex').slice(0, 16);
  const parts = assemble(importConfig, checkpointer, options.log, metrics, keyFor);
  const { tailer, sender, batcher } = parts;
  await tailer.scan();
  const total = tailer.files.reduce((sum, f) => sum + f.size, 0);
  const progress = (): void => options.onProgress?.({ bytesDone: tailer.files.reduce((sum, f) => sum + f.cp.offset, 0), bytesTotal: total, lines: metrics.linesRead });
  let failingSince: number | undefined;
  const gaveUp = (): boolean => {
    if (sender.failing === 0) failingSince = undefined;
    else failingSince ??= Date.now();
    return failingSince !== undefined && Date.now() - failingSince > options.giveUpAfterMs;
  };
  let lastProgress = 0;
  let abandoned = false;
  for (;;) {
    const worked = await tailer.readTurn();
    if (Date.now() - lastProgress > 200) {
      lastProgress = Date.now();
      progress();
    }
    if (gaveUp()) {
      abandoned = true;
      break;
    }
    if (!worked && !tailer.paused && tailer.caughtUp) break;
    if (!worked) await new Promise((r) => setTimeout(r, 10));
  }
  if (!abandoned) {
    await tailer.flushAll(true);
    while (batcher.unacknowledged > 0) {
      if (gaveUp()) {
        abandoned = true;
        break;
      }
      await Promise.race([sender.idle(), new Promise((r) => setTimeout(r, 200))]);
      progress();
    }
  }
  sender.close();
  await parts.runner.close();
  await tailer.closeAll();
  progress();
  return {
    files: files.length,
    lines: metrics.linesRead,
    recordsSent: metrics.recordsSent,
    recordsRejected: metrics.recordsRejected,
    batchesRefused: metrics.batchesRefused,
    recordsRefused: metrics.recordsRefused,
    duplicates: metrics.batchesDuplicate,
    failed,
    gaveUp: abandoned,
  };
}
