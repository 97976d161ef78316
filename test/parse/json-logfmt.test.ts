// JSON lines (pino, winston, written by the real loggers too) and logfmt lines.
import { mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pino } from 'pino';
import winston from 'winston';
import { afterAll, describe, expect, it } from 'vitest';
import { pinoOptions } from '../../adapters/pino/index.js';
import { traceFormat } from '../../adapters/winston/index.js';
import { withContext } from '../../src/context/index.js';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED, parseSample, us } from './samples.js';

const dir = mkdtempSync(join(tmpdir(), 'logstitch-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

describe('pino lines', () => {
  const records = parseSample('pino.log', { service: 'fallback' });

  it('reads level, time, host, service and the stamped trace fields', () => {
    expect(records).toHaveLength(7);
    expect(records[1]!.log).toMatchObject({
      time: us('2024-03-12T13:15:02.117Z'), severityNumber: 9, body: 'checkout started', host: 'checkout-7d9f8b6c5-x2kqp', service: 'checkout',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, attributes: { pid: 48211, cartId: 88213, items: 3 },
    });
  });

  it('keeps an error object (with its stack) as an attribute of one record', () => {
    expect(records[2]!.log.severityNumber).toBe(17);
    expect((records[2]!.log.attributes?.err as Record<string, string>).stack).toContain('\n    at ClientRequest.emit');
  });

  it('turns a span-end line into a span', () => {
    expect(records[3]!.span).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'POST /api/checkout', kind: 'server', duration: 355118, status: 'error' });
  });

  it('returns trace_alias and a hashed request_id as aliases', () => {
    expect(records[4]!.aliases).toEqual(['abc-123']);
    expect(records[5]!.log).toMatchObject({ traceId: '6fe6f14ae65dff6fa860ef324b525cf3', aliases: ['REQ-2024-000913'] });
  });
});

describe('winston lines', () => {
  it('reads level names, ISO timestamps and trace fields', () => {
    const records = parseSample('winston.log');
    expect(records).toHaveLength(5);
    expect(records[2]!.log).toMatchObject({ time: us('2024-03-12T13:15:02.190Z'), severityNumber: 13, severityText: 'warn', service: 'inventory', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', attributes: { sku: 'sku-1182', left: 3 } });
    expect(records[3]!.log.attributes?.stack).toMatch(/^Error: ER_LOCK_WAIT_TIMEOUT/);
  });
});

describe('JSON times', () => {
  it('reads a zone-less time string in the configured zone, and formats the model does not know', () => {
    const parse = createLineParser({ zone: 'Europe/Berlin' });
    const pythonJson = parse('{"asctime": "2024-03-12 09:15:02,117", "levelname": "WARNING", "name": "shipping", "message": "slow"}', OBSERVED).log;
    expect(pythonJson).toMatchObject({ time: us('2024-03-12T08:15:02.117Z'), severityNumber: 13, body: 'slow' });
    expect(parse('{"time":"2024-03-12T09:15:02","msg":"x"}', OBSERVED).log.time).toBe(us('2024-03-12T08:15:02Z'));
    expect(parse('{"time":"2024-03-12T09:15:02Z","msg":"x"}', OBSERVED).log.time).toBe(us('2024-03-12T09:15:02Z'));
    expect(parse('{"timestamp":"12/Mar/2024:09:15:02 -0400","msg":"x"}', OBSERVED).log.time).toBe(us('2024-03-12T13:15:02Z'));
    expect(parse('{"time":1710249302117,"msg":"x"}', OBSERVED).log.time).toBe(us('2024-03-12T13:15:02.117Z'));
  });
});

describe('lines written by the real loggers', () => {
  it('reads what pino with our plugin writes to a file', async () => {
    const file = join(dir, 'pino.log');
    const destination = pino.destination({ dest: file, sync: true });
    const log = pino(pinoOptions({ service: 'checkout' }), destination);
    log.info('outside');
    withContext(ctx, () => log.error({ err: new Error('card declined'), orderId: 7 }, 'checkout failed'));
    destination.flushSync();
    const parse = createLineParser();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const [outside, failed] = lines.map((line) => parse(line, OBSERVED).log);
    expect(outside).toMatchObject({ body: 'outside', service: 'checkout', severityNumber: 9 });
    expect(outside!.traceId).toBeUndefined();
    expect(failed).toMatchObject({ body: 'checkout failed', severityNumber: 17, traceId: ctx.traceId, spanId: ctx.spanId, service: 'checkout', attributes: { orderId: 7 } });
    expect(failed!.parseError).toBeUndefined();
  });

  it('reads what winston with our format writes to a file', async () => {
    const file = join(dir, 'winston.log');
    const stream = createWriteStream(file);
    const log = winston.createLogger({
      format: winston.format.combine(winston.format.timestamp(), winston.format.json(), traceFormat({ service: 'inventory' })),
      transports: [new winston.transports.Stream({ stream })],
    });
    withContext(ctx, () => log.warn('stock low', { sku: 'sku-1182' }));
    log.end();
    stream.end();
    await once(stream, 'finish');
    const { log: parsed } = createLineParser()(readFileSync(file, 'utf8').trimEnd(), OBSERVED);
    expect(parsed).toMatchObject({ body: 'stock low', severityNumber: 13, traceId: ctx.traceId, spanId: ctx.spanId, service: 'inventory', attributes: { sku: 'sku-1182' } });
    expect(Math.abs(parsed.time - Date.now() * 1000)).toBeLessThan(60_000_000);
  });
});

describe('logfmt', () => {
  const records = parseSample('logfmt.log');

  it('reads time, level, msg and keeps other pairs as attributes', () => {
    expect(records).toHaveLength(5);
    expect(records[0]!.log).toMatchObject({ time: us('2024-03-12T13:15:01.201Z'), severityNumber: 9, body: 'starting gateway', attributes: { version: '3.8.1', addr: ':8443' } });
    expect(records[1]!.log).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    expect(records[2]!.log).toMatchObject({ severityNumber: 13, aliases: ['abc-123'] });
  });

  it('reads epoch seconds with a fraction, numeric offsets and log15 level names', () => {
    expect(records[3]!.log).toMatchObject({ time: us('2024-03-12T13:15:03.221Z'), severityNumber: 17, attributes: { caller: 'breaker.go:114' } });
    expect(records[4]!.log).toMatchObject({ time: us('2024-03-12T13:15:04Z'), severityNumber: 5, severityText: 'dbug', attributes: { idle: 'true' } });
  });

  it('unescapes quoted values and takes bare keys as true', () => {
    const { log } = createLineParser({ format: 'logfmt' })('level=info msg="said \\"hi\\"\\nthen left" dry_run user=bob', OBSERVED);
    expect(log).toMatchObject({ body: 'said "hi"\nthen left', attributes: { dry_run: true, user: 'bob' } });
  });

  it('does not take prose with one = for logfmt', () => {
    const { log } = createLineParser()('x=1 is what the docs say', OBSERVED);
    expect(log.parseError).toBeDefined();
    expect(log.body).toBe('x=1 is what the docs say');
  });
});
