// The agent end to end against a real indexer: lines written to files arrive once, enriched.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { allLogs, startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';
import type { Agent } from '../../src/agent/agent.js';

let indexer: TestIndexer | undefined;
let agent: Agent | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(1000);
  agent = undefined;
  await indexer?.dispose();
  indexer = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

describe('agent basics', () => {
  it('ships appended JSON and text lines with host, service and file path', async () => {
    indexer = await startIndexer();
    const logs = tempDir('logs');
    const data = tempDir('data');
    dirs.push(logs, data);
    const file = join(logs.dir, 'app.log');
    writeFileSync(file, `${JSON.stringify({ level: 30, time: Date.now(), msg: 'hello from pino' })}\nplain text line\n`);
    agent = await startTestAgent(testConfig({ data_dir: data.dir, sources: [{ include: [join(logs.dir, '*.log')], service: 'billing' }], sink: { url: indexer.url } }));
    await waitFor('two lines stored', async () => (await allLogs(indexer!.store)).length === 2);
    appendFileSync(file, 'third line\n');
    await waitFor('three lines stored', async () => (await allLogs(indexer!.store)).length === 3);
    const stored = await allLogs(indexer.store);
    expect(stored.map((l) => l.body)).toEqual(['hello from pino', 'plain text line', 'third line']);
    expect(stored.every((l) => l.service === 'billing' && l.host === 'test-host')).toBe(true);
    expect(stored[0]!.attributes?.['log.file.path']).toBe(file);
  });

  it('ships an unterminated last line after the partial-line timeout, flagged, and a completed one whole', async () => {
    indexer = await startIndexer();
    const logs = tempDir('partial');
    const data = tempDir('partial-data');
    dirs.push(logs, data);
    const file = join(logs.dir, 'app.log');
    writeFileSync(file, 'whole line\nhalf a li');
    agent = await startTestAgent(testConfig({ data_dir: data.dir, sources: [{ include: [join(logs.dir, '*.log')], partial_line_timeout: '2s' }], sink: { url: indexer.url } }));
    await waitFor('the whole line', async () => (await allLogs(indexer!.store)).length === 1);
    // Completed before the timeout: one line, whole.
    appendFileSync(file, 'ne\nstuck without newline');
    await waitFor('the completed line', async () => (await allLogs(indexer!.store)).some((l) => l.body === 'half a line'));
    await waitFor('the unterminated line after its timeout', async () => (await allLogs(indexer!.store)).length === 3, 10_000);
    const stored = await allLogs(indexer.store);
    expect(stored.map((l) => l.body)).toEqual(['whole line', 'half a line', 'stuck without newline']);
    expect(stored[2]!.attributes?.logstitch_unterminated).toBe(true);
    expect(stored[1]!.attributes?.logstitch_unterminated).toBeUndefined();
    expect(agent.metrics.linesUnterminated).toBe(1);
  });
});
