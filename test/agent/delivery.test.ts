// How far the agent got, and what it does when the sink pushes back: checkpoints move only after the
// sink acknowledges, are always a whole file on disk, a refused (4xx) batch is counted and passed, and
// reading pauses while too many bytes are in flight.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { CHECKPOINT_FILE, type FileCheckpoint } from '../../src/agent/checkpoint.js';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { startControlledSink, type ControlledSink } from './sink-server.js';
import { allLogs, startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';

let indexer: TestIndexer | undefined;
let sink: ControlledSink | undefined;
let agent: Agent | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
  await sink?.close();
  sink = undefined;
  await indexer?.dispose();
  indexer = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

function checkpoints(dataDir: string): FileCheckpoint[] {
  return (JSON.parse(readFileSync(join(dataDir, CHECKPOINT_FILE), 'utf8')) as { files: FileCheckpoint[] }).files;
}

function dirsFor(name: string) {
  const logs = tempDir(name);
  const data = tempDir(`${name}-data`);
  dirs.push(logs, data);
  return { logs: logs.dir, data: data.dir };
}

describe('checkpoints', () => {
  it('advance only after the sink acknowledges, and record what was sent before that', async () => {
    sink = await startControlledSink();
    sink.hold();
    const { logs, data } = dirsFor('ack');
    const file = join(logs, 'app.log');
    const content = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n';
    writeFileSync(file, content);
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: sink.url, compression: 'none' } }));
    await waitFor('the batch to reach the sink', () => sink!.waiting > 0);
    await waitFor('the sealed range on disk', () => {
      try {
        return checkpoints(data)[0]?.sealed[0] === content.length;
      } catch {
        return false;
      }
    });
    // Sent but not acknowledged: the acknowledged offset has not moved.
    expect(checkpoints(data)[0]!.offset).toBe(0);
    sink.release();
    await waitFor('the acknowledged offset on disk', () => checkpoints(data)[0]?.offset === content.length);
    expect(checkpoints(data)[0]!.sealed).toEqual([]);
    expect(sink.received.flatMap((b) => b.lines).map((l) => (JSON.parse(l) as { body: string }).body)).toEqual(content.trim().split('\n'));
  });

  it('are written atomically: a reader never sees a partial checkpoint file', async () => {
    indexer = await startIndexer();
    const { logs, data } = dirsFor('atomic');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: indexer.url, batch: { max_lines: 20, timeout: '10ms' } } }));
    let reads = 0;
    let writes = 0;
    for (let round = 0; round < 40; round++) {
      appendFileSync(join(logs, `f${round % 8}.log`), Array.from({ length: 30 }, (_, i) => `r${round} l${i}`).join('\n') + '\n');
      for (let k = 0; k < 10; k++) {
        try {
          const text = readFileSync(join(data, CHECKPOINT_FILE), 'utf8');
          reads++;
          expect(() => JSON.parse(text)).not.toThrow();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      writes = agent.metrics.checkpointWrites;
    }
    await waitFor('every line stored', async () => (await allLogs(indexer!.store)).length === 40 * 30);
    expect(reads).toBeGreaterThan(100);
    expect(writes).toBeGreaterThan(10);
  });
});

describe('refused batches', () => {
  it('counts a 4xx batch, logs the reason, moves past it and does not retry it', async () => {
    // The real indexer refuses bodies over its limit with 413.
    indexer = await startIndexer({ maxBodyBytes: 4096 });
    const { logs, data } = dirsFor('refused');
    const logLines: string[] = [];
    const file = join(logs, 'app.log');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: indexer.url, compression: 'none' } }), logLines);
    writeFileSync(file, `${'z'.repeat(10_000)}\n`);
    await waitFor('the refusal to be counted', () => agent!.metrics.batchesRefused === 1);
    appendFileSync(file, 'small line after\n');
    await waitFor('the next line stored', async () => (await allLogs(indexer!.store)).some((l) => l.body === 'small line after'));
    expect(agent.metrics.retries).toBe(0);
    expect(agent.metrics.batchesRefused).toBe(1);
    expect(agent.metrics.recordsRefused).toBe(1);
    expect(logLines.some((l) => l.includes('refused a batch') && l.includes('HTTP 413'))).toBe(true);
    await waitFor('the checkpoint past both lines', () => checkpoints(data)[0]?.offset === 10_001 + 'small line after\n'.length);
  });
});

describe('authentication', () => {
  it('sends the bearer token, and waits (retrying) rather than dropping lines while the token is wrong', async () => {
    indexer = await startIndexer({ ingestToken: 'right-token-123' });
    const { logs, data } = dirsFor('token');
    writeFileSync(join(logs, 'app.log'), 'needs a token\n');
    const logLines: string[] = [];
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: indexer.url, token: 'wrong-token' } }), logLines);
    await waitFor('a refused attempt', () => agent!.metrics.retries >= 2);
    expect(agent.metrics.batchesRefused).toBe(0);
    expect(logLines.some((l) => l.includes('HTTP 401'))).toBe(true);
    await agent.stop(200);
    // The same data directory, the right token: the line that waited is delivered.
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: indexer.url, token: 'right-token-123' } }));
    await waitFor('the line stored', async () => (await allLogs(indexer!.store)).some((l) => l.body === 'needs a token'));
  });
});

describe('backpressure', () => {
  it('pauses reading while the bytes in flight are at the limit, and resumes when they are acknowledged', async () => {
    sink = await startControlledSink();
    sink.hold();
    const { logs, data } = dirsFor('pressure');
    const file = join(logs, 'big.log');
    const lines = Array.from({ length: 20_000 }, (_, i) => `pressure line ${i} ${'p'.repeat(80)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const size = readFileSync(file).length;
    agent = await startTestAgent(testConfig({
      data_dir: data,
      sources: [{ include: [join(logs, '*.log')] }],
      sink: { url: sink.url, max_in_flight_bytes: '64KiB', concurrency: 1, batch: { max_bytes: '16KiB', timeout: '10ms' } },
    }));
    await waitFor('reading to pause', () => agent!.status().paused);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const status = agent.status();
    expect(status.paused).toBe(true);
    // Only about the in-flight limit (plus one read chunk and the batch being filled) was read.
    expect(agent.metrics.bytesRead).toBeLessThan(size / 4);
    expect(status.bytesBehind).toBeGreaterThan(size / 2);
    expect(agent.metrics.render()).toMatch(/logstitch_agent_paused 1\n/);
    sink.release();
    await waitFor('every line delivered', () => sink!.received.reduce((n, b) => n + b.lines.length, 0) === lines.length, 30_000);
    expect(agent.status().paused).toBe(false);
  });
});
