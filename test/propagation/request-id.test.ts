// Request-ID headers: legacy IDs become trace IDs (hashed with an alias, or 1:1 for UUIDs) and are forwarded unchanged.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LogstitchError } from '../../src/model/errors.js';
import { DEFAULT_REQUEST_ID_HEADERS, requestIdPropagator } from '../../src/propagation/request-id.js';
import { outbound, TRACE_ID } from './builders.js';

const UUID = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
const sha256Prefix = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 32);

describe('request-id extract', () => {
  const propagator = requestIdPropagator();

  it('hashes an opaque ID into a trace ID and keeps the original as an alias', () => {
    expect(propagator.extract({ 'X-Trace-ID': 'abc-123' })).toEqual({
      traceId: sha256Prefix('abc-123'),
      alias: 'abc-123',
      requestId: { header: 'x-trace-id', value: 'abc-123' },
      format: 'request-id',
    });
  });

  it('maps a UUID 1:1 onto a lowercase dashless trace ID, with no alias', () => {
    const context = propagator.extract({ 'x-request-id': UUID });
    expect(context).toEqual({
      traceId: '3f2504e04f8911d39a0c0305e82c3301',
      requestId: { header: 'x-request-id', value: UUID },
      format: 'request-id',
    });
    expect(context).not.toHaveProperty('alias');
  });

  it('carries neither a parent span nor a sampling decision', () => {
    const context = propagator.extract({ 'x-correlation-id': 'JIRA-42' });
    expect(context).not.toHaveProperty('parentSpanId');
    expect(context).not.toHaveProperty('traceFlags');
  });

  it('prefers x-trace-id, then x-request-id, then x-correlation-id', () => {
    const all = { 'x-correlation-id': 'c', 'x-request-id': 'r', 'x-trace-id': 't' };
    expect(propagator.extract(all)?.requestId?.header).toBe('x-trace-id');
    expect(propagator.extract({ ...all, 'x-trace-id': undefined })?.requestId?.header).toBe('x-request-id');
    expect(DEFAULT_REQUEST_ID_HEADERS).toEqual(['x-trace-id', 'x-request-id', 'x-correlation-id']);
  });

  it.each([
    ['too long', 'x'.repeat(257)],
    ['10 KB', 'y'.repeat(10 * 1024)],
    ['a space inside', 'abc 123'],
    ['a control character', 'abc\u0001'],
    ['empty', '   '],
  ])('skips a value that is %s and tries the next header', (_name, value) => {
    expect(propagator.extract({ 'x-trace-id': value, 'x-request-id': 'next-one' })).toMatchObject({
      requestId: { header: 'x-request-id', value: 'next-one' },
    });
    expect(propagator.extract({ 'x-trace-id': value })).toBeUndefined();
  });

  it('trims the value it forwards', () => {
    expect(propagator.extract({ 'x-request-id': '  abc-123 ' })?.requestId?.value).toBe('abc-123');
  });

  it('reads from a fetch Headers object and from node-style arrays', () => {
    expect(propagator.extract(new Headers({ 'X-Request-Id': 'abc-123' }))?.alias).toBe('abc-123');
    expect(propagator.extract({ 'x-request-id': ['first', 'second'] })?.requestId?.value).toBe('first');
  });

  it('uses configured headers, matched case-insensitively', () => {
    const custom = requestIdPropagator({ headers: ['X-Amzn-Trace-Id', 'Request-Id'] });
    expect(custom.fields()).toEqual(['x-amzn-trace-id', 'request-id']);
    expect(custom.extract({ 'REQUEST-ID': 'r-1' })?.requestId).toEqual({ header: 'request-id', value: 'r-1' });
    expect(custom.extract({ 'x-request-id': 'ignored' })).toBeUndefined();
  });

  it('refuses a configured header that is not a header name', () => {
    expect(() => requestIdPropagator({ headers: ['x request id'] })).toThrow(LogstitchError);
    expect(() => requestIdPropagator({ alwaysInject: '' })).toThrow(/not a valid HTTP header name/);
  });
});

describe('request-id inject', () => {
  it('forwards the header that came in, with its original value', () => {
    const carrier: Record<string, string> = {};
    requestIdPropagator().inject(outbound({ requestId: { header: 'x-correlation-id', value: 'Abc-123' } }), carrier);
    expect(carrier).toEqual({ 'x-correlation-id': 'Abc-123' });
  });

  it('writes nothing when no request ID came in and none is configured', () => {
    const carrier: Record<string, string> = {};
    requestIdPropagator().inject(outbound(), carrier);
    expect(carrier).toEqual({});
  });

  it('writes the trace ID into alwaysInject when no request ID came in', () => {
    const propagator = requestIdPropagator({ alwaysInject: 'X-Request-ID' });
    const carrier = new Headers();
    propagator.inject(outbound(), carrier);
    expect(carrier.get('x-request-id')).toBe(TRACE_ID);
    expect(propagator.fields()).toContain('x-request-id');
  });

  it('prefers the inbound request ID over alwaysInject', () => {
    const carrier: Record<string, string> = {};
    requestIdPropagator({ alwaysInject: 'x-request-id' }).inject(outbound({ requestId: { header: 'x-trace-id', value: 'abc' } }), carrier);
    expect(carrier).toEqual({ 'x-trace-id': 'abc' });
  });

  it('refuses to forward a value that would break the header', () => {
    const carrier: Record<string, string> = {};
    requestIdPropagator().inject(outbound({ requestId: { header: 'x-request-id', value: 'a\r\nSet-Cookie: x' } }), carrier);
    requestIdPropagator().inject(outbound({ requestId: { header: 'bad header', value: 'abc' } }), carrier);
    expect(carrier).toEqual({});
  });

  it('round-trips: the next hop reads the same trace ID and alias', () => {
    const propagator = requestIdPropagator();
    const inbound = propagator.extract({ 'x-trace-id': 'abc-123' });
    const carrier: Record<string, string> = {};
    propagator.inject(outbound({ traceId: inbound!.traceId, requestId: inbound!.requestId }), carrier);
    expect(propagator.extract(carrier)).toEqual(inbound);
  });
});
