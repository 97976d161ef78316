// gzip-rotated files: skipped unless a source asks for them, then read as the lines they hold.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { counts, startTestAgent, storedBodies, tempDir, testConfig, waitFor } from './helpers.js';

let indexer: TestIndexer | undefined;
let agent: Agent | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
  await indexer?.dispose();
  indexer = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

function setUp(name: string) {
  const logs = tempDir(name);
  const data = tempDir(`${name}-data`);
  dirs.push(logs, data);
  const archived = Array.from({ length: 20_000 }, (_, i) => `archived line ${i}`);
  writeFileSync(join(logs.dir, 'app.log.1.gz'), gzipSync(`${archived.join('\n')}\n`));
  writeFileSync(join(logs.dir, 'app.log'), 'current line\n');
  return { logs: logs.dir, data: data.dir, archived };
}

describe('compressed rotated files', () => {
  it('are ignored by default', async () => {
    indexer = await startIndexer();
    const { logs, data } = setUp('gz-off');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, 'app.log*')] }], sink: { url: indexer.url } }));
    await waitFor('the current line', async () => (await storedBodies(indexer!.store)).includes('current line'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedBodies(indexer.store)).toEqual(['current line']);
  });

  it('are decompressed and read once with read_compressed', async () => {
    indexer = await startIndexer();
    const { logs, data, archived } = setUp('gz-on');
    writeFileSync(join(logs, 'broken.log.gz'), Buffer.concat([gzipSync('saved line\n').subarray(0, 20), Buffer.from('not gzip at all')]));
    const logLines: string[] = [];
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log*')], read_compressed: true }], sink: { url: indexer.url } }), logLines);
    await waitFor('every archived line', async () => (await storedBodies(indexer!.store)).length >= archived.length + 1, 30_000);
    await waitFor('the broken archive reported', () => logLines.some((l) => l.includes('could not be read to its end')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stored = counts(await storedBodies(indexer.store));
    expect(stored.get('archived line 19999')).toBe(1);
    expect(stored.get('current line')).toBe(1);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(stored.size).toBe(archived.length + 1);
  });
});
