// Trace, span and legacy request IDs from fields and messages, and the aliases that join them.
import { describe, expect, it } from 'vitest';
import { hashLegacyId } from '../../src/model/ids.js';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED } from './samples.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const parse = createLineParser();

describe('IDs in messages', () => {
  it('takes trace and span from a traceparent, labelled or bare', () => {
    expect(parse(`2024-03-12T09:15:02Z INFO call traceparent: 00-${TRACE}-${SPAN}-01`, OBSERVED).log).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parse(`sent 00-${TRACE}-${SPAN}-00 downstream`, OBSERVED).log).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  });

  it('reads trace_id=, request_id= and X-Request-ID: in text', () => {
    expect(parse(`2024-03-12T09:15:02Z INFO done trace_id=${TRACE} span_id=${SPAN}`, OBSERVED).log).toMatchObject({ traceId: TRACE, spanId: SPAN });
    const uuid = parse('2024-03-12T09:15:02Z INFO done request_id=7B0C9E4A-2D7A-4E53-9F3E-6B8A1C2D3E4F', OBSERVED);
    expect(uuid.log.traceId).toBe('7b0c9e4a2d7a4e539f3e6b8a1c2d3e4f');
    expect(uuid.aliases).toEqual([]);
    const legacy = parse('2024-03-12T09:15:02Z WARN retry X-Request-ID: abc-123', OBSERVED);
    expect(legacy.log.traceId).toBe(hashLegacyId('abc-123'));
    expect(legacy.aliases).toEqual(['abc-123']);
    expect(legacy.log.aliases).toEqual(['abc-123']);
  });

  it('prefers a traceparent over a request ID, which then joins the trace as an alias', () => {
    const { log, aliases } = parse(`2024-03-12T09:15:02Z INFO request_id=abc-123 traceparent=00-${TRACE}-${SPAN}-01`, OBSERVED);
    expect(log.traceId).toBe(TRACE);
    expect(aliases).toEqual(['abc-123']);
  });

  it('ignores placeholder values', () => {
    expect(parse('2024-03-12T09:15:02Z INFO request_id=- trace_id=null', OBSERVED).log.traceId).toBeUndefined();
  });
});

describe('IDs in JSON fields', () => {
  it('maps a non-hex trace_id onto a hashed trace with an alias', () => {
    const { log, aliases } = parse('{"msg":"x","trace_id":"abc-123"}', OBSERVED);
    expect(log.traceId).toBe(hashLegacyId('abc-123'));
    expect(aliases).toEqual(['abc-123']);
  });

  it('makes a request_id that differs from the stamped trace an alias of it', () => {
    const { log, aliases } = parse(`{"msg":"x","trace_id":"${TRACE}","request_id":"REQ-9"}`, OBSERVED);
    expect(log.traceId).toBe(TRACE);
    expect(aliases).toEqual(['REQ-9']);
  });

  it('reads a traceparent field, ECS http.request.id, and the message as a last resort', () => {
    expect(parse(`{"msg":"x","traceparent":"00-${TRACE}-${SPAN}-01"}`, OBSERVED).log).toMatchObject({ traceId: TRACE, spanId: SPAN });
    expect(parse('{"message":"x","http":{"request":{"id":"6f1c2a3e-9b4d-4e7f-8a2b-1c3d5e7f9a0b"}}}', OBSERVED).log.traceId).toBe('6f1c2a3e9b4d4e7f8a2b1c3d5e7f9a0b');
    expect(parse(`{"msg":"upstream said trace_id=${TRACE}"}`, OBSERVED).log.traceId).toBe(TRACE);
  });

  it('leaves per-process counters such as fastify\'s reqId alone', () => {
    expect(parse('{"level":30,"reqId":"req-1","msg":"incoming request"}', OBSERVED).log.traceId).toBeUndefined();
  });

  it('reads the configured traceFields in JSON and text formats', () => {
    const custom = createLineParser({ traceFields: ['correlation', 'x-amzn-request-id'] });
    expect(custom('{"msg":"x","correlation":"ORD-77"}', OBSERVED)).toMatchObject({ log: { traceId: hashLegacyId('ORD-77') }, aliases: ['ORD-77'] });
    expect(custom('level=info msg=x x-amzn-request-id=ORD-78', OBSERVED).aliases).toEqual(['ORD-78']);
  });
});
