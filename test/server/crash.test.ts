// kill -9 of the indexer during a stream of batches: every acknowledged line is stored, and none twice.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { emptyPlan } from '../../src/model/search-plan.js';
import { exited, freePort, startServeProcess } from '../helpers/process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'logstitch-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const BATCHES = 240;
const LINES = 50;

function batchBody(b: number): string {
  const now = Date.now();
  return Array.from({ length: LINES }, (_, i) => JSON.stringify({ level: 30, time: now, msg: `line ${b}-${i}`, service: 'crash-test' })).join('\n') + '\n';
}

describe('kill -9 during ingest', () => {
  it('keeps every acknowledged line exactly once when the client retries what was not acknowledged', async () => {
    const port = await freePort();
    const args = ['--port', String(port), '--data', dataDir];
    let server = await startServeProcess(args);
    const ids = Array.from({ length: BATCHES }, () => randomUUID());
    const acked = new Set<number>();
    let next = 0;
    let kills = 0;

    /** One attempt at a batch; true when the indexer acknowledged it. */
    async function send(b: number): Promise<boolean> {
      try {
        const res = await fetch(`${server.url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-logstitch-batch-id': ids[b]! }, body: batchBody(b) });
        await res.arrayBuffer();
        return res.ok;
      } catch {
        return false;
      }
    }

    // Four senders in parallel; the server is killed twice, at moments that depend on timing.
    const killAt = [60 + Math.floor(Math.random() * 40), 150 + Math.floor(Math.random() * 40)];
    const sender = async (): Promise<void> => {
      while (next < BATCHES) {
        const b = next++;
        for (let attempt = 0; ; attempt++) {
          if (await send(b)) {
            acked.add(b);
            break;
          }
          if (attempt > 400) throw new Error(`batch ${b} never acknowledged`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        if (kills < killAt.length && acked.size >= killAt[kills]!) {
          kills++;
          const dying = server;
          dying.child.kill('SIGKILL');
          await exited(dying.child);
          server = await startServeProcess(args);
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(kills).toBe(2);
    expect(acked.size).toBe(BATCHES);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);

    const store = await openStore({ dataDir });
    try {
      const seen = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await store.search(emptyPlan(), { limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
        for (const log of page.logs) seen.set(log.body, (seen.get(log.body) ?? 0) + 1);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen.size).toBe(BATCHES * LINES);
      expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
