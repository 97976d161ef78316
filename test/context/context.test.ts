// The active context: where it is visible, how spans nest, and what a span reports when it ends.
import { describe, expect, it } from 'vitest';
import { ActiveContext, decideTraceFlags, getActiveContext, runUntraced, sampledByRatio, startSpan, withContext, type SpanLineWriter } from '../../src/context/index.js';
import { newTraceId, type SpanEndLine } from '../../src/model/index.js';

function recorder() {
  const lines: Array<{ line: SpanEndLine; level: string; message: string; activeSpan: string | undefined }> = [];
  const writer: SpanLineWriter = { writeSpanEnd: (line, level, message) => lines.push({ line, level, message, activeSpan: getActiveContext()?.spanId }) };
  return { lines, writer };
}

const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

describe('context', () => {
  it('is undefined outside any trace and visible through timers and promises inside one', async () => {
    expect(getActiveContext()).toBeUndefined();
    const seen = await withContext(ctx, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const later = await new Promise<string | undefined>((resolve) => setImmediate(() => resolve(getActiveContext()?.traceId)));
      return later;
    });
    expect(seen).toBe(ctx.traceId);
    expect(getActiveContext()).toBeUndefined();
  });

  it('is absent inside runUntraced, and in what runUntraced schedules', async () => {
    const seen = await withContext(ctx, () => runUntraced(() => new Promise((resolve) => setTimeout(() => resolve(getActiveContext()), 1))));
    expect(seen).toBeUndefined();
  });

  it('rejects contexts with invalid IDs, naming the field', () => {
    expect(() => withContext({ ...ctx, traceId: 'ABC' }, () => 1)).toThrow(/traceId must be 32 lowercase hex/);
    expect(() => withContext({ ...ctx, spanId: '0000000000000000' }, () => 1)).toThrow(/spanId/);
  });

  it('nests spans: children share the trace and record their parent', () => {
    const { lines, writer } = recorder();
    const result = withContext(new ActiveContext({ ...ctx, writer, service: 'svc' }), () =>
      startSpan('outer', (outer) => startSpan('inner', (inner) => [outer.context, inner.context, getActiveContext()])),
    );
    const [outer, inner, active] = result;
    expect(outer!.traceId).toBe(ctx.traceId);
    expect(outer!.parentSpanId).toBe(ctx.spanId);
    expect(inner!.parentSpanId).toBe(outer!.spanId);
    expect(active).toBe(inner);
    expect(lines.map((l) => l.line.span_end.name)).toEqual(['inner', 'outer']);
    expect(lines[0]!.line).toMatchObject({ trace_id: ctx.traceId, span_id: inner!.spanId, service: 'svc', trace_flags: '01', span_end: { kind: 'internal', status: 'unset', parent_span_id: outer!.spanId } });
    // The span-end line is written with its own span active, so a logger mixin stamps the same IDs.
    expect(lines[0]!.activeSpan).toBe(inner!.spanId);
  });

  it('starts a root trace when nothing is active', () => {
    const { lines, writer } = recorder();
    const id = startSpan('job', { writer }, (span) => span.context.traceId);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]!.line.span_end.parent_span_id).toBeUndefined();
  });

  it('ends async spans when their promise settles, marking rejections as errors and passing them on', async () => {
    const { lines, writer } = recorder();
    await expect(
      startSpan('fails', { writer }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('db timeout');
      }),
    ).rejects.toThrow('db timeout');
    expect(lines[0]!.line.span_end).toMatchObject({ status: 'error', error: 'Error: db timeout' });
    expect(lines[0]!.line.span_end.duration_us).toBeGreaterThanOrEqual(15_000);
    expect(lines[0]!.level).toBe('error');
    expect(() => startSpan('throws', { writer }, () => { throw new TypeError('bad'); })).toThrow('bad');
    expect(lines[1]!.line.span_end.status).toBe('error');
  });

  it('never lets a broken writer break the traced code', () => {
    const writer: SpanLineWriter = { writeSpanEnd: () => { throw new Error('disk full'); } };
    expect(startSpan('x', { writer }, () => 42)).toBe(42);
  });
});

describe('sampling', () => {
  it("keeps the parent's decision and decides new traces by the trace ID's low bits", () => {
    expect(decideTraceFlags('ffffffffffffffffffffffffffffffff', 1, 0)).toBe(1);
    expect(decideTraceFlags('00000000000000000000000000000001', 0, 1)).toBe(0);
    expect(sampledByRatio('ffffffffffffffff0000000000000000', 0.01)).toBe(true);
    expect(sampledByRatio('0000000000000000ffffffffffffffff', 0.99)).toBe(false);
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if (sampledByRatio(newTraceId(), 0.25)) kept++;
    expect(kept / 10_000).toBeGreaterThan(0.2);
    expect(kept / 10_000).toBeLessThan(0.3);
  });
});
