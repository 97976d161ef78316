// The console patch: each printed line gains the trace ID, and nothing else about it changes.
import { Console } from 'node:console';
import { afterEach, describe, expect, it } from 'vitest';
import { patchConsole } from '../../adapters/console/index.js';
import { withContext } from '../../src/context/index.js';
import { LineSink } from '../../samples/chain/lines.js';

const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const restores: Array<() => void> = [];
afterEach(() => restores.splice(0).forEach((r) => r()));

function patched(options: Omit<Parameters<typeof patchConsole>[0] & object, 'console'> = {}) {
  const out = new LineSink();
  const err = new LineSink();
  const c = new Console({ stdout: out, stderr: err });
  restores.push(patchConsole({ console: c, ...options }));
  return { c, out: out.lines, err: err.lines };
}

const stamp = ` trace_id=${ctx.traceId} span_id=${ctx.spanId}`;

describe('patchConsole', () => {
  it('appends the trace ID inside a trace and keeps printf formatting', () => {
    const { c, out, err } = patched();
    withContext(ctx, () => {
      c.log('%s reserved %d items', 'inventory', 3);
      c.error('failed:', { code: 'E1' });
    });
    expect(out).toEqual([`inventory reserved 3 items${stamp}`]);
    expect(err).toEqual([`failed: { code: 'E1' }${stamp}`]);
  });

  it('prints exactly what it printed before outside a trace', () => {
    const { c, out } = patched();
    c.log('plain', 42, { a: [1, 2] });
    expect(out).toEqual(["plain 42 { a: [ 1, 2 ] }"]);
  });

  it('stamps the first line of a multi-line message, where the agent joins a stack trace', () => {
    const { c, out } = patched();
    withContext(ctx, () => c.log('Error: boom\n    at handler (app.js:1:1)'));
    expect(out).toEqual([`Error: boom${stamp}`, '    at handler (app.js:1:1)']);
  });

  it('leaves a line that already names the trace ID alone', () => {
    const { c, out } = patched();
    const json = JSON.stringify({ msg: 'x', trace_id: ctx.traceId });
    withContext(ctx, () => c.log(json));
    expect(out).toEqual([json]);
  });

  it('redacts card numbers and password pairs by default', () => {
    const { c, out } = patched();
    c.log('login password=hunter2 card 4111-1111-1111-1111');
    expect(out[0]).not.toMatch(/hunter2|4111-1111-1111-1111/);
    expect(out[0]).toMatch(/^login password=/);
  });

  it('restores the original methods', () => {
    const out = new LineSink();
    const c = new Console({ stdout: out });
    const original = c.log;
    const restore = patchConsole({ console: c });
    expect(c.log).not.toBe(original);
    restore();
    expect(c.log).toBe(original);
  });
});
