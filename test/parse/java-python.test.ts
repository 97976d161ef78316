// Java (logback, log4j, Spring Boot) and Python logging lines, with their stack traces joined in.
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED, parseSample, us } from './samples.js';

describe('logback', () => {
  const records = parseSample('java-logback.log');

  it('joins the stack trace, Caused by and "... N common frames omitted" to the line that logged it', () => {
    expect(records).toHaveLength(7);
    const error = records[2]!.log;
    expect(error).toMatchObject({ severityNumber: 17, severityText: 'ERROR', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    const lines = error.body.split('\n');
    expect(lines[0]).toBe('Payment authorisation failed for order 88213 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7');
    expect(lines[1]).toMatch(/^org\.springframework\.web\.client\.ResourceAccessException/);
    expect(lines).toContain('Caused by: java.net.SocketTimeoutException: Read timed out');
    expect(lines.at(-1)).toBe('\t... 58 common frames omitted');
    expect(lines).toHaveLength(15);
  });

  it('reads thread, logger, level and a zone-less time in the configured zone', () => {
    const ny = parseSample('java-logback.log', { zone: 'America/New_York' });
    expect(ny[0]!.log).toMatchObject({
      time: us('2024-03-12T13:15:01.004Z'), severityNumber: 9,
      attributes: { 'thread.name': 'main', 'code.namespace': 'c.e.checkout.CheckoutApplication' },
    });
  });

  it('reads logback 1.3 key=value pairs and the empty "--" form', () => {
    expect(records[4]!.log).toMatchObject({ severityNumber: 5, body: 'reaped 14 stale carts', attributes: { orderId: '88213', tenant: 'acme' } });
    expect(records[5]!.log.body).toBe('next run in PT5M');
  });

  it('maps a legacy X-Request-ID in the message onto a hashed trace with an alias', () => {
    expect(records[3]!.log).toMatchObject({ traceId: '5942d94f524882e0f29bf0a1e5a6dcc9', aliases: ['abc-123'] });
  });

  it('dates a time-only line (logback\'s default pattern) by the day it was seen', () => {
    const seen = us('2024-03-12T10:00:00Z');
    const { log } = createLineParser()('09:15:04.020 [pool-2-thread-1] INFO  c.e.checkout.metrics.Exporter - flushed 212 series', seen);
    expect(log.time).toBe(us('2024-03-12T09:15:04.020Z'));
    const justAfterMidnight = createLineParser()('23:59:59.900 [main] INFO  a.B - late', us('2024-03-13T00:00:01Z'));
    expect(justAfterMidnight.log.time).toBe(us('2024-03-12T23:59:59.900Z'));
  });
});

describe('log4j and Spring Boot', () => {
  it('reads the log4j ISO8601 layout with comma milliseconds, and FATAL', () => {
    const records = parseSample('log4j.log', { format: 'log4j', zone: 'Europe/Berlin' });
    expect(records).toHaveLength(5);
    expect(records[0]!.log).toMatchObject({ time: us('2024-03-12T08:15:01.998Z'), attributes: { 'thread.name': 'main', 'code.namespace': 'org.apache.catalina.startup.Catalina' } });
    expect(records[2]!.log.aliases).toEqual(['REQ-2024-000913']);
    expect(records[3]!.log.body.split('\n')).toHaveLength(7);
    expect(records[3]!.log.body).toContain('java.lang.NullPointerException: Cannot invoke');
    expect(records[4]!.log).toMatchObject({ severityNumber: 21, severityText: 'FATAL' });
  });

  it('reads Spring Boot lines: offset times, pid, application name as service', () => {
    const records = parseSample('spring-boot.log');
    expect(records).toHaveLength(3);
    expect(records[0]!.log).toMatchObject({ time: us('2024-03-12T13:15:01.004Z'), service: 'inventory', attributes: { 'process.pid': 48213, 'thread.name': 'main' } });
    expect(records[1]!.log).toMatchObject({ severityNumber: 13, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: 'b7ad6b7169203331' });
    expect(records[2]!.log.body).toContain('\njava.lang.IllegalStateException: reservation 5512 already released\n\tat ');
  });
});

describe('Python logging', () => {
  it('reads the default format and joins a chained Traceback, up to its last exception line', () => {
    const records = parseSample('python-app.log', { zone: 'Europe/Berlin' });
    expect(records).toHaveLength(5);
    expect(records[0]!.log).toMatchObject({ time: us('2024-03-12T08:15:01.201Z'), severityNumber: 9, attributes: { 'code.namespace': 'shipping.app' } });
    const error = records[2]!.log;
    expect(error).toMatchObject({ severityNumber: 17, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(error.body.split('\n')[0]).toBe('Could not print label for parcel 7731 trace_id=4bf92f3577b34da6a3ce929d0e0e4736');
    expect(error.body).toContain('During handling of the above exception, another exception occurred:');
    expect(error.body.split('\n').at(-1)).toBe('shipping.errors.LabelUnavailable: parcel 7731');
    expect(records[3]!.log).toMatchObject({ severityText: 'CRITICAL', body: 'Worker lost connection to broker; exiting' });
  });

  it('reads basicConfig\'s LEVEL:name:message, timed when it was seen', () => {
    const records = parseSample('python-basic.log');
    expect(records).toHaveLength(3);
    expect(records[1]!.log).toMatchObject({ time: OBSERVED, severityNumber: 13, attributes: { 'code.namespace': 'root' }, body: 'disk usage at 91% on /var/spool/labels' });
    expect(records[2]!.log.traceId).toBe('6f1c2a3e9b4d4e7f8a2b1c3d5e7f9a0b');
    expect(records[2]!.log.body.split('\n').at(-1)).toBe('ConnectionRefusedError: [Errno 111] Connection refused');
  });
});
