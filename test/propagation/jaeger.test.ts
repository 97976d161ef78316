// Jaeger: uber-trace-id parsing, padding, URL-encoded separators, flags and round trips.
import { describe, expect, it } from 'vitest';
import { jaeger, parseUberTraceId } from '../../src/propagation/jaeger.js';
import { OTHER_SPAN_ID, outbound, SPAN_ID, TRACE_ID } from './builders.js';

/** `{trace}:{span}:{parent}:{flags}`, with a chosen separator so URL-encoding can be exercised. */
function uberTraceId(parts: { traceId?: string; spanId?: string; parent?: string; flags?: string; sep?: string } = {}): string {
  const { traceId = TRACE_ID, spanId = SPAN_ID, parent = '0', flags = '1', sep = ':' } = parts;
  return [traceId, spanId, parent, flags].join(sep);
}

describe('Jaeger uber-trace-id', () => {
  it('reads a sampled context', () => {
    expect(jaeger.extract({ 'uber-trace-id': uberTraceId() })).toEqual({
      traceId: TRACE_ID,
      parentSpanId: SPAN_ID,
      traceFlags: 1,
      format: 'jaeger',
    });
  });

  it('reads URL-encoded separators, in either case', () => {
    expect(parseUberTraceId(uberTraceId({ sep: '%3A' }))?.traceId).toBe(TRACE_ID);
    expect(parseUberTraceId(uberTraceId({ sep: '%3a', parent: OTHER_SPAN_ID }))?.parentSpanId).toBe(SPAN_ID);
  });

  it('left-pads short trace and span IDs', () => {
    const context = parseUberTraceId(uberTraceId({ traceId: 'abc', spanId: '1f' }));
    expect(context?.traceId).toBe(`${'0'.repeat(29)}abc`);
    expect(context?.parentSpanId).toBe(`${'0'.repeat(14)}1f`);
  });

  it('lowercases IDs written in uppercase hex', () => {
    expect(parseUberTraceId(uberTraceId({ traceId: TRACE_ID.toUpperCase() }))?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['2', 1],
    ['3', 1],
    ['03', 1],
    ['8', 0],
    ['0a', 1],
  ])('reads flags %s as traceFlags %i (debug implies sampled)', (flags, expected) => {
    expect(parseUberTraceId(uberTraceId({ flags }))?.traceFlags).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['three fields', `${TRACE_ID}:${SPAN_ID}:1`],
    ['five fields', `${uberTraceId()}:1`],
    ['zero trace id', uberTraceId({ traceId: '0' })],
    ['zero span id', uberTraceId({ spanId: '0000' })],
    ['33-hex trace id', uberTraceId({ traceId: `${TRACE_ID}a` })],
    ['17-hex span id', uberTraceId({ spanId: `${SPAN_ID}a` })],
    ['non-hex trace id', uberTraceId({ traceId: 'xyz' })],
    ['empty parent', uberTraceId({ parent: '' })],
    ['non-numeric flags', uberTraceId({ flags: 'zz' })],
    ['three-digit flags', uberTraceId({ flags: '100' })],
    ['dashes instead of colons', uberTraceId({ sep: '-' })],
    ['bad percent-encoding', `${TRACE_ID}%3${SPAN_ID}%3A0%3A1`],
    ['10 KB value', `${'a'.repeat(10 * 1024)}:1:0:1`],
    ['control character', `${uberTraceId()}\u0000`],
  ])('rejects %s', (_name, value) => {
    expect(jaeger.extract({ 'uber-trace-id': value })).toBeUndefined();
  });

  it('round-trips, writing the deprecated parent field as 0', () => {
    const carrier: Record<string, string> = {};
    jaeger.inject(outbound({ traceFlags: 1, parentSpanId: OTHER_SPAN_ID }), carrier);
    expect(carrier).toEqual({ 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1` });
    expect(jaeger.extract(carrier)).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 1, format: 'jaeger' });
    jaeger.inject(outbound({ traceFlags: 0 }), carrier);
    expect(jaeger.extract(carrier)?.traceFlags).toBe(0);
  });

  it('reads the header case-insensitively from a plain object', () => {
    expect(jaeger.extract({ 'Uber-Trace-Id': uberTraceId() })?.traceId).toBe(TRACE_ID);
  });
});
