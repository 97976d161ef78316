// IndexerTransport with a real winston logger, end to end against a receiver on 127.0.0.1.
import { once } from 'node:events';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { IndexerTransport, type IndexerTransportOptions } from '../../adapters/winston/transport.js';
import { Receiver } from './receiver.js';

const receivers: Receiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function receiver(): Promise<Receiver> {
  const started = await Receiver.start();
  receivers.push(started);
  return started;
}

function transportFor(indexer: Receiver, options: IndexerTransportOptions = {}): IndexerTransport {
  return new IndexerTransport({ url: indexer.url, flushIntervalMs: 50, backoffBaseMs: 10, env: {}, ...options });
}

/** Ends the logger the way a service shutting down would, and waits for winston's own 'finish'. */
async function endLogger(logger: winston.Logger): Promise<void> {
  const finished = once(logger, 'finish');
  logger.end();
  await finished;
}

describe('winston IndexerTransport', () => {
  it('ships the lines a json format wrote, in order, and delivers them all before the logger finishes', async () => {
    const indexer = await receiver();
    const transport = transportFor(indexer, { batchSize: 25, flushIntervalMs: 60_000 });
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      defaultMeta: { service: 'checkout' },
      transports: [transport],
    });
    for (let i = 0; i < 60; i++) logger.info(`order ${i} placed`, { i, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    await endLogger(logger);

    const lines = indexer.lines().map((line) => JSON.parse(line));
    expect(lines).toHaveLength(60);
    lines.forEach((line, i) => {
      expect(line).toMatchObject({ level: 'info', message: `order ${i} placed`, i, service: 'checkout', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
      expect(typeof line.timestamp).toBe('string');
    });
    expect(indexer.stored.map((batch) => batch.lines.length)).toEqual([25, 25, 10]);
    expect(transport.stats()).toMatchObject({ sentLines: 60, queuedLines: 0 });
  });

  it('serialises the entry itself when the format is not JSON, whatever it holds', async () => {
    const indexer = await receiver();
    const transport = transportFor(indexer);
    const logger = winston.createLogger({ format: winston.format.simple(), transports: [transport] });
    const order: Record<string, unknown> = { id: 7, total: 12n };
    order.self = order;
    const logged = once(transport, 'logged');
    logger.warn('odd order', { order, err: new Error('card declined') });
    await logged;
    await transport.flush();

    const [line] = indexer.lines();
    const parsed = JSON.parse(line!);
    expect(Object.keys(parsed).slice(0, 2)).toEqual(['level', 'message']);
    expect(parsed).toMatchObject({ level: 'warn', message: 'odd order', order: { id: 7, total: '12', self: '[Circular]' } });
    expect(parsed.err).toMatchObject({ name: 'Error', message: 'card declined' });
    expect(parsed.err.stack).toContain('card declined');
    await endLogger(logger);
  });

  it("honours the transport's level", async () => {
    const indexer = await receiver();
    const transport = transportFor(indexer, { level: 'warn' });
    const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [transport] });
    logger.info('routine');
    logger.error('broken');
    logger.debug('noise');
    await endLogger(logger);
    expect(indexer.lines().map((line) => JSON.parse(line).message)).toEqual(['broken']);
  });

  it('keeps logging, without throwing, when the indexer is gone', async () => {
    const indexer = await receiver();
    const url = indexer.url;
    await indexer.stop();
    receivers.pop();
    const warnings: string[] = [];
    const transport = new IndexerTransport({ url, backoffBaseMs: 10, closeTimeoutMs: 200, onWarning: (w) => warnings.push(w), env: {} });
    const logger = winston.createLogger({ format: winston.format.json(), transports: [transport] });
    expect(() => {
      for (let i = 0; i < 10; i++) logger.error('while down', { i });
    }).not.toThrow();
    await endLogger(logger);
    expect(transport.stats()).toMatchObject({ droppedLines: 10 });
    expect(warnings.at(-1)).toMatch(/gave up after 200 ms with 10 log line\(s\) not delivered/);
  });
});
