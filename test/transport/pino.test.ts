// The pino transport through the package target `logstitch/pino/transport`, in a worker thread as pino runs it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTransports, root } from './build.js';
import { Receiver } from './receiver.js';

const receivers: Receiver[] = [];

beforeAll(() => buildTransports());

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function receiver(port?: number): Promise<Receiver> {
  const started = await Receiver.start(port);
  receivers.push(started);
  return started;
}

/** Runs a script under test/transport in its own process; resolves with its exit code, stderr and run time. */
async function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const start = Date.now();
  const child = spawn(process.execPath, [join(root, 'test/transport', script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, stderr, ms: Date.now() - start };
}

describe('pino transport', () => {
  it('ships what pino writes, byte for byte and in order', async () => {
    const indexer = await receiver();
    const transport = pino.transport({
      target: 'logstitch/pino/transport',
      options: { url: indexer.url, batchSize: 40, flushIntervalMs: 50, token: 'pino-token' },
    });
    const logger = pino({ base: { service: 'checkout' } }, transport);
    for (let i = 0; i < 100; i++) logger.info({ i, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', note: 'quote " and ünïcode' }, `line ${i}`);

    // The receiver shares this thread, and ending a pino transport blocks it: wait for delivery first.
    await indexer.waitFor('100 lines', () => indexer.lines().length === 100);
    const lines = indexer.lines();
    lines.forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(`^\\{"level":30,"time":\\d+,"service":"checkout","i":${i},"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","note":"quote \\\\" and ünïcode","msg":"line ${i}"\\}$`),
      );
    });
    expect(indexer.stored.length).toBeGreaterThanOrEqual(3);
    expect(indexer.requests[0]?.headers.authorization).toBe('Bearer pino-token');

    transport.end();
    await once(transport, 'close');
  });

  it('delivers every line when the process calls process.exit()', async () => {
    const indexer = await receiver();
    const { code } = await run('pino-child.mjs', ['exit', '500'], { INDEXER_URL: indexer.url });
    expect(code).toBe(0);
    expect(indexer.lines().map((line) => JSON.parse(line).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('delivers every line when the process ends on its own', async () => {
    const indexer = await receiver();
    const { code } = await run('pino-child.mjs', ['natural', '300'], { INDEXER_URL: indexer.url });
    expect(code).toBe(0);
    expect(indexer.lines()).toHaveLength(300);
    expect(JSON.parse(indexer.lines()[299]!)).toMatchObject({ msg: 'child line 299', i: 299 });
  });

  it('lets the process exit within closeTimeoutMs when the indexer is down, and reports the loss', async () => {
    const port = await Receiver.freePort();
    const { code, ms, stderr } = await run('pino-child.mjs', ['exit', '20'], { INDEXER_URL: `http://127.0.0.1:${port}`, CLOSE_TIMEOUT_MS: '500' });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    // Written from pino's worker thread as the process exits, and still seen.
    expect(stderr).toMatch(/gave up after 500 ms with 20 log line\(s\) not delivered to the indexer at .*ECONNREFUSED.*they are lost/);
  });
});

describe('BatchShipper in a short script', () => {
  it('sends the last line although nobody closes it, and does not hold the process open', async () => {
    const indexer = await receiver();
    const { code, ms } = await run('shipper-child.mjs', [], { INDEXER_URL: indexer.url });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(indexer.lines()).toEqual(['{"msg":"from a short script"}']);
  });

  it('exits promptly with the indexer down, and says what it could not deliver', async () => {
    const port = await Receiver.freePort();
    const { code, stderr, ms } = await run('shipper-child.mjs', [], { INDEXER_URL: `http://127.0.0.1:${port}` });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(stderr).toContain(`cannot deliver logs to the indexer at http://127.0.0.1:${port}/ingest`);
    expect(stderr).toMatch(/process exiting with 1 log line\(s\) not delivered .*ECONNREFUSED/);
  });
});
