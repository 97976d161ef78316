// The winston plugin with real winston: stamped fields, the same names as pino's, and redaction.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { traceFormat } from '../../adapters/winston/index.js';
import { withContext } from '../../src/context/index.js';
import { LineSink } from '../../samples/chain/lines.js';

const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0, alias: 'abc-123' };

function logger(options: Parameters<typeof traceFormat>[0] = {}) {
  const sink = new LineSink();
  const log = winston.createLogger({ format: winston.format.combine(traceFormat(options), winston.format.json()), transports: [new winston.transports.Stream({ stream: sink })] });
  return { log, lines: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('traceFormat', () => {
  it('stamps the active trace with the same field names as the pino mixin', () => {
    const { log, lines } = logger({ service: 'inventory' });
    withContext(ctx, () => log.info('reserved', { count: 2 }));
    expect(lines()[0]).toMatchObject({ level: 'info', message: 'reserved', count: 2, trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: '00', trace_alias: 'abc-123', service: 'inventory' });
  });

  it('stamps nothing but the service outside a trace', () => {
    const { log, lines } = logger({ service: 'inventory' });
    log.warn('boot');
    expect(lines()[0]).toEqual({ level: 'warn', message: 'boot', service: 'inventory' });
  });

  it('redacts sensitive metadata and card numbers in the message, keeping the level intact', () => {
    const { log, lines } = logger();
    log.error('card 5500 0000 0000 0004 rejected', { apiKey: 'k-123', cookie: 'sid=1' });
    const line = lines()[0]!;
    expect(JSON.stringify(line)).not.toMatch(/5500 0000 0000 0004|k-123|sid=1/);
    expect(line.level).toBe('error');
  });
});
