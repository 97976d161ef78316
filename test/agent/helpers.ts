// Shared by the agent tests: temporary directories, an agent configuration for tests, waiting for an
// outcome with a deadline, and reading back what the indexer stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { agentConfigFrom, type AgentConfig } from '../../src/agent/config.js';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { emptyPlan } from '../../src/model/search-plan.js';
import type { Store, StoredLog } from '../../src/store/types.js';

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `logstitch-agent-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A configuration with short intervals, so tests see files and lines quickly. */
export function testConfig(doc: Record<string, unknown>): AgentConfig {
  return agentConfigFrom({
    host: 'test-host',
    ...doc,
    tuning: { glob_interval: '100ms', poll_interval: '20ms', rotate_wait: '300ms', ...(doc.tuning as object) },
    sink: { batch: { timeout: '50ms' }, backoff: { initial: '20ms', max: '200ms' }, ...(doc.sink as object) },
  }, {});
}

export function quietLogger(lines?: string[]) {
  if (lines === undefined) return pino({ level: 'silent' });
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
}

export async function startTestAgent(config: AgentConfig, logLines?: string[]): Promise<Agent> {
  const agent = createAgent(config, { log: quietLogger(logLines) });
  await agent.start();
  return agent;
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every log the store holds, oldest first. */
export async function allLogs(store: Store): Promise<StoredLog[]> {
  const logs: StoredLog[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.search(emptyPlan(), cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
    logs.push(...page.logs);
    if (page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  return logs.reverse();
}

export async function storedBodies(store: Store): Promise<string[]> {
  return (await allLogs(store)).map((l) => l.body);
}

/** Counts of each value; the test compares multisets so that a doubled line shows as a 2. */
export function counts(values: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}
