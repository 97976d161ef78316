// `logstitch trace` on a trace with more lines than one view carries: every line is printed, fetched page by
// page, and --json holds them all. Runs the built CLI (npm run build) against a real indexer.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_LOG_LIMIT } from '../../src/server/correlation.js';
import { postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { CLI } from '../helpers/process.js';

const TRACE = createHash('sha256').update('cli big trace').digest('hex').slice(0, 32);
const LINES = VIEW_LOG_LIMIT + 600;
let indexer: TestIndexer;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  indexer = await startIndexer();
  const t = (Date.now() - 120_000) * 1000;
  const span = (id: string, start: number, duration: number, parent?: string) =>
    JSON.stringify({ level: 30, time: Math.round((start + duration) / 1000), service: 'batch', trace_id: TRACE, span_id: id, msg: 'server span', span_end: { name: `job ${id.slice(0, 2)}`, kind: 'server', start_us: start, duration_us: duration, status: 'ok', ...(parent ? { parent_span_id: parent } : {}) } });
  const lines = [span('1111111111111111', t, 60_000_000), span('2222222222222222', t + 1_000_000, 50_000_000, '1111111111111111')];
  for (let i = 0; i < LINES; i++) {
    const id = i % 2 === 0 ? '1111111111111111' : '2222222222222222';
    lines.push(JSON.stringify({ level: i === LINES - 1 ? 50 : 30, time: Math.round((t + 2_000_000 + i * 10_000) / 1000), service: 'batch', trace_id: TRACE, span_id: id, msg: `record ${String(i).padStart(5, '0')} done` }));
  }
  for (let i = 0; i < lines.length; i += 1000) expect((await postNdjson(indexer.url, lines.slice(i, i + 1000))).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await indexer?.dispose();
});

describe('logstitch trace on a trace with more lines than a view carries', () => {
  it('prints every line under its span, paging in those the view left out', async () => {
    const res = await run(['trace', '--indexer', indexer.url, '--width', '30', TRACE]);
    expect(res.code, res.stderr).toBe(0);
    const total = LINES + 2;
    expect(res.stdout).toContain(`2 spans, ${total} lines\n`);
    const printed = res.stdout.split('\n').filter((l) => / record \d{5} done$/.test(l));
    expect(printed).toHaveLength(LINES);
    // Each span's lines in time order under it: the even records under the first span, the odd under the second.
    const numbers = printed.map((l) => Number(/record (\d{5})/.exec(l)![1]));
    const even = numbers.slice(0, LINES / 2);
    expect(even).toEqual(Array.from({ length: LINES / 2 }, (_, k) => 2 * k));
    expect(numbers.slice(LINES / 2)).toEqual(Array.from({ length: LINES / 2 }, (_, k) => 2 * k + 1));
  });

  it('puts every line in --json, and none with --no-logs', async () => {
    const json = await run(['trace', '--indexer', indexer.url, '--json', TRACE]);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as { logs: unknown[]; logCount: number; logsOmitted: number };
    expect(view).toMatchObject({ logCount: LINES + 2, logsOmitted: 0 });
    expect(view.logs).toHaveLength(LINES + 2);
    const quiet = await run(['trace', '--indexer', indexer.url, '--no-logs', TRACE]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toContain(`2 spans, ${LINES + 2} lines\n`);
    expect(quiet.stdout).not.toMatch(/record \d{5} done/);
  });
});
