// Model-based test of the tailer, in the spirit of Vector's file-source tests: seeded random sequences of
// appends, partial lines, renames (logrotate's create mode, in and out of the globs), new files,
// copytruncate and deletes, against a model of which lines must arrive. After each run, the lines the
// real indexer holds equal the model's: none missing, none doubled.
//
// What the model promises, precisely:
// - Every complete line written to a followed file arrives once, whether the file keeps its name, is
//   renamed to a name the globs match or one they do not (it is read to its end), or is deleted after the
//   agent opened it (the open handle still reads it). A file renamed out of the globs, or deleted,
//   before the agent ever saw it cannot be followed by any tailer, so the model lets the agent open a
//   file before rotating it away or deleting it (as a scan interval shorter than a file's life does).
// - A partial line arrives once, whole, when its writer completes it. (Writers complete a pending line
//   before rotating, as loggers flush before reopening; the partial-line timeout is long here.)
// - copytruncate: lines written between the agent's last read and the truncate can be lost by any tailer
//   (they only exist in the copy), and a file that regrows past its old size before the truncate is seen
//   looks like growth. So before a copytruncate the model waits until the agent has caught up, and after
//   it waits until the agent has seen the truncation; then every line arrives once. The copy, when the
//   globs match it, is recognised by its first fingerprint_bytes and not read again (a copy of a file
//   shorter than that cannot be told from a new file, so the model copies into the globs only files at
//   least that long).
import { readFileSync, statSync, closeSync, copyFileSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startIndexer } from '../helpers/indexer.js';
import { counts, startTestAgent, storedBodies, tempDir, testConfig, waitFor } from './helpers.js';

const RUNS = Number(process.env.AGENT_MODEL_RUNS ?? 30);
const OPS = 40;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Writer {
  name: string;
  path: string;
  fd: number;
  seq: number;
  /** The rest of a line whose beginning was written without its newline. */
  partialRest: string | undefined;
  partialLine?: string;
  /** Lines written to the file this writer has open now. */
  linesInFile: number;
}

async function runOnce(run: number): Promise<{ ops: string[] }> {
  const random = mulberry32(1000 + run);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const logs = tempDir(`model-${run}`);
  const data = tempDir(`model-data-${run}`);
  const indexer = await startIndexer();
  const logLines: string[] = [];
  const agent = await startTestAgent(testConfig({
    data_dir: data.dir,
    sources: [{ include: [join(logs.dir, '*.log')], fingerprint_bytes: 64, partial_line_timeout: '60s' }],
    sink: { url: indexer.url },
    tuning: { rotate_wait: '200ms' },
  }), logLines);
  const expected: string[] = [];
  const writers: Writer[] = [];
  const ops: string[] = [];
  let fileNo = 0;
  const line = (w: Writer): string => `r${run}-${w.name}-${w.seq++}-${'x'.repeat(Math.floor(random() * 120))}`;
  const newWriter = (): Writer => {
    const name = `w${fileNo++}`;
    const path = join(logs.dir, `${name}.log`);
    const w: Writer = { name, path, fd: openSync(path, 'a'), seq: 0, partialRest: undefined, linesInFile: 0 };
    writers.push(w);
    return w;
  };
  const completePartial = (w: Writer): void => {
    if (w.partialRest === undefined) return;
    writeSync(w.fd, `${w.partialRest}\n`);
    w.partialRest = undefined;
    w.linesInFile++;
  };
  const append = (w: Writer, n: number): void => {
    completePartial(w);
    const lines = Array.from({ length: n }, () => line(w));
    expected.push(...lines);
    writeSync(w.fd, `${lines.join('\n')}\n`);
    w.linesInFile += n;
  };
  // Lines whose writer has not completed them yet cannot have arrived.
  const unfinished = (): Set<string> => new Set(writers.flatMap((x) => (x.partialRest === undefined ? [] : [x.partialLine!])));
  const missingNow = async (): Promise<string[]> => {
    const have = counts(await storedBodies(indexer.store));
    const waiting = unfinished();
    return [...counts(expected)].filter(([text, n]) => !waiting.has(text) && (have.get(text) ?? 0) < n).map(([text]) => text);
  };
  const caughtUp = async (what: string): Promise<void> => {
    const t0 = Date.now();
    try {
      let told = false;
      await waitFor(what, async () => {
        const m = await missingNow();
        if (process.env.AGENT_MODEL_TIMING && !told && Date.now() - t0 > 300 && m.length > 0) {
          told = true;
          console.log(`SLOW ${what}: missing ${m.length}: ${m.slice(0, 3).join(' ')} after ops ${ops.slice(-4).join('; ')}`);
        }
        return m.length === 0;
      });
      if (process.env.AGENT_MODEL_TIMING) console.log(`${what}: ${Date.now() - t0} ms`);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nrun ${run} ops: ${ops.join('; ')}\nmissing: ${(await missingNow()).slice(0, 10).join('\n')}\nunexpected: ${(await storedBodies(indexer.store)).filter((b) => !expected.includes(b)).slice(0, 10).join('\n')}\nfiles: ${writers.map((x) => `${x.name}: ${JSON.stringify(readFileSync(x.path, 'utf8').slice(-300))}`).join('\n')}\nagent log:\n${logLines.filter((l) => !l.includes('"level":20')).slice(-40).join('')}`);
    }
  };
  try {
    newWriter();
    for (let op = 0; op < OPS; op++) {
      const w = pick(writers);
      const r = random();
      if (r < 0.45) {
        const n = 1 + Math.floor(random() * 20);
        const from = w.seq;
        append(w, n);
        ops.push(`append ${w.name} ${from}+${n}`);
      } else if (r < 0.55) {
        completePartial(w);
        const text = line(w);
        const cut = 1 + Math.floor(random() * (text.length - 1));
        writeSync(w.fd, text.slice(0, cut));
        w.partialRest = text.slice(cut);
        w.partialLine = text;
        expected.push(text);
        ops.push(`partial ${w.name} ${text.slice(0, 12)}|${cut}`);
      } else if (r < 0.7) {
        // logrotate's create mode: rename, and the writer reopens its path as a new file.
        completePartial(w);
        const inGlob = random() < 0.5;
        if (!inGlob) {
          // A file renamed out of the globs before the agent ever saw it cannot be followed: make sure
          // the agent has it open (as it has when files live longer than one scan interval).
          if (w.linesInFile === 0) append(w, 1);
          await caughtUp(`the agent to open ${w.name} before rotating it away`);
        }
        const to = inGlob ? join(logs.dir, `${w.name}-${op}.log`) : `${w.path}.${op}`;
        renameSync(w.path, to);
        const from = w.seq;
        if (random() < 0.5) append(w, 1 + Math.floor(random() * 5)); // late writes to the renamed file
        closeSync(w.fd);
        w.fd = openSync(w.path, 'a');
        w.linesInFile = 0;
        ops.push(`rotate ${w.name} ${inGlob ? 'in' : 'out of'} globs, late ${from}..${w.seq}`);
      } else if (r < 0.78 && writers.length < 4) {
        const created = newWriter();
        append(created, 1 + Math.floor(random() * 5));
        ops.push(`create ${created.name}`);
      } else if (r < 0.88) {
        completePartial(w);
        await caughtUp(`catch-up before copytruncate of ${w.name}`);
        const truncationsBefore = agent.metrics.truncations;
        // A copy the globs match is recognised by its first 64 bytes (fingerprint_bytes), so it must have them.
        const inGlob = random() < 0.5 && statSync(w.path).size >= 64;
        copyFileSync(w.path, inGlob ? join(logs.dir, `${w.name}-copy${op}.log`) : `${w.path}.copy${op}`);
        ftruncateSync(w.fd, 0);
        const hadData = w.linesInFile > 0;
        w.linesInFile = 0;
        if (hadData) await waitFor(`the agent to see ${w.name} truncated`, () => agent.metrics.truncations > truncationsBefore);
        ops.push(`copytruncate ${w.name} copy ${inGlob ? 'in' : 'out of'} globs`);
      } else if (writers.length > 1) {
        // Delete after the agent has the file open: lines written just before still arrive.
        completePartial(w);
        if (w.linesInFile === 0) append(w, 1);
        await caughtUp(`the agent to open ${w.name} before deleting it`);
        append(w, 1 + Math.floor(random() * 5));
        unlinkSync(w.path);
        closeSync(w.fd);
        writers.splice(writers.indexOf(w), 1);
        ops.push(`delete ${w.name}`);
      } else {
        append(w, 1);
        ops.push(`append ${w.name} 1`);
      }
    }
    for (const w of writers) completePartial(w);
    await caughtUp('every line of the run');
    // Give a doubled batch time to show up before comparing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stored = counts(await storedBodies(indexer.store));
    const want = counts(expected);
    const missing = [...want].filter(([t, n]) => (stored.get(t) ?? 0) < n).map(([t]) => t);
    const doubled = [...stored].filter(([t, n]) => n > (want.get(t) ?? 0)).map(([t, n]) => `${t} ×${n}`);
    if (missing.length > 0 || doubled.length > 0) {
      throw new Error(`run ${run}: ${missing.length} missing, ${doubled.length} doubled\nmissing: ${missing.slice(0, 5).join('\n')}\ndoubled: ${doubled.slice(0, 5).join('\n')}\nops: ${ops.join('; ')}\nagent log:\n${logLines.filter((l) => !l.includes('"level":20')).slice(-40).join('')}`);
    }
    expect(missing.length + doubled.length).toBe(0);
    return { ops };
  } finally {
    for (const w of writers) closeSync(w.fd);
    await agent.stop(500);
    await indexer.dispose();
    logs.remove();
    data.remove();
  }
}

describe('tailer model', () => {
  it(`delivers every line once across ${RUNS} random runs of ${OPS} operations`, async () => {
    const first = Number(process.env.AGENT_MODEL_FIRST ?? 0);
    for (let run = first; run < first + RUNS; run++) await runOnce(run);
  }, 600_000);
});
