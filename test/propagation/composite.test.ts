// The composite propagator: format priority, request-ID stitching, configured formats and a full hop.
import { describe, expect, it } from 'vitest';
import { hashLegacyId } from '../../src/model/ids.js';
import { LogstitchError } from '../../src/model/errors.js';
import { createPropagator, defaultPropagator, type Format } from '../../src/propagation/composite.js';
import * as propagation from '../../src/propagation/index.js';
import type { Getter } from '../../src/propagation/types.js';
import { OTHER_SPAN_ID, OTHER_TRACE_ID, outbound, SPAN_ID, TRACE_ID, traceparent } from './builders.js';

const B3_VALUE = `${OTHER_TRACE_ID}-${OTHER_SPAN_ID}-1`;
const UBER_VALUE = `abc:${OTHER_SPAN_ID}:0:1`;

describe('composite extract: priority', () => {
  it('lets traceparent win over b3 and X-Request-ID', () => {
    const context = defaultPropagator.extract({ traceparent: traceparent(), b3: B3_VALUE, 'X-Request-ID': 'abc-123' });
    expect(context).toEqual({
      traceId: TRACE_ID,
      parentSpanId: SPAN_ID,
      traceFlags: 1,
      format: 'w3c',
      requestId: { header: 'x-request-id', value: 'abc-123' },
      alias: 'abc-123',
    });
  });

  it.each<[string, Record<string, string>, Format, string]>([
    ['b3 single over jaeger', { b3: B3_VALUE, 'uber-trace-id': UBER_VALUE }, 'b3', OTHER_TRACE_ID],
    ['b3 multi over jaeger', { 'x-b3-traceid': OTHER_TRACE_ID, 'x-b3-spanid': OTHER_SPAN_ID, 'uber-trace-id': UBER_VALUE }, 'b3multi', OTHER_TRACE_ID],
    ['jaeger over a request ID', { 'uber-trace-id': UBER_VALUE, 'x-request-id': 'r-1' }, 'jaeger', `${'0'.repeat(29)}abc`],
    ['b3 when traceparent is invalid', { traceparent: traceparent({ version: 'ff' }), b3: B3_VALUE }, 'b3', OTHER_TRACE_ID],
    ['a request ID when nothing else is valid', { traceparent: 'junk', b3: '1', 'x-request-id': 'r-1' }, 'request-id', hashLegacyId('r-1')],
  ])('picks %s', (_name, carrier, format, traceId) => {
    expect(defaultPropagator.extract(carrier)).toMatchObject({ format, traceId });
  });

  it('returns undefined when nothing usable arrived', () => {
    expect(defaultPropagator.extract({})).toBeUndefined();
    expect(defaultPropagator.extract({ traceparent: 'junk', 'x-request-id': 'has space' })).toBeUndefined();
  });

  it('honours a configured order', () => {
    const propagator = createPropagator({ extract: ['jaeger', 'w3c'] });
    expect(propagator.extract({ traceparent: traceparent(), 'uber-trace-id': UBER_VALUE, b3: B3_VALUE })?.format).toBe('jaeger');
    expect(propagator.extract({ b3: B3_VALUE })).toBeUndefined();
  });

  it('never throws, even when the getter does', () => {
    const throwing: Getter<unknown> = {
      get() {
        throw new Error('boom');
      },
    };
    expect(defaultPropagator.extract({ traceparent: traceparent() }, throwing)).toBeUndefined();
    expect(defaultPropagator.extract(undefined)).toBeUndefined();
  });
});

describe('composite extract: stitching a legacy request ID onto the trace', () => {
  it('attaches the request ID with no alias when it names the same trace', () => {
    const context = defaultPropagator.extract({ traceparent: traceparent(), 'x-request-id': TRACE_ID.toUpperCase() });
    expect(context?.requestId).toEqual({ header: 'x-request-id', value: TRACE_ID.toUpperCase() });
    expect(context).not.toHaveProperty('alias');
  });

  it('gives a UUID of another trace as the alias, unchanged', () => {
    const uuid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const context = defaultPropagator.extract({ b3: B3_VALUE, 'x-correlation-id': uuid });
    expect(context).toMatchObject({ format: 'b3', traceId: OTHER_TRACE_ID, alias: uuid });
  });

  it('does not stitch when request-id is not an extract format', () => {
    const context = createPropagator({ extract: ['w3c'] }).extract({ traceparent: traceparent(), 'x-request-id': 'abc-123' });
    expect(context).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, traceFlags: 1, format: 'w3c' });
  });

  it('reads configured request-ID headers case-insensitively, from fetch Headers too', () => {
    const propagator = createPropagator({ requestIdHeaders: ['X-Amzn-RequestId'] });
    const headers = new Headers({ TraceParent: traceparent(), 'x-amzn-requestid': 'req-9' });
    expect(propagator.extract(headers)).toMatchObject({ format: 'w3c', alias: 'req-9', requestId: { header: 'x-amzn-requestid', value: 'req-9' } });
    expect(propagator.extract({ 'X-AMZN-REQUESTID': 'req-9' })).toMatchObject({ format: 'request-id', traceId: hashLegacyId('req-9') });
  });
});

describe('composite inject', () => {
  it('writes traceparent and tracestate by default, and nothing else without a request ID', () => {
    const carrier: Record<string, string> = {};
    defaultPropagator.inject(outbound({ traceState: 'rojo=1' }), carrier);
    expect(carrier).toEqual({ traceparent: traceparent(), tracestate: 'rojo=1' });
  });

  it('forwards an inbound request ID', () => {
    const carrier: Record<string, string> = {};
    defaultPropagator.inject(outbound({ requestId: { header: 'x-request-id', value: 'abc-123' } }), carrier);
    expect(carrier).toEqual({ traceparent: traceparent(), 'x-request-id': 'abc-123' });
  });

  it('writes the trace ID into alwaysInjectRequestId', () => {
    const carrier: Record<string, string> = {};
    createPropagator({ alwaysInjectRequestId: 'X-Request-ID' }).inject(outbound(), carrier);
    expect(carrier['x-request-id']).toBe(TRACE_ID);
  });

  it('writes every configured format', () => {
    const carrier: Record<string, string> = {};
    createPropagator({ inject: ['b3', 'b3multi', 'jaeger'] }).inject(outbound({ traceFlags: 0 }), carrier);
    expect(carrier).toEqual({
      b3: `${TRACE_ID}-${SPAN_ID}-0`,
      'x-b3-traceid': TRACE_ID,
      'x-b3-spanid': SPAN_ID,
      'x-b3-sampled': '0',
      'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:0`,
    });
  });

  it('lists the union of the fields it reads and writes', () => {
    const fields = createPropagator({ extract: ['w3c', 'request-id'], inject: ['jaeger'], alwaysInjectRequestId: 'x-req' }).fields();
    expect([...fields].sort()).toEqual(['traceparent', 'tracestate', 'uber-trace-id', 'x-correlation-id', 'x-req', 'x-request-id', 'x-trace-id']);
  });

  it('refuses unknown formats with a clear error', () => {
    expect(() => createPropagator({ extract: ['w3c', 'xray' as Format] })).toThrow(LogstitchError);
    expect(() => createPropagator({ inject: ['zipkin' as Format] })).toThrow(/unknown propagation format "zipkin" in inject/);
  });
});

describe('a request crossing two services', () => {
  it('keeps one trace ID and the legacy alias from the front door to the last hop', () => {
    // The front door (nginx) passes only X-Request-ID; service A extracts, starts a span, calls B.
    const atA = defaultPropagator.extract({ 'x-request-id': 'abc-123' });
    expect(atA).toMatchObject({ format: 'request-id', alias: 'abc-123' });
    const toB: Record<string, string> = {};
    defaultPropagator.inject(outbound({ traceId: atA!.traceId, spanId: OTHER_SPAN_ID, requestId: atA!.requestId }), toB);

    const atB = defaultPropagator.extract(toB);
    expect(atB).toEqual({
      traceId: atA!.traceId,
      parentSpanId: OTHER_SPAN_ID,
      traceFlags: 1,
      format: 'w3c',
      requestId: { header: 'x-request-id', value: 'abc-123' },
      alias: 'abc-123',
    });
  });

  it('is all reachable from the propagation index', () => {
    for (const name of ['w3c', 'b3', 'b3Single', 'b3Multi', 'jaeger', 'requestIdPropagator', 'createPropagator', 'defaultPropagator', 'parseTraceparent', 'parseTracestate', 'headerGetter']) {
      expect(propagation).toHaveProperty(name);
    }
  });
});
