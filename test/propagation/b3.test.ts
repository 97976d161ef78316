// B3: the single header, the X-B3-* headers, 64-bit trace ID padding, sampling states and round trips.
import { describe, expect, it } from 'vitest';
import { b3, b3Multi, b3Single, parseB3Single } from '../../src/propagation/b3.js';
import { OTHER_SPAN_ID, outbound, SPAN_ID, TRACE_ID } from './builders.js';

const TRACE_64 = 'a3ce929d0e0e4736';

/** `{trace}-{span}[-{sampling}[-{parent}]]` from parts. */
function b3Header(parts: { traceId?: string; spanId?: string; sampling?: string; parent?: string } = {}): string {
  const { traceId = TRACE_ID, spanId = SPAN_ID, sampling, parent } = parts;
  return [traceId, spanId, sampling, parent].filter((part) => part !== undefined).join('-');
}

describe('B3 single header', () => {
  it.each([
    ['sampled', '1', 1],
    ['not sampled', '0', 0],
    ['debug, which implies sampled', 'd', 1],
  ])('reads a %s context', (_name, sampling, flags) => {
    expect(b3Single.extract({ b3: b3Header({ sampling }) })).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: flags, format: 'b3' });
  });

  it('leaves traceFlags undefined when no sampling state is sent', () => {
    const context = b3Single.extract({ b3: b3Header() });
    expect(context).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, format: 'b3' });
    expect(context).not.toHaveProperty('traceFlags');
  });

  it('reads the parent span ID form, keeping the sender span as our parent', () => {
    expect(b3Single.extract({ b3: b3Header({ sampling: '1', parent: OTHER_SPAN_ID }) })?.parentSpanId).toBe(SPAN_ID);
  });

  it('left-pads a 64-bit trace ID to 128 bits', () => {
    expect(parseB3Single(b3Header({ traceId: TRACE_64, sampling: '1' }))?.traceId).toBe(`0000000000000000${TRACE_64}`);
  });

  it.each(['0', '1', 'd'])('yields no context for the sampling-only form %s', (value) => {
    expect(b3Single.extract({ b3: value })).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['uppercase trace id', b3Header({ traceId: TRACE_ID.toUpperCase() })],
    ['24-hex trace id', b3Header({ traceId: TRACE_ID.slice(8) })],
    ['15-hex span id', b3Header({ spanId: SPAN_ID.slice(1) })],
    ['all-zero trace id', b3Header({ traceId: '0'.repeat(32) })],
    ['all-zero 64-bit trace id', b3Header({ traceId: '0'.repeat(16) })],
    ['all-zero span id', b3Header({ spanId: '0'.repeat(16) })],
    ['unknown sampling state', b3Header({ sampling: 'true' })],
    ['bad parent span id', b3Header({ sampling: '1', parent: 'xyz' })],
    ['too many fields', `${b3Header({ sampling: '1', parent: OTHER_SPAN_ID })}-1`],
    ['trace id only', TRACE_ID],
    ['10 KB value', 'a'.repeat(10 * 1024)],
    ['control character', `${b3Header()}\u0000`],
  ])('rejects %s', (_name, value) => {
    expect(b3Single.extract({ b3: value })).toBeUndefined();
  });
});

describe('B3 multi header', () => {
  const headers = (extra: Record<string, string> = {}) => ({ 'X-B3-TraceId': TRACE_ID, 'X-B3-SpanId': SPAN_ID, ...extra });

  it.each([
    ['1', 1],
    ['0', 0],
    ['true', 1],
    ['false', 0],
  ])('reads X-B3-Sampled: %s from mixed-case header names', (sampled, flags) => {
    expect(b3Multi.extract(headers({ 'X-B3-Sampled': sampled }))).toEqual({
      traceId: TRACE_ID,
      parentSpanId: SPAN_ID,
      traceFlags: flags,
      format: 'b3multi',
    });
  });

  it('treats X-B3-Flags: 1 as debug, which implies sampled', () => {
    expect(b3Multi.extract(headers({ 'X-B3-Flags': '1' }))?.traceFlags).toBe(1);
    expect(b3Multi.extract(headers({ 'X-B3-Flags': '1', 'X-B3-Sampled': '0' }))?.traceFlags).toBe(1);
  });

  it('has no sampling decision when none is sent', () => {
    expect(b3Multi.extract(headers())).not.toHaveProperty('traceFlags');
  });

  it('pads 64-bit trace IDs', () => {
    expect(b3Multi.extract({ 'x-b3-traceid': TRACE_64, 'x-b3-spanid': SPAN_ID })?.traceId).toBe(`0000000000000000${TRACE_64}`);
  });

  it.each([
    ['no span id', { 'x-b3-traceid': TRACE_ID }],
    ['no trace id', { 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' }],
    ['sampled only', { 'x-b3-sampled': '1' }],
    ['all-zero trace id', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': SPAN_ID }],
    ['bad parent', { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-parentspanid': 'nope' }],
  ])('rejects %s', (_name, carrier) => {
    expect(b3Multi.extract(carrier)).toBeUndefined();
  });
});

describe('b3 (either form)', () => {
  it('prefers the single header, then falls back to the multi headers', () => {
    const both = { b3: b3Header({ traceId: TRACE_64, sampling: '0' }), 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID };
    expect(b3.extract(both)?.format).toBe('b3');
    expect(b3.extract({ ...both, b3: 'garbage' })).toMatchObject({ traceId: TRACE_ID, format: 'b3multi' });
  });

  it('round-trips through the single header', () => {
    const carrier: Record<string, string> = {};
    b3.inject(outbound({ traceFlags: 1, parentSpanId: OTHER_SPAN_ID }), carrier);
    expect(carrier).toEqual({ b3: `${TRACE_ID}-${SPAN_ID}-1-${OTHER_SPAN_ID}` });
    expect(b3.extract(carrier)).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 1, format: 'b3' });
  });

  it('round-trips through the multi headers in a fetch Headers object', () => {
    const carrier = new Headers();
    b3Multi.inject(outbound({ traceFlags: 0 }), carrier);
    expect(carrier.get('X-B3-Sampled')).toBe('0');
    expect(carrier.has('x-b3-parentspanid')).toBe(false);
    expect(b3.extract(carrier)).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 0, format: 'b3multi' });
  });

  it('lists the headers it reads and writes', () => {
    expect(b3Single.fields()).toEqual(['b3']);
    expect(b3.fields()).toEqual(expect.arrayContaining(['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags']));
  });

  it('injects nothing for invalid IDs', () => {
    const carrier: Record<string, string> = {};
    b3.inject(outbound({ spanId: '0'.repeat(16) }), carrier);
    b3Multi.inject(outbound({ traceId: 'short' }), carrier);
    expect(carrier).toEqual({});
  });
});
