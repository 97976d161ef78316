// JSON lines shipped as they were written (the fast path): the indexer stores exactly what it stores
// for the same lines parsed and marked by the agent, and a secret anywhere in a line never leaves the
// agent — not in a nested field, not in a field the reader ignores, not behind a duplicate key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { markedLine } from '../../src/agent/marked.js';
import { RecordTransform, serviceForPath } from '../../src/agent/transform.js';
import { createRedactor } from '../../src/model/redact.js';
import { createLineParser } from '../../src/parse/index.js';
import type { StoredLog } from '../../src/store/types.js';
import { postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { startControlledSink, type ControlledSink } from './sink-server.js';
import { allLogs, startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';

const indexers: TestIndexer[] = [];
let sink: ControlledSink | undefined;
let agent: Agent | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
  await sink?.close();
  sink = undefined;
  for (const i of indexers.splice(0)) await i.dispose();
  for (const d of dirs.splice(0)) d.remove();
});

const SECRETS = ['hunter2', 's3cr3t-token', 'abc123secret', '4111 1111 1111 1111', 'pa55word'];
const T = 1_732_000_000_123;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Lines that go out as written, lines that must not, and lines that carry secrets in every hiding place. */
const LINES = [
  `{"level":30,"time":${T},"pid":4242,"hostname":"web-1","trace_id":"${TRACE}","span_id":"00f067aa0ba902b7","trace_flags":"01","service":"checkout","order":7,"msg":"quote ready #1"}`,
  `{"level":40,"time":${T + 1},"pid":4242,"hostname":"web-2","msg":"no trace here","cart":{"items":3,"total":12.5,"tags":["a","b"]}}`,
  `{"level":30,"time":${T + 2},"msg":"no host, no service"}`,
  `{"level":30,"time":${T + 3},"msg":"login","req":{"headers":{"authorization":"Bearer s3cr3t-token"}}}`,
  `{"level":30,"time":${T + 4},"msg":"signup","password":"hunter2"}`,
  `{"level":30,"time":${T + 5},"msg":"paid with 4111 1111 1111 1111"}`,
  `{"level":30,"time":${T + 6},"msg":"password=pa55word","msg":"the duplicate hides the first"}`,
  `{"level":30,"time":${T + 7},"msg":"two messages","message":"token=abc123secret"}`,
  `{"level": 30, "time": ${T + 8}, "msg": "written with spaces"}`,
  `{"level":30,"time":${T + 9},"msg":"legacy request","request_id":"req-77"}`,
  `{"level":30,"time":${T + 10},"msg":"an exponent","n":1e3}`,
  `{"level":30,"time":${T + 11},"msg":"a \\"quoted\\" word"}`,
  `{"level":30,"time":${T + 12},"msg":"carries trace_id=${TRACE} in the text"}`,
  `{"level":"warn","time":${T + 13},"hostname":"web-3","msg":"a level word","env":"staging"}`,
];

function dirsFor(name: string) {
  const logs = tempDir(name);
  const data = tempDir(`${name}-data`);
  dirs.push(logs, data);
  return { logs: logs.dir, data: data.dir };
}

function configFor(logs: string, data: string, url: string) {
  return testConfig({
    data_dir: data,
    sources: [{ include: [join(logs, '*.log')], service: 'fallback-svc', attributes: { env: 'prod' } }],
    sink: { url },
  });
}

/** A stored log without what differs by design: its storage ID and the observed time (for a verbatim line, when the agent read its batch). */
function comparable(log: StoredLog): Record<string, unknown> {
  const { id: _id, observedTime: _observed, ...rest } = log;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

describe('JSON lines shipped as written', () => {
  it('are stored exactly as the same lines parsed and marked by the agent', async () => {
    const viaAgent = await startIndexer();
    const viaMarked = await startIndexer();
    indexers.push(viaAgent, viaMarked);
    const { logs, data } = dirsFor('verbatim');
    const file = join(logs, 'app.log');
    writeFileSync(file, `${LINES.join('\n')}\n`);
    const config = configFor(logs, data, viaAgent.url);
    agent = await startTestAgent(config);
    await waitFor('every line stored', async () => (await allLogs(viaAgent.store)).length === LINES.length);

    // The same lines the slow way: parsed, enriched and redacted into marked lines.
    const source = config.sources[0]!;
    const transform = new RecordTransform(source, config.host, createLineParser(source.parser), createRedactor(config.redact === false ? {} : config.redact));
    const marked = LINES.map((line) => {
      const result = transform.apply(line, 0, Buffer.byteLength(line), Date.now() * 1000, file, serviceForPath(source, file));
      if (typeof result === 'string' || !('log' in result)) throw new Error('expected a record');
      return markedLine(result.log, result.span);
    });
    expect((await postNdjson(viaMarked.url, marked)).status).toBe(200);

    const byBody = (stored: StoredLog[]) => new Map(stored.map((l) => [l.body, comparable(l)]));
    const fast = byBody(await allLogs(viaAgent.store));
    const slow = byBody(await allLogs(viaMarked.store));
    expect(fast.size).toBe(LINES.length);
    expect([...fast.keys()].sort()).toEqual([...slow.keys()].sort());
    for (const [body, log] of fast) expect(log, body).toEqual(slow.get(body));

    const first = fast.get('quote ready #1')!;
    expect(first).toMatchObject({ traceId: TRACE, spanId: '00f067aa0ba902b7', service: 'checkout', host: 'web-1', attributes: { pid: 4242, order: 7, env: 'prod', 'log.file.path': file } });
    expect(fast.get('no host, no service')).toMatchObject({ service: 'fallback-svc', host: 'test-host' });
    expect(fast.get('a level word')).toMatchObject({ severityText: 'warn', attributes: { env: 'staging' } });
    const everything = JSON.stringify([...fast.values()]);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  });

  it('leave the agent as written only when nothing in them would change, and never with a secret', async () => {
    sink = await startControlledSink();
    const { logs, data } = dirsFor('verbatim-wire');
    const file = join(logs, 'app.log');
    writeFileSync(file, `${LINES.join('\n')}\n`);
    const started = Date.now() * 1000;
    agent = await startTestAgent(configFor(logs, data, sink.url));
    await waitFor('every line received', () => sink!.received.reduce((n, b) => n + b.lines.length, 0) === LINES.length);
    // Each batch says when its lines were read: the observed time of the lines that carry none.
    for (const batch of sink.received) expect(Number(batch.observed)).toSatisfy((t: number) => Number.isSafeInteger(t) && t >= started - 1000 && t <= Date.now() * 1000);
    const wire = sink.received.flatMap((b) => b.lines);
    const tail = `,"env":"prod","log.file.path":${JSON.stringify(file)}}`;
    // A pino line goes out byte for byte, with the agent's fields in place of its closing brace.
    expect(wire).toContain(`${LINES[0]!.slice(0, -1)}${tail}`);
    expect(wire).toContain(`${LINES[2]!.slice(0, -1)},"host":"test-host","service":"fallback-svc"${tail}`);
    // Lines whose text says more than their fields (spaces, a hidden duplicate, an exponent, escapes) or
    // whose parse adds something (a request ID, an ID in the message) go out marked.
    for (const i of [6, 8, 9, 10, 11, 12]) {
      const body = (JSON.parse(LINES[i]!) as { msg: string }).msg;
      const sent = wire.find((l) => (JSON.parse(l) as { body?: string; msg?: string }).body === body);
      expect(sent, LINES[i]).toMatch(/^\{"@logstitch":1,/);
    }
    // Invariant 4, on the wire itself: no secret, wherever it hid in the line.
    for (const secret of SECRETS) for (const line of wire) expect(line).not.toContain(secret);
  });
});
