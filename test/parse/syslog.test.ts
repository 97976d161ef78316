// syslog: BSD lines with and without PRI (year inferred across New Year) and RFC 5424 with structured data.
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED, parseSample, us } from './samples.js';

describe('RFC 3164', () => {
  it('puts December lines in the old year and January lines in the new one, read just after New Year', () => {
    const records = parseSample('syslog-3164.log');
    expect(records.map((r) => new Date(r.log.time / 1000).toISOString())).toEqual([
      '2024-12-31T23:58:01.000Z', '2024-12-31T23:59:58.000Z', '2025-01-01T00:00:03.000Z', '2025-01-01T00:00:14.000Z',
      '2025-01-01T00:00:14.000Z', '2025-01-01T00:01:02.000Z', '2025-01-01T00:01:09.000Z',
    ]);
  });

  it('takes host, tag (as service) and pid, and a level the message opens with', () => {
    const records = parseSample('syslog-3164.log');
    expect(records[3]!.log).toMatchObject({ host: 'db-2', service: 'sshd', attributes: { 'syslog.procid': '30244' } });
    expect(records[3]!.log.body).toMatch(/^Accepted publickey for deploy from 10\.0\.0\.5/);
    expect(records[5]!.log).toMatchObject({ service: 'kernel', body: '[8812031.441201] TCP: request_sock_TCP: Possible SYN flooding on port 5432. Sending cookies.' });
    expect(records[6]!.log).toMatchObject({ severityNumber: 17, service: 'checkout-legacy', aliases: ['REQ-2024-000913'] });
  });

  it('takes severity and facility from the PRI, and reads high-precision RFC 3339 times', () => {
    const records = parseSample('syslog-remote.log', { zone: 'Europe/Berlin' });
    expect(records[0]!.log).toMatchObject({ severityNumber: 20, severityText: 'crit', host: 'edge-fw-1', service: 'su', attributes: { 'syslog.facility': 'auth' } });
    expect(records[0]!.log.time).toBe(us('2024-03-12T08:15:02Z')); // 09:15 CET, the configured zone
    expect(records[1]!.log).toMatchObject({ severityNumber: 9, attributes: { 'syslog.facility': 'authpriv' } });
    expect(records[2]!.log).toMatchObject({ host: 'printer-3', service: 'lpd', body: 'job 4411 completed', time: us('2024-03-02T06:01:44Z') });
    expect(records[3]!.log).toMatchObject({ time: us('2024-03-12T08:15:07.412331Z'), traceId: '4bf92f3577b34da6a3ce929d0e0e4736', attributes: { 'syslog.facility': 'local7' } });
  });

  it('reads a time with no year as the latest one not after the moment it was seen (a day of slack)', () => {
    const parse = createLineParser();
    expect(parse('Jan  1 00:00:03 h app: skewed clock', us('2025-01-01T00:00:01Z')).log.time).toBe(us('2025-01-01T00:00:03Z'));
    expect(parse('Feb 29 12:00:00 h app: leap day', us('2025-03-01T00:00:00Z')).log.time).toBe(us('2024-02-29T12:00:00Z'));
    expect(parse('Mar 12 09:15:02 h app: months ago', us('2025-01-01T00:00:00Z')).log.time).toBe(us('2024-03-12T09:15:02Z'));
  });
});

describe('RFC 5424', () => {
  const records = parseSample('syslog-5424.log');

  it('reads header fields and every structured-data parameter as <SD-ID>.<name>', () => {
    expect(records[0]!.log).toMatchObject({
      time: us('2024-03-12T09:15:02.003Z'), severityNumber: 10, severityText: 'notice', host: 'mymachine.example.com', service: 'evntslog',
      body: 'An application event log entry',
      attributes: { 'syslog.facility': 'local4', 'syslog.msgid': 'ID47', 'exampleSDID@32473.iut': '3', 'exampleSDID@32473.eventSource': 'Application', 'exampleSDID@32473.eventID': '1011' },
    });
  });

  it('unescapes SD values and takes a traceparent from structured data', () => {
    expect(records[1]!.log).toMatchObject({
      time: us('2024-03-12T08:45:03.412Z'), traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', severityNumber: 20,
      attributes: { 'syslog.procid': '4411', 'meta.sequenceId': '29', 'meta.note': 'a "quoted" ] value' },
    });
  });

  it('uses the observed time for a nil timestamp, leaves nil fields out, strips the BOM', () => {
    expect(records[2]!.log).toMatchObject({ time: OBSERVED, host: 'web-3.example.com', service: 'inventory', body: 'stock level checked' });
    expect(records[3]!.log.host).toBeUndefined();
    expect(records[3]!.log.body).toBe('');
    expect(records[3]!.log.attributes).toMatchObject({ 'origin.ip': '10.0.0.9' });
    expect(records[4]!.log).toMatchObject({ body: 'label printed for parcel 7731', time: us('2024-03-12T09:15:06.000001Z'), aliases: ['abc-123'] });
  });

  it('keeps a line with broken structured data raw, saying why', () => {
    const { log } = createLineParser({ format: 'syslog' })('<13>1 2024-03-12T09:15:06Z h app - - [meta x="unterminated] msg', OBSERVED);
    expect(log.parseError).toMatch(/structured data is malformed/);
    expect(log.body).toBe('<13>1 2024-03-12T09:15:06Z h app - - [meta x="unterminated] msg');
  });
});
