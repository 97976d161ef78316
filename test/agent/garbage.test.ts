// Garbage in the files: binary bytes, invalid UTF-8, a 10 MB line, CRLF endings, empty lines, a file
// replaced by a directory. The agent keeps running, keeps every line, and says what it did.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { allLogs, startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';

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

describe('garbage in log files', () => {
  it('keeps binary, invalid UTF-8, huge, CRLF and empty-line input, flagged, and survives a directory where a file was', async () => {
    indexer = await startIndexer();
    const logs = tempDir('garbage');
    const data = tempDir('garbage-data');
    dirs.push(logs, data);
    const logLines: string[] = [];
    agent = await startTestAgent(testConfig({ data_dir: data.dir, sources: [{ include: [join(logs.dir, '*.log')] }], sink: { url: indexer.url } }), logLines);

    const binary = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x7f, 0x1b, 0x5b, 0x41, 0x00]);
    const invalid = Buffer.concat([Buffer.from('price '), Buffer.from([0xc3, 0x28]), Buffer.from(' euro '), Buffer.from([0xe2, 0x82]), Buffer.from(' end')]);
    const huge = `HUGE ${'y'.repeat(10 * 1024 * 1024)}`;
    const file = join(logs.dir, 'garbage.log');
    writeFileSync(file, Buffer.concat([
      Buffer.from('before the garbage\n'),
      binary, Buffer.from('\n'),
      invalid, Buffer.from('\n'),
      Buffer.from(`${huge}\n`),
      Buffer.from('windows line one\r\nwindows line two\r\n'),
      Buffer.from('\n\n   \n'),
      Buffer.from('after the garbage\n'),
    ]));
    const victim = join(logs.dir, 'victim.log');
    writeFileSync(victim, 'victim line\n');
    await waitFor('every garbage line stored', async () => (await allLogs(indexer!.store)).length === 8, 30_000);

    // The followed file becomes a directory with the same name.
    rmSync(victim);
    mkdirSync(victim);
    appendFileSync(file, 'still running\n');
    await waitFor('a line written after the directory appeared', async () => (await allLogs(indexer!.store)).some((l) => l.body === 'still running'));
    await waitFor('the agent to say it skipped the directory', () => logLines.some((l) => l.includes('is a directory')));

    const stored = await allLogs(indexer.store);
    const bodies = stored.map((l) => l.body);
    expect(bodies).toContain('before the garbage');
    expect(bodies).toContain('after the garbage');
    expect(bodies).toContain('victim line');
    expect(bodies).toContain('windows line one');
    expect(bodies).toContain('windows line two');
    const binaryRecord = stored.find((l) => l.body.includes('\u0001\u0002'));
    expect(binaryRecord?.attributes?.logstitch_invalid_utf8).toBe(true);
    const invalidRecord = stored.find((l) => l.body.startsWith('price '));
    expect(invalidRecord?.body).toBe('price \uFFFD( euro \uFFFD end');
    expect(invalidRecord?.attributes?.logstitch_invalid_utf8).toBe(true);
    const hugeRecord = stored.find((l) => l.body.startsWith('HUGE '));
    expect(hugeRecord?.body.length).toBe(256 * 1024);
    expect(hugeRecord?.attributes?.logstitch_truncated).toBe(true);
    expect(hugeRecord?.attributes?.logstitch_original_bytes).toBe(huge.length);
    expect(bodies.some((b) => b.includes('\r'))).toBe(false);
    expect(agent.metrics.linesEmpty).toBe(3);
    expect(agent.metrics.linesCut).toBe(1);
    expect(agent.metrics.linesInvalidUtf8).toBe(2);
    expect(agent.metrics.filesSkipped).toBeGreaterThanOrEqual(1);
    expect(agent.metrics.render()).toMatch(/logstitch_agent_lines_cut_total 1\n/);
  });
});
