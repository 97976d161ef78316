// A real indexer on 127.0.0.1 with a real on-disk store in a temporary directory, for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { defaultConfig, type IndexerConfig } from '../../src/server/config.js';
import { createIndexer, type Indexer } from '../../src/server/indexer.js';
import { openStore } from '../../src/store/index.js';

export interface TestIndexer extends Indexer {
  dataDir: string;
  /** Closes the indexer and deletes its data. */
  dispose(): Promise<void>;
}

export async function startIndexer(overrides: Partial<IndexerConfig> = {}): Promise<TestIndexer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'logstitch-test-'));
  const config: IndexerConfig = { ...defaultConfig({}), port: 0, dataDir, ...overrides };
  const store = await openStore({ dataDir });
  const indexer = createIndexer({ config, store, logger: pino({ level: 'silent' }) });
  await indexer.listen();
  return Object.assign(indexer, {
    dataDir,
    async dispose() {
      await indexer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  }) as TestIndexer;
}

/** pino-style lines, as a service using our plugin writes them. */
export function pinoLines(count: number, options: { traceId?: string; service?: string; start?: number; msg?: (i: number) => string } = {}): string[] {
  const start = options.start ?? Date.now();
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      level: i % 5 === 4 ? 50 : 30,
      time: start + i,
      pid: 4242,
      hostname: 'web-1',
      msg: options.msg?.(i) ?? `request ${i} handled`,
      ...(options.traceId !== undefined ? { trace_id: options.traceId, span_id: '00f067aa0ba902b7', trace_flags: '01' } : {}),
      service: options.service ?? 'checkout',
    }),
  );
}

export async function postNdjson(url: string, lines: string[], headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers }, body: `${lines.join('\n')}\n` });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
