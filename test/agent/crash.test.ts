// kill -9 of the agent (a real `logstitch agent` process) at random moments while a 200,000-line file
// grows; after the last restart the indexer holds every line exactly once. Needs `npm run build` (the
// agent runs from dist/, as users run it).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { CLI, exited } from '../helpers/process.js';
import { allLogs, tempDir, waitFor } from './helpers.js';

const LINES = Number(process.env.AGENT_CRASH_LINES ?? 200_000);
const KILLS = 5;

let indexer: TestIndexer | undefined;
const dirs: Array<{ remove(): void }> = [];
afterAll(async () => {
  await indexer?.dispose();
  for (const d of dirs) d.remove();
});

function startAgent(configPath: string, output: string[]): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'agent', '--config', configPath], { env: { ...process.env, LOGSTITCH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return child;
}

describe('agent crash', () => {
  it(`keeps every line exactly once through ${KILLS} kill -9s while a ${LINES}-line file grows`, async () => {
    const seed = Number(process.env.AGENT_CRASH_SEED ?? Date.now() % 100_000);
    let state = seed;
    const random = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    indexer = await startIndexer();
    const logs = tempDir('crash');
    const data = tempDir('crash-data');
    dirs.push(logs, data);
    const configPath = join(data.dir, 'agent.yaml');
    writeFileSync(configPath, [
      `data_dir: ${data.dir}`,
      'sources:',
      `  - include: ["${join(logs.dir, '*.log')}"]`,
      '    service: crash-test',
      'sink:',
      `  url: ${indexer.url}`,
      '  batch: { max_lines: 1000, timeout: 100ms }',
      '  backoff: { initial: 20ms, max: 200ms }',
      // The parsing thread: the path a restart re-forms ranges through is the asynchronous one.
      'tuning: { glob_interval: 100ms, poll_interval: 20ms, parse_threads: 1 }',
    ].join('\n'));
    const file = join(logs.dir, 'grow.log');
    writeFileSync(file, '');
    const output: string[] = [];
    let agent = startAgent(configPath, output);

    let written = 0;
    const writer = (async () => {
      while (written < LINES) {
        const n = Math.min(1000, LINES - written);
        appendFileSync(file, Array.from({ length: n }, (_, i) => `crash line ${written + i} ${'c'.repeat((written + i) % 50)}`).join('\n') + '\n');
        written += n;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1200));
      agent.kill('SIGKILL');
      await exited(agent);
      agent = startAgent(configPath, output);
    }
    await writer;
    const describeState = async () => `seed ${seed}; stored ${(await indexer!.store.stats()).logs} of ${LINES}\n${output.join('').split('\n').slice(-12).join('\n')}`;
    try {
      await waitFor('every line stored', async () => (await indexer!.store.stats()).logs >= LINES, 120_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${await describeState()}`);
    }
    // Give a late duplicate time to arrive, then stop the agent the polite way.
    await new Promise((resolve) => setTimeout(resolve, 500));
    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);

    const bodies = (await allLogs(indexer.store)).map((l) => l.body);
    const seen = new Map<string, number>();
    for (const b of bodies) seen.set(b, (seen.get(b) ?? 0) + 1);
    const doubled = [...seen].filter(([, n]) => n > 1).map(([b]) => b.slice(0, 40));
    const missing: number[] = [];
    for (let i = 0; i < LINES && missing.length < 10; i++) if (!seen.has(`crash line ${i} ${'c'.repeat(i % 50)}`)) missing.push(i);
    expect({ seed, stored: bodies.length, doubled: doubled.slice(0, 10), missing }).toEqual({ seed, stored: LINES, doubled: [], missing: [] });
  }, 300_000);
});
