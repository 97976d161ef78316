// Joining the lines of one event: Java, Python and Node stack traces, start patterns, caps.
import { describe, expect, it } from 'vitest';
import { createLineParser, markCut, MULTILINE_CUT_ATTRIBUTE, MultilineJoiner, type JoinedRecord } from '../../src/parse/index.js';
import { OBSERVED } from './samples.js';

function join(lines: string[], joiner = new MultilineJoiner()): string[] {
  const out: string[] = [];
  for (const line of lines) out.push(...joiner.push(line));
  out.push(...joiner.flush());
  return out;
}

function joinRecords(lines: string[], joiner: MultilineJoiner): JoinedRecord[] {
  const out: JoinedRecord[] = [];
  for (const line of lines) out.push(...joiner.pushJoined(line));
  out.push(...joiner.flushJoined());
  return out;
}

describe('auto mode', () => {
  it('joins Node "    at" frames to the error line above them, and not that line to the one before', () => {
    const lines = ['listening on :3000', 'TypeError: Cannot read properties of undefined (reading \'id\')', '    at handler (/srv/app/routes/cart.js:41:22)', '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)', 'next request'];
    expect(join(lines)).toEqual([lines[0], lines.slice(1, 4).join('\n'), lines[4]]);
  });

  it('joins a Java exception header only when a frame follows it', () => {
    const withFrame = ['2024 ERROR failed', 'com.acme.CartException: empty cart', '\tat com.acme.Cart.checkout(Cart.java:10)', '2024 INFO next'];
    expect(join(withFrame)).toEqual([withFrame.slice(0, 3).join('\n'), withFrame[3]]);
    const alone = ['2024 INFO config loaded', 'com.acme.Settings: 12 keys', '2024 INFO next'];
    expect(join(alone)).toEqual(alone);
  });

  it('makes a bare Python traceback one record, and ends it at its exception line', () => {
    const lines = ['Traceback (most recent call last):', '  File "x.py", line 3, in <module>', '    main()', 'KeyError: \'sku\'', 'worker restarted'];
    expect(join(lines)).toEqual([lines.slice(0, 4).join('\n'), lines[4]]);
  });

  it('keeps a blank line after a traceback that no chained exception follows as a record of its own', () => {
    const lines = ['oops', 'Traceback (most recent call last):', '  File "x.py", line 3', 'ValueError: x', '', 'next'];
    expect(join(lines)).toEqual([lines.slice(0, 4).join('\n'), '', 'next']);
  });

  it('never joins a JSON line to a record', () => {
    const lines = ['Traceback (most recent call last):', '  File "x.py", line 3', '{"msg":"json"}', '    at frame'];
    expect(join(lines)).toEqual([lines.slice(0, 2).join('\n'), `${lines[2]}\n${lines[3]}`]);
  });

  it('holds the last record until flush, and says so', () => {
    const joiner = new MultilineJoiner();
    expect(joiner.push('first')).toEqual([]);
    expect(joiner.pending).toBe(true);
    expect(joiner.push('\tat frame')).toEqual([]);
    expect(joiner.push('second')).toEqual(['first\n\tat frame']);
    expect(joiner.flush()).toEqual(['second']);
    expect(joiner.pending).toBe(false);
    expect(joiner.flush()).toEqual([]);
  });
});

describe('startPattern and mode none', () => {
  it('makes every line that does not match the start pattern a continuation', () => {
    const joiner = new MultilineJoiner({ startPattern: '^\\d{4}-\\d{2}-\\d{2} ' });
    const lines = ['orphan before any start', '2024-03-12 first', 'SELECT *', '  FROM t', '2024-03-12 second'];
    expect(join(lines, joiner)).toEqual([lines[0], lines.slice(1, 4).join('\n'), lines[4]]);
  });

  it('passes every line through in mode none', () => {
    const joiner = new MultilineJoiner({ mode: 'none' });
    expect(joiner.push('\tat x')).toEqual(['\tat x']);
    expect(joiner.pending).toBe(false);
  });
});

describe('caps', () => {
  it('cuts a group at maxLines, flags both parts, and loses no line', () => {
    const lines = ['boom', ...Array.from({ length: 7 }, (_, i) => `\tat f${i}(F.java:${i})`), 'after'];
    const records = joinRecords(lines, new MultilineJoiner({ maxLines: 3 }));
    expect(records.map((r) => r.lines)).toEqual([3, 3, 2, 1]);
    expect(records.map((r) => r.cut)).toEqual(['maxLines', 'maxLines', undefined, undefined]);
    expect(records.map((r) => r.continued)).toEqual([undefined, true, true, undefined]);
    expect(records.map((r) => r.text).join('\n')).toBe(lines.join('\n'));
  });

  it('cuts before the line that would pass maxBytes', () => {
    const frame = `\tat ${'x'.repeat(40)}`;
    const records = joinRecords(['boom', frame, frame, frame], new MultilineJoiner({ maxBytes: 100 }));
    // 'boom' + 2 frames is 94 characters with the newlines; a third frame would make it 139.
    expect(records.map((r) => [r.lines, r.cut])).toEqual([[3, 'maxBytes'], [1, undefined]]);
  });

  it('has markCut tell the user which record was cut', () => {
    const parse = createLineParser();
    const [first] = joinRecords(['boom', '\tat a', '\tat b'], new MultilineJoiner({ maxLines: 2 }));
    const parsed = parse(first!.text, OBSERVED);
    markCut(parsed.log, first!);
    expect(parsed.log.attributes?.[MULTILINE_CUT_ATTRIBUTE]).toBe('maxLines');
  });

  it('cuts at 500 lines by default', () => {
    const lines = ['boom', ...Array.from({ length: 600 }, (_, i) => `\tat f${i}`)];
    expect(joinRecords(lines, new MultilineJoiner()).map((r) => r.lines)).toEqual([500, 101]);
  });
});

describe('every line in exactly one record', () => {
  it('holds for random mixes of log lines, frames, tracebacks, blanks and JSON, under caps', () => {
    const kinds = ['2024-03-12 INFO x', '\tat a.B.c(B.java:1)', '\t... 3 more', 'Caused by: x.Y: z', 'com.acme.Err: e', 'Traceback (most recent call last):',
      '  File "a.py", line 1', 'ValueError: v', '', 'During handling of the above exception, another exception occurred:', '{"msg":"j"}', '    at f (a.js:1:1)', 'plain'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let run = 0; run < 200; run++) {
      const joiner = new MultilineJoiner(run % 3 === 0 ? { maxLines: 4 } : run % 3 === 1 ? { maxBytes: 60 } : {});
      const lines = Array.from({ length: 1 + rand(40) }, (_, i) => `${kinds[rand(kinds.length)]}${rand(4) === 0 ? ` #${i}` : ''}`);
      const records = joinRecords(lines, joiner);
      expect(records.reduce((n, r) => n + r.lines, 0)).toBe(lines.length);
      expect(records.flatMap((r) => r.text.split('\n'))).toEqual(lines);
      expect(joiner.pending).toBe(false);
    }
  });
});
