// The winston plugin with real winston: stamped fields, the same names as pino's, and redaction.
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { traceFormat } from '../../adapters/winston/index.js';
import { withContext } from '../../src/context/index.js';
import { LineSink } from '../../samples/chain/lines.js';

const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0, alias: 'abc-123' };

function logger(options: Parameters<typeof traceFormat>[0] = {}, position: 'after-json' | 'before-json' = 'after-json') {
  const sink = new LineSink();
  const formats = position === 'after-json' ? [winston.format.json(), traceFormat(options)] : [traceFormat(options), winston.format.json()];
  const log = winston.createLogger({ format: winston.format.combine(...formats), transports: [new winston.transports.Stream({ stream: sink })] });
  return { log, raw: sink.lines, lines: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe.each(['after-json', 'before-json'] as const)('traceFormat %s', (position) => {
  it('stamps the active trace with the same field names as the pino mixin', () => {
    const { log, lines } = logger({ service: 'inventory' }, position);
    withContext(ctx, () => log.info('reserved', { count: 2 }));
    expect(lines()[0]).toMatchObject({ level: 'info', message: 'reserved', count: 2, trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: '00', trace_alias: 'abc-123', service: 'inventory' });
  });

  it('stamps nothing but the service outside a trace', () => {
    const { log, lines } = logger({ service: 'inventory' }, position);
    log.warn('boot');
    expect(lines()[0]).toEqual({ level: 'warn', message: 'boot', service: 'inventory' });
  });

  it('redacts sensitive metadata and card numbers in the message, keeping the level intact', () => {
    const { log, lines, raw } = logger({}, position);
    log.error('card 5500 0000 0000 0004 rejected', { apiKey: 'k-123', cookie: 'sid=1' });
    log.info('login password=hunter2', { token: 'abc' });
    expect(raw.join('\n')).not.toMatch(/5500 0000 0000 0004|k-123|sid=1|hunter2|abc/);
    expect(lines()[0]!.level).toBe('error');
    expect(lines()[1]).toMatchObject({ level: 'info', message: expect.stringMatching(/^login password=/) });
  });
});

describe('traceFormat placement', () => {
  it('stamps printf output when placed before it', () => {
    const sink = new LineSink();
    const log = winston.createLogger({
      format: winston.format.combine(traceFormat({ service: 'legacy' }), winston.format.printf((i) => `${i.level} ${i.message} trace=${String(i.trace_id)}`)),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    withContext(ctx, () => log.info('hi'));
    expect(sink.lines).toEqual([`info hi trace=${ctx.traceId}`]);
  });

  it('names each field once when the entry already carries them (span-end lines)', () => {
    const { log, raw } = logger({ service: 'inventory' });
    withContext(ctx, () => log.info('span', { trace_id: ctx.traceId, span_id: ctx.spanId, service: 'inventory' }));
    for (const key of ['trace_id', 'span_id', 'service']) expect(raw[0]!.split(`"${key}"`).length - 1, key).toBe(1);
  });

  it('keeps an entry with no fields valid JSON', () => {
    const sink = new LineSink();
    const log = winston.createLogger({ format: winston.format.combine(winston.format.printf(() => '{}'), traceFormat({ service: 's' })), transports: [new winston.transports.Stream({ stream: sink })] });
    log.info('x');
    expect(JSON.parse(sink.lines[0]!)).toEqual({ service: 's' });
  });
});
