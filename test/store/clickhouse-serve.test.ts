// `logstitch serve --store clickhouse`: the indexer, unchanged above the store, on a real ClickHouse server.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveConfig } from '../../src/cli/serve.js';
import { exited, freePort, startServeProcess } from '../helpers/process.js';
import { getJson, postNdjson } from '../helpers/indexer.js';
import { ClickHouseServer, HOW_TO_ENABLE, serverCommand, TEST_USER } from './clickhouse/server.js';

vi.setConfig({ testTimeout: 120_000 });
const available = serverCommand() !== undefined;

describe('logstitch serve --store options', () => {
  it('reads the ClickHouse options, takes the password from the environment, and refuses mismatched flags', () => {
    const config = serveConfig(['--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:8123', '--clickhouse-user', 'ls', '--clickhouse-cluster', 'two', '--clickhouse-nodes', 'http://a:8123, http://b:8123'], { LOGSTITCH_CLICKHOUSE_PASSWORD: 'pw' })!;
    expect(config.store).toBe('clickhouse');
    expect(config.clickhouse).toEqual({ url: 'http://127.0.0.1:8123', username: 'ls', password: 'pw', cluster: 'two', nodes: ['http://a:8123', 'http://b:8123'] });
    expect(() => serveConfig(['--store', 'clickhouse'], {})).toThrow(/needs --clickhouse-url/);
    expect(() => serveConfig(['--clickhouse-url', 'http://x'], {})).toThrow(/needs --store clickhouse/);
    expect(() => serveConfig(['--store', 'mysql'], {})).toThrow(/sqlite or clickhouse/);
    expect(serveConfig([], {})!.store).toBe('sqlite');
  });
});

describe.skipIf(!available)('logstitch serve on ClickHouse', () => {
  let server: ClickHouseServer;
  beforeAll(async () => {
    server = await ClickHouseServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stores what arrives and answers trace views and error rates from ClickHouse', async () => {
    const port = await freePort();
    const { child } = await startServeProcess(['--port', String(port), '--store', 'clickhouse', '--clickhouse-url', server.url, '--clickhouse-user', TEST_USER.username], { LOGSTITCH_CLICKHOUSE_PASSWORD: TEST_USER.password }, 60_000);
    try {
      const url = `http://127.0.0.1:${port}`;
      const trace = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
      const t = Date.now() - 60_000;
      const reply = await postNdjson(url, [
        JSON.stringify({ level: 30, time: t, service: 'checkout', trace_id: trace, span_id: 'aaaaaaaaaaaaaaaa', msg: 'order received', trace_alias: 'req-77' }),
        JSON.stringify({ level: 50, time: t + 5, service: 'checkout', trace_id: trace, span_id: 'aaaaaaaaaaaaaaaa', msg: 'card declined', span_end: { name: 'POST /checkout', kind: 'server', start_us: t * 1000, duration_us: 5000, status: 'error' } }),
      ], { 'x-logstitch-batch-id': 'serve-ch-1' });
      expect(reply.body).toMatchObject({ accepted: 2, spans: 1 });
      const view = await getJson(`${url}/api/traces/req-77`);
      expect(view.status).toBe(200);
      expect((view.body.logs as Array<{ body: string }>).map((l) => l.body)).toEqual(['order received', 'card declined']);
      expect(view.body.summary).toMatch(/checkout/);
      const metrics = await getJson(`${url}/api/metrics/errors?from=${t - 120_000}&to=${t + 120_000}`);
      expect((metrics.body.totals as Array<Record<string, unknown>>)[0]).toMatchObject({ service: 'checkout', requests: 1, errors: 1, errorRate: 1 });
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});

if (!available) describe('ClickHouse', () => it.skip(HOW_TO_ENABLE, () => {}));
