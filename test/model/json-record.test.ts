// JSON log lines → LogRecords: the loggers' shapes, and logstitch's own marked shape that the agent ships.
import { describe, expect, it } from 'vitest';
import { logRecordFromJson, RECORD_MARKER } from '../../src/model/json-record.js';

const T = 1_700_000_000_000_000;
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = '00f067aa0ba902b7';

describe('logRecordFromJson', () => {
  it('reads a pino line: level number, ms time, stamped IDs, the rest as attributes', () => {
    const read = logRecordFromJson({ level: 50, time: 1_700_000_000_123, msg: 'boom', trace_id: trace, span_id: span, trace_flags: '01', service: 'checkout', hostname: 'web-1', orderId: 7 }, T);
    expect(read.log).toMatchObject({ time: 1_700_000_000_123_000, severityNumber: 17, body: 'boom', traceId: trace, spanId: span, traceFlags: 1, service: 'checkout', host: 'web-1', attributes: { orderId: 7 } });
  });

  it('takes a marked record as it is, with its aliases', () => {
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T, severityNumber: 13, severityText: 'WARN', body: 'slow', traceId: trace, service: 'legacy', aliases: ['abc-123'], parseError: 'no parser' }, T + 5);
    expect(read.log).toEqual({ time: T, severityNumber: 13, severityText: 'WARN', body: 'slow', traceId: trace, service: 'legacy', aliases: ['abc-123'], parseError: 'no parser' });
    expect(read.aliases).toEqual(['abc-123']);
    expect(read.span).toBeUndefined();
  });

  it('derives the span of a marked span-end record, as from the line itself', () => {
    const spanEnd = { name: 'GET /stock', kind: 'server', start_us: T, duration_us: 9_000_000, status: 'ok' };
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T + 9_000_000, severityNumber: 9, body: 'GET /stock 200', traceId: trace, spanId: span, service: 'inventory', span_end: spanEnd }, T);
    expect(read.span).toMatchObject({ traceId: trace, spanId: span, name: 'GET /stock', kind: 'server', start: T, duration: 9_000_000, service: 'inventory', origin: 'span-end-line' });
  });

  it('keeps a marked record whose span-end part is broken, and says why', () => {
    const read = logRecordFromJson({ [RECORD_MARKER]: 1, time: T, severityNumber: 9, body: 'x', traceId: trace, span_end: { name: 'y' } }, T);
    expect(read.span).toBeUndefined();
    expect(read.log.body).toBe('x');
    expect(read.warning).toMatch(/span_id/);
  });
});
