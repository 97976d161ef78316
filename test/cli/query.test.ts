// The query commands against a real indexer: text and --json output, exit codes, NO_COLOR, bad usage.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { CLI } from '../helpers/process.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
let indexer: TestIndexer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  indexer = await startIndexer();
  const t = Date.now() - 60_000;
  await postNdjson(indexer.url, [
    JSON.stringify({ level: 30, time: t, msg: 'order received', service: 'checkout', trace_id: TRACE, span_id: '00f067aa0ba902b7', trace_alias: 'abc-123' }),
    JSON.stringify({ level: 50, time: t + 10, msg: 'stock lookup timed out', service: 'inventory', trace_id: TRACE }),
    JSON.stringify({ level: 30, time: t + 20, msg: 'label printed \u001b[31mred\u001b[0m', service: 'shipping' }),
  ]);
});
afterAll(async () => {
  await indexer?.dispose();
});

describe('logstitch search', () => {
  it('prints matching lines newest first, one per line, control characters escaped', async () => {
    const all = await run(['search', '--indexer', indexer.url, '--from', '1h', '*']);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/INFO +shipping .*label printed \\x1b\[31mred/);
    expect(lines[1]).toMatch(/ERROR inventory +4bf92f3577b3 stock lookup timed out/);
    expect(all.stdout).not.toContain('\u001b');
    const errors = await run(['search', '--indexer', indexer.url, 'level:error']);
    expect(errors.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('prints the API answer with --json and finds a trace by its alias', async () => {
    const res = await run(['search', '--indexer', indexer.url, '--json', 'trace:abc-123']);
    expect(res.code).toBe(0);
    const page = JSON.parse(res.stdout) as { logs: Array<{ body: string }> };
    expect(page.logs.map((l) => l.body)).toEqual(['stock lookup timed out', 'order received']);
  });

  it('says when nothing matches and exits 0', async () => {
    const res = await run(['search', '--indexer', indexer.url, 'nothing-like-this']);
    expect(res).toMatchObject({ code: 0, stdout: '' });
    expect(res.stderr).toContain('no lines match');
  });

  it('exits 2 with the parser\'s message for a bad query, and for bad options', async () => {
    const bad = await run(['search', '--indexer', indexer.url, 'colour:red']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/colour/);
    expect((await run(['search'])).code).toBe(2);
    expect((await run(['search', '--limit', '0', 'x'])).code).toBe(2);
    expect((await run(['search', '--from', 'yesterday-ish', 'x'])).stderr).toMatch(/--from must be/);
    expect((await run(['search', '--bogus', 'x'])).code).toBe(2);
  });

  it('exits 1 and says so when the indexer cannot be reached', async () => {
    const res = await run(['search', '--indexer', 'http://127.0.0.1:9', 'x']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach the indexer at http:\/\/127\.0\.0\.1:9/);
  });

  it('sends the query token', async () => {
    const guarded = await startIndexer({ queryToken: 's3cret' });
    try {
      const denied = await run(['search', '--indexer', guarded.url, 'x']);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/LOGSTITCH_QUERY_TOKEN/);
      expect((await run(['search', '--indexer', guarded.url, 'x'], { LOGSTITCH_QUERY_TOKEN: 's3cret' })).code).toBe(0);
    } finally {
      await guarded.dispose();
    }
  });
});

describe('help', () => {
  it.each(['search', 'trace', 'errors'])('%s --help prints its usage and exits 0', async (command) => {
    const res = await run([command, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Usage: logstitch ${command}`);
  });
});
