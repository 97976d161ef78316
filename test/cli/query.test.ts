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

describe('logstitch trace and errors', () => {
  const SLOW = 'f00dfeedf00dfeedf00dfeedf00dfeed';
  beforeAll(async () => {
    const t = (Date.now() - 120_000) * 1000;
    const span = (service: string, id: string, kind: string, start: number, duration: number, parent?: string, status = 'ok') =>
      JSON.stringify({ level: status === 'error' ? 50 : 30, time: Math.round((start + duration) / 1000), service, trace_id: SLOW, span_id: id, msg: `${kind} span`, span_end: { name: `${kind} ${service}`, kind, start_us: start, duration_us: duration, status, ...(parent ? { parent_span_id: parent } : {}) } });
    await postNdjson(indexer.url, [
      span('checkout', '1111111111111111', 'server', t, 10_000_000),
      span('checkout', '2222222222222222', 'client', t + 50_000, 9_900_000, '1111111111111111'),
      span('inventory', '3333333333333333', 'server', t + 100_000, 9_800_000, '2222222222222222'),
      span('inventory', '4444444444444444', 'client', t + 200_000, 9_600_000, '3333333333333333'),
      span('shipping', '5555555555555555', 'server', t + 9_100_000, 600_000, '4444444444444444', 'error'),
      JSON.stringify({ level: 30, time: Math.round((t + 9_200_000) / 1000), service: 'shipping', trace_id: SLOW, span_id: '5555555555555555', msg: 'quote requested \u001b[2J' }),
    ]);
  });

  it('trace prints the summary, one bar per span, the gap, and the logs under their spans', async () => {
    const res = await run(['trace', '--indexer', indexer.url, '--width', '40', SLOW]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Trace ${SLOW}`);
    expect(res.stdout).toMatch(/inventory → shipping, between the call leaving inventory and shipping receiving it/);
    for (const name of ['server checkout', 'client checkout', 'server inventory', 'client inventory', 'server shipping']) expect(res.stdout).toContain(name);
    expect(res.stdout).toMatch(/\n +8\.\d+ s +inventory → shipping: between the call leaving inventory and shipping receiving it\n/);
    expect(res.stdout).toMatch(/shipping · server shipping\n +\S+ INFO  shipping +quote requested \\x1b\[2J/);
    expect(res.stdout).not.toContain('\u001b');
    const bars = res.stdout.split('\n').filter((l) => l.includes('│'));
    expect(bars).toHaveLength(5);
    expect(bars.every((b) => b.split('│')[1]!.length === 40)).toBe(true);
  });

  it('trace --json prints the view; an unknown trace exits 1 naming it', async () => {
    const res = await run(['trace', '--indexer', indexer.url, '--json', SLOW]);
    const view = JSON.parse(res.stdout) as { spans: unknown[]; gaps: Array<{ from: string; to: string; duration: number }> };
    expect(view.spans).toHaveLength(5);
    expect(view.gaps.filter((g) => g.duration > 8_000_000)).toEqual([expect.objectContaining({ from: 'inventory', to: 'shipping' })]);
    const missing = await run(['trace', '--indexer', indexer.url, 'no-such-trace']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-trace');
    expect((await run(['trace', '--indexer', indexer.url])).code).toBe(2);
  });

  it('errors prints a row per service with its error rate, and --json the API answer', async () => {
    const res = await run(['errors', '--indexer', indexer.url, '--from', '1h']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^service +requests +errors +error rate +p50 +p95 +p99$/);
    const shipping = lines.find((l) => l.startsWith('shipping'))!;
    expect(shipping).toMatch(/^shipping +1 +1 +100\.0%/);
    expect(lines.find((l) => l.startsWith('checkout'))).toMatch(/^checkout +1 +0 +0\.00%/);
    const json = JSON.parse((await run(['errors', '--indexer', indexer.url, '--json', '--service', 'shipping'])).stdout) as { totals: Array<{ service: string; errorRate: number }> };
    expect(json.totals).toEqual([expect.objectContaining({ service: 'shipping', errorRate: 1 })]);
  });
});

describe('help', () => {
  it.each(['search', 'trace', 'errors'])('%s --help prints its usage and exits 0', async (command) => {
    const res = await run([command, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Usage: logstitch ${command}`);
  });
});
