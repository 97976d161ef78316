// nginx and Apache access logs: combined, common, custom formats, the error log, and their attributes.
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED, parseSample, sampleText, us } from './samples.js';

describe('nginx combined', () => {
  const records = parseSample('nginx-combined.log');

  it('understands every line, with CLF times and their offsets', () => {
    expect(records).toHaveLength(8);
    for (const r of records) expect(r.log.parseError).toBeUndefined();
    expect(records[0]!.log.time).toBe(us('2024-03-12T13:15:02Z'));
  });

  it('puts the request into the documented attributes', () => {
    expect(records[0]!.log.attributes).toEqual({
      'client.address': '203.0.113.42',
      'http.method': 'GET',
      'http.target': '/products/sku-1182?ref=home',
      'http.flavor': '1.1',
      'http.status_code': 200,
      'http.response_content_length': 5123,
      'http.referer': 'https://shop.example.com/',
      'http.user_agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
    });
    expect(records[2]!.log.attributes?.['user.name']).toBe('alice');
    expect(records[3]!.log.attributes?.['client.address']).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(records[3]!.log.attributes?.['http.flavor']).toBe('2.0');
  });

  it('keeps the whole line as the body, so a search finds any part of it', () => {
    expect(records[0]!.log.body).toBe(sampleText('nginx-combined.log').split('\n')[0]);
  });

  it('takes the severity from the status: 5xx error, 4xx warn, else info', () => {
    const byStatus = Object.fromEntries(records.map((r) => [r.log.attributes?.['http.status_code'], r.log.severityNumber]));
    expect(byStatus).toMatchObject({ 200: 9, 304: 9, 404: 13, 499: 13, 400: 13, 502: 17 });
  });

  it('keeps a request line that is not an HTTP request (a TLS probe) as http.request_line', () => {
    expect(records[5]!.log.attributes).toMatchObject({ 'http.request_line': '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03', 'http.status_code': 400 });
    expect(records[5]!.log.attributes?.['http.method']).toBeUndefined();
  });
});

describe('nginx custom log_format with $request_id, $http_traceparent, $request_time', () => {
  const config = { format: 'nginx' as const, logFormat: sampleText('nginx-custom.conf'), service: 'edge' };
  const records = parseSample('nginx-custom.log', config);

  it('reads the log_format as pasted from nginx.conf, quotes and all', () => {
    expect(records.map((r) => r.log.parseError)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('takes trace and span from the traceparent, and keeps the request ID as an alias of that trace', () => {
    const log = records[0]!.log;
    expect(log).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, service: 'edge' });
    expect(records[0]!.aliases).toEqual(['0af7651916cd43dd8448eb211c80319c']);
  });

  it('makes nginx\'s 32-hex $request_id the trace when no traceparent came, and hashes X-Request-ID into an alias', () => {
    expect(records[1]!.log.traceId).toBe('7c1d2e0f9a8b4c3d8e7f6a5b4c3d2e1f');
    expect(records[1]!.aliases).toEqual(['abc-123']);
    expect(records[1]!.log.aliases).toEqual(['abc-123']);
  });

  it('turns $request_time into duration_us and sums the upstream times of every upstream tried', () => {
    expect(records[0]!.log.attributes).toMatchObject({ duration_us: 348_000, 'upstream.duration_us': 344_000, upstream_addr: '10.0.3.12:8080' });
    expect(records[2]!.log.attributes).toMatchObject({ duration_us: 10_001_000, 'upstream.duration_us': 10_001_000, 'http.status_code': 504 });
    expect(records[2]!.log.severityNumber).toBe(17);
    expect(records[3]!.log.attributes?.duration_us).toBe(0);
    expect(records[3]!.log.attributes?.['upstream.duration_us']).toBeUndefined();
  });

  it('does not take a line of another format', () => {
    const parse = createLineParser(config);
    const { log } = parse('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326', OBSERVED);
    expect(log.parseError).toMatch(/^not a nginx line: not an access-log line in the custom format/);
  });
});

describe('Apache', () => {
  it('reads combined lines, with "-" for no bytes', () => {
    const records = parseSample('apache-access.log', { format: 'apache' });
    expect(records).toHaveLength(5);
    expect(records[0]!.log).toMatchObject({ time: us('2000-10-10T20:55:36Z'), severityNumber: 9 });
    expect(records[0]!.log.attributes).toMatchObject({ 'user.name': 'frank', 'http.target': '/apache_pb.gif', 'http.flavor': '1.0', 'http.response_content_length': 2326 });
    expect(records[3]!.log.severityNumber).toBe(17);
    expect(records[4]!.log.attributes?.['http.response_content_length']).toBeUndefined();
  });

  it('reads common lines in auto mode', () => {
    const records = parseSample('apache-common.log');
    expect(records.map((r) => r.log.attributes?.['http.status_code'])).toEqual([200, 404, 503]);
    expect(records[1]!.log.severityNumber).toBe(13);
  });

  it('compiles a LogFormat with %D and a request-ID header', () => {
    const records = parseSample('apache-custom.log', { format: 'apache', logFormat: sampleText('apache-custom.conf') });
    expect(records[0]!.log.attributes).toMatchObject({ duration_us: 182_034, http_x_request_id: 'REQ-2024-000913' });
    expect(records[0]!.aliases).toEqual(['REQ-2024-000913']);
    expect(records[1]!.log.traceId).toBe('6f1c2a3e9b4d4e7f8a2b1c3d5e7f9a0b');
    expect(records[1]!.aliases).toEqual([]);
    expect(records[2]!.log.attributes?.duration_us).toBe(811);
  });
});

describe('nginx error log', () => {
  it('reads level, pid and the details nginx appends, in the configured zone', () => {
    const line = '2024/03/12 09:15:05 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: shop, request: "POST /api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/checkout", host: "shop.example.com"';
    const { log } = createLineParser({ zone: 'America/New_York' })(line, OBSERVED);
    expect(createLineParser({ format: 'nginx', zone: 'America/New_York' })(line, OBSERVED).log).toEqual(log);
    expect(log).toMatchObject({ time: us('2024-03-12T13:15:05Z'), severityNumber: 17, severityText: 'error' });
    expect(log.attributes).toMatchObject({
      'process.pid': 1234, 'nginx.connection': 5, 'client.address': '10.0.0.1', 'http.server_name': 'shop',
      'http.request_line': 'POST /api/checkout HTTP/1.1', 'upstream.address': 'http://10.0.3.12:8080/api/checkout', 'http.host': 'shop.example.com',
    });
  });
});
