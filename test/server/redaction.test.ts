// The indexer redacts what arrives from SDKs that never ran logstitch's redaction (OTLP, Zipkin), and,
// when asked, the agent's and transports' lines too.
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

const trace = '5b8efff798038103d269b633813fc60c';
const nowNanos = () => String(BigInt(Date.now()) * 1_000_000n);
const CARD = '4111 1111 1111 1111';

let indexer: TestIndexer | undefined;
afterEach(async () => {
  await indexer?.dispose();
  indexer = undefined;
});

async function postJson(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${indexer!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

function otlpLog(body: string, attributes: Record<string, string>) {
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
      scopeLogs: [{
        logRecords: [{
          timeUnixNano: nowNanos(), severityNumber: 9, body: { stringValue: body }, traceId: trace, spanId: '051581bf3cb55c13',
          attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
        }],
      }],
    }],
  };
}

describe('redaction at the indexer', () => {
  it('redacts OTLP log bodies and attributes and Zipkin span tags by default', async () => {
    indexer = await startIndexer();
    expect(await postJson('/v1/logs', otlpLog(`charging card ${CARD} for password=hunter2`, { password: 'hunter2', 'user.id': 'u-17' }))).toBe(200);
    const micros = Date.now() * 1000;
    expect(await postJson('/api/v2/spans', [{
      traceId: trace, id: '1a2b3c4d5e6f7a8b', name: 'get /pay', kind: 'SERVER', timestamp: micros, duration: 1500,
      localEndpoint: { serviceName: 'gateway' }, tags: { 'http.url': 'https://api.example/pay?token=s3cret&x=1', authorization: 'Bearer abc.def' },
    }])).toBe(202);
    const reply = await getJson(`${indexer.url}/api/traces/${trace}`);
    const text = JSON.stringify(reply.body);
    for (const secret of ['hunter2', '4111 1111 1111 1111', 's3cret', 'abc.def']) expect(text).not.toContain(secret);
    const log = (reply.body.logs as Array<Record<string, any>>)[0]!;
    expect(log.body).toContain('[REDACTED:card]');
    expect(log.attributes).toMatchObject({ password: '[REDACTED]', 'user.id': 'u-17' });
    const span = (reply.body.spans as Array<Record<string, any>>).find((x) => x.origin === 'zipkin')!;
    expect(span.attributes['http.url']).toContain('x=1');
  });

  it('leaves /ingest lines to the agent and adapters by default, and redacts them with redact "all"', async () => {
    const line = JSON.stringify({ level: 30, time: Date.now(), msg: 'login', trace_id: trace, password: 'hunter2' });
    indexer = await startIndexer();
    await postNdjson(indexer.url, [line]);
    expect(JSON.stringify((await getJson(`${indexer.url}/api/traces/${trace}`)).body)).toContain('hunter2');
    await indexer.dispose();

    indexer = await startIndexer({ redact: 'all' });
    await postNdjson(indexer.url, [line]);
    const logs = (await getJson(`${indexer.url}/api/traces/${trace}`)).body.logs as Array<Record<string, any>>;
    expect(logs[0]!.attributes.password).toBe('[REDACTED]');
  });

  it('stores OTLP records as sent with redact "off"', async () => {
    indexer = await startIndexer({ redact: 'off' });
    await postJson('/v1/logs', otlpLog('password=hunter2', {}));
    const logs = (await getJson(`${indexer.url}/api/traces/${trace}`)).body.logs as Array<Record<string, any>>;
    expect(logs[0]!.body).toBe('password=hunter2');
  });
});
