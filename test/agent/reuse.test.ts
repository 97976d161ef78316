// The fast paths keep every byte: output memory is reused only once the batches holding it were
// acknowledged, lines handed over undecoded arrive as written, and the parsing thread (the compiled agent,
// which also parses on the main thread while the thread is busy) delivers every line once, in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { CLI, exited } from '../helpers/process.js';
import { startControlledSink, type ControlledSink } from './sink-server.js';
import { startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';

let sink: ControlledSink | undefined;
let agent: Agent | undefined;
let child: ChildProcess | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await exited(child);
  }
  child = undefined;
  await sink?.close();
  sink = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

const T = 1_732_000_000_000;

/** Pino lines (they go out as written), plain text and CRLF lines (marked), and a line of invalid UTF-8. */
function writeMixedFile(path: string, count: number): { pino: string[]; plain: string[] } {
  const pino: string[] = [];
  const plain: string[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 997 === 500) {
      const line = `plain text line ${i}`;
      plain.push(line);
      parts.push(Buffer.from(`${line}${i % 2 === 0 ? '\r\n' : '\n'}`));
      continue;
    }
    const line = `{"level":30,"time":${T + i},"pid":7,"hostname":"web-${i % 3}","order":${i},"msg":"reused line ${i} ${'x'.repeat(i % 61)}"}`;
    pino.push(line);
    parts.push(Buffer.from(`${line}\n`));
  }
  parts.push(Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x20, 0x62, 0x79, 0x74, 0x65, 0x73, 0x0a]));
  writeFileSync(path, Buffer.concat(parts));
  return { pino, plain };
}

/**
 * Checks what the sink received against the file: every line once; a pino line as written plus the agent's
 * fields, or marked (a number like 9000 could have been written 9e3: such lines are parsed) with its message.
 */
function checkDelivery(received: string[], file: string, expected: { pino: string[]; plain: string[] }): void {
  const tail = `,"service":"reuse","log.file.path":${JSON.stringify(file)}}`;
  const verbatim = new Set(expected.pino.map((line) => `${line.slice(0, -1)}${tail}`));
  const messages = new Set(expected.pino.map((line) => (JSON.parse(line) as { msg: string }).msg));
  const seen = new Set<string>();
  const bodies: string[] = [];
  let invalid = 0;
  let asWritten = 0;
  for (const line of received) {
    expect(seen.has(line), `received twice: ${line.slice(0, 120)}`).toBe(false);
    seen.add(line);
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record['@logstitch'] === undefined) {
      expect(verbatim.has(line), `not a line of the file as written: ${line.slice(0, 160)}`).toBe(true);
      asWritten++;
      continue;
    }
    const attributes = record.attributes as Record<string, unknown>;
    if (attributes.logstitch_invalid_utf8 === true) {
      expect(record.body).toBe('bad \uFFFD\uFFFD bytes');
      invalid++;
    } else bodies.push(record.body as string);
  }
  expect(received.length).toBe(expected.pino.length + expected.plain.length + 1);
  expect(bodies.filter((b) => !messages.has(b)).sort()).toEqual([...expected.plain].sort());
  expect(asWritten + bodies.filter((b) => messages.has(b)).length).toBe(expected.pino.length);
  // Nearly all pino lines take the fast path.
  expect(asWritten).toBeGreaterThan(expected.pino.length * 0.99);
  expect(invalid).toBe(1);
}

describe('reused output memory', () => {
  it('delivers every line intact while the sink holds batches and memory is recycled many times over', async () => {
    sink = await startControlledSink();
    const logs = tempDir('reuse');
    const data = tempDir('reuse-data');
    dirs.push(logs, data);
    const file = join(logs.dir, 'app.log');
    const expected = writeMixedFile(file, 40_000);
    agent = await startTestAgent(testConfig({
      data_dir: data.dir,
      sources: [{ include: [join(logs.dir, '*.log')], service: 'reuse' }],
      // Little in flight, small batches: the reader pauses and output buffers go round the pool often.
      sink: { url: sink.url, max_in_flight_bytes: '512KiB', concurrency: 2, batch: { max_lines: 700, timeout: '20ms' } },
    }));
    const total = expected.pino.length + expected.plain.length + 1;
    const count = (): number => sink!.received.reduce((n, b) => n + b.lines.length, 0);
    // Acknowledgements come late and in bursts: a buffer reused too early would show as a damaged line.
    for (let round = 0; round < 400 && count() < total; round++) {
      sink.hold();
      await new Promise((resolve) => setTimeout(resolve, 15));
      sink.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor('every line delivered', () => count() >= total, 30_000);
    checkDelivery(sink.received.flatMap((b) => b.lines), file, expected);
    expect(agent.metrics.linesInvalidUtf8).toBe(1);
  });
});

describe('the parsing thread (compiled agent)', () => {
  it('delivers every line once, byte for byte, while both threads parse', async () => {
    sink = await startControlledSink();
    const logs = tempDir('thread');
    const data = tempDir('thread-data');
    dirs.push(logs, data);
    const file = join(logs.dir, 'app.log');
    const expected = writeMixedFile(file, 120_000);
    const configPath = join(data.dir, 'agent.yaml');
    writeFileSync(configPath, [
      `data_dir: ${data.dir}`,
      'sources:',
      `  - include: ["${join(logs.dir, '*.log')}"]`,
      '    service: reuse',
      'sink:',
      `  url: ${sink.url}`,
      '  max_in_flight_bytes: 2MiB',
      '  batch: { max_lines: 2000, timeout: 50ms }',
      'tuning: { glob_interval: 100ms, poll_interval: 20ms, parse_threads: 1 }',
    ].join('\n'));
    let output = '';
    child = spawn(process.execPath, [CLI, 'agent', '--config', configPath], { env: { ...process.env, LOGSTITCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const total = expected.pino.length + expected.plain.length + 1;
    const count = (): number => sink!.received.reduce((n, b) => n + b.lines.length, 0);
    await waitFor(`every line delivered (${output.slice(-500)})`, () => count() >= total, 60_000);
    const received = sink.received.flatMap((b) => b.lines);
    checkDelivery(received, file, expected);
    // In file order within each batch (batches travel side by side), whichever thread parsed the lines.
    for (const batch of sink.received) {
      const orders = batch.lines.map((l) => (JSON.parse(l) as { order?: number }).order).filter((o): o is number => o !== undefined);
      expect(orders).toEqual([...orders].sort((a, b) => a - b));
    }
    expect(output).not.toMatch(/parsing thread failed/);
  });
});
