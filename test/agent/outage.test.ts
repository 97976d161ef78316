// The indexer goes away for 30 seconds (AGENT_OUTAGE_MS to change): the agent keeps reading, backs off,
// and once the indexer is back every line arrives, once.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { freePort } from '../helpers/process.js';
import { counts, startTestAgent, storedBodies, tempDir, testConfig, waitFor } from './helpers.js';

const OUTAGE_MS = Number(process.env.AGENT_OUTAGE_MS ?? 30_000);

const dirs: Array<{ remove(): void }> = [];
let indexer: TestIndexer | undefined;
afterAll(async () => {
  await indexer?.dispose();
  for (const d of dirs) d.remove();
});

describe('indexer outage', () => {
  it(`waits out a ${OUTAGE_MS / 1000} s outage and then delivers everything once`, async () => {
    const logs = tempDir('outage');
    const data = tempDir('outage-data');
    const store = tempDir('outage-store');
    dirs.push(logs, data);
    const port = await freePort();
    indexer = await startIndexer({ port, dataDir: store.dir });
    const logLines: string[] = [];
    const agent = await startTestAgent(testConfig({
      data_dir: data.dir,
      sources: [{ include: [join(logs.dir, '*.log')] }],
      sink: { url: indexer.url, backoff: { initial: '50ms', max: '2s' } },
    }), logLines);
    const file = join(logs.dir, 'app.log');
    const lines = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `outage line ${from + i}`);
    writeFileSync(file, `${lines(0, 500).join('\n')}\n`);
    await waitFor('the first lines stored', async () => (await storedBodies(indexer!.store)).length === 500);

    await indexer.close();
    const outageStart = Date.now();
    let written = 500;
    while (Date.now() - outageStart < OUTAGE_MS) {
      appendFileSync(file, `${lines(written, 100).join('\n')}\n`);
      written += 100;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, OUTAGE_MS / 10)));
    }
    const during = agent.status();
    expect(during.failing).toBeGreaterThan(0);
    expect(agent.metrics.retries).toBeGreaterThan(3);
    // Everything written during the outage was read and is waiting to be sent.
    expect(during.bytesBehind).toBe(0);

    indexer = await startIndexer({ port, dataDir: store.dir });
    try {
      await waitFor('every line stored after the outage', async () => (await storedBodies(indexer!.store)).length >= written, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stored = counts(await storedBodies(indexer.store));
      expect(stored.size).toBe(written);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
      expect(agent.status().failing).toBe(0);
      expect(logLines.some((l) => l.includes('retrying with backoff'))).toBe(true);
      expect(logLines.some((l) => l.includes('taking batches again'))).toBe(true);
    } finally {
      await agent.stop(1000);
    }
  }, OUTAGE_MS + 90_000);
});
