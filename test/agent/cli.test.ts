// `logstitch agent` and `logstitch ingest` as users run them (from dist/: needs `npm run build`):
// exit codes, configuration errors that name the key, the metrics endpoint, and a one-shot import.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { CLI, exited, freePort } from '../helpers/process.js';
import { counts, storedBodies, tempDir, waitFor } from './helpers.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOGSTITCH_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let indexer: TestIndexer;
const work = tempDir('cli');
beforeAll(async () => {
  indexer = await startIndexer();
});
afterAll(async () => {
  await indexer.dispose();
  work.remove();
});

describe('logstitch ingest', () => {
  it('imports files once, even when run twice, and exits 0', async () => {
    const a = join(work.dir, 'a.log');
    const b = join(work.dir, 'b.log');
    writeFileSync(a, Array.from({ length: 3000 }, (_, i) => JSON.stringify({ level: 30, time: Date.now(), msg: `import a ${i}` })).join('\n') + '\n');
    writeFileSync(b, 'import b plain line\nimport b second line');
    const first = await run(['ingest', '--indexer', indexer.url, '--service', 'imported', a, b]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported 2 file(s): 3002 lines read, 3002 records stored');
    expect(first.stderr).toContain('progress: 100%');
    const again = await run(['ingest', '--indexer', indexer.url, '--service', 'imported', a, b]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('batches already stored before');
    const stored = counts(await storedBodies(indexer.store));
    expect(stored.get('import a 2999')).toBe(1);
    expect(stored.get('import b second line')).toBe(1);
    expect([...stored.keys()].filter((k) => k.startsWith('import ')).length).toBe(3002);
  });

  it('exits 1 naming a missing file, 1 when the indexer is unreachable, 2 without files', async () => {
    const present = join(work.dir, 'present.log');
    writeFileSync(present, 'present line\n');
    const missing = await run(['ingest', '--indexer', indexer.url, present, join(work.dir, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.log: no such file');
    const port = await freePort();
    const down = await run(['ingest', '--indexer', `http://127.0.0.1:${port}`, '--give-up-after', '1s', present]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('stayed unreachable');
    const none = await run(['ingest']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name at least one FILE');
  });
});

describe('logstitch agent', () => {
  it('answers --help, and refuses a bad config naming the key (exit 2)', async () => {
    const help = await run(['agent', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--watch GLOB');
    const config = join(work.dir, 'bad.yaml');
    writeFileSync(config, 'sources:\n  - include: [/var/log/*.log]\n    strat_at: end\n');
    const bad = await run(['agent', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sources[0].strat_at: unknown key; expected one of');
    writeFileSync(config, 'sources:\n  - include: [/var/log/*.log]\nsink:\n  batch: { max_bytes: lots }\n');
    const badSize = await run(['agent', '--config', config]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('sink.batch.max_bytes: must be a size');
    const nothing = await run(['agent']);
    expect(nothing.code).toBe(2);
  });

  it('follows --watch files, serves /metrics on 127.0.0.1, and stops cleanly on SIGTERM', async () => {
    const logs = tempDir('cli-watch');
    const file = join(logs.dir, 'svc.log');
    writeFileSync(file, 'watched line one\nwatched line two\n');
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [CLI, 'agent', '--watch', join(logs.dir, '*.log'), '--service', 'watched', '--indexer', indexer.url,
      '--data', join(logs.dir, '.agent'), '--metrics-port', String(metricsPort)], { env: { ...process.env, LOGSTITCH_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    try {
      await waitFor('the watched lines stored', async () => (await storedBodies(indexer.store)).includes('watched line two'));
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/logstitch_agent_lines_read_total 2\n/);
      expect(metrics).toMatch(/logstitch_agent_files_open 1\n/);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      logs.remove();
    }
  });
});

describe('on a terminal', () => {
  // `script` runs the command on a pseudo-terminal, as a person at a shell would.
  function onTty(command: string): Promise<string> {
    return new Promise((resolve) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, LOGSTITCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => resolve(out));
    });
  }

  it('shows a progress bar for ingest and a status line for the agent', async () => {
    const file = join(work.dir, 'tty.log');
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `tty line ${i}`).join('\n') + '\n');
    const ingestOut = await onTty(`${process.execPath} ${CLI} ingest --indexer ${indexer.url} ${file}`);
    expect(ingestOut).toMatch(/\[#+\] 100%/);
    expect(ingestOut).toContain('5,000 lines');
    const logs = tempDir('tty-watch');
    writeFileSync(join(logs.dir, 'a.log'), 'status line test\n');
    const agentOut = await onTty(`timeout -s INT 3 ${process.execPath} ${CLI} agent --watch '${join(logs.dir, '*.log')}' --indexer ${indexer.url} --data ${join(logs.dir, '.agent')}`);
    logs.remove();
    expect(agentOut).toMatch(/1 file · [\d,]+ lines\/s · 0 B behind · 0 retries/);
  });
});
