// The pino plugin with real pino: what a line carries inside a trace, outside one, and after redaction.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { pinoOptions, stampHook, traceMixin } from '../../adapters/pino/index.js';
import { wrapHandler } from '../../adapters/http/index.js';
import { rawRequest, serve, tick } from '../helpers/servers.js';
import { withContext } from '../../src/context/index.js';
import { LineSink } from '../../samples/chain/lines.js';

const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

function logger(options: Parameters<typeof pino>[0]) {
  const sink = new LineSink();
  return { log: pino(options as object, sink), lines: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('traceMixin', () => {
  it('stamps trace_id, span_id, trace_flags and service inside a trace', () => {
    const { log, lines } = logger({ mixin: traceMixin({ service: 'checkout' }) });
    withContext(ctx, () => log.info({ order: 7 }, 'paid'));
    expect(lines()[0]).toMatchObject({ msg: 'paid', order: 7, trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: '01', service: 'checkout' });
  });

  it('stamps trace_alias when the trace came from a hashed legacy ID', () => {
    const { log, lines } = logger({ mixin: traceMixin() });
    withContext({ ...ctx, alias: 'abc-123' }, () => log.info('x'));
    expect(lines()[0]?.trace_alias).toBe('abc-123');
  });

  it('stamps no IDs outside a trace, only the service', () => {
    const { log, lines } = logger({ mixin: traceMixin({ service: 'checkout' }) });
    log.info('startup');
    expect(lines()[0]).toMatchObject({ msg: 'startup', service: 'checkout' });
    expect(lines()[0]).not.toHaveProperty('trace_id');
    expect(lines()[0]).not.toHaveProperty('span_id');
  });

  it('lets the call override a stamped field, without leaking it into the next line', () => {
    const { log, lines } = logger({ mixin: traceMixin({ service: 'a' }) });
    withContext(ctx, () => {
      log.info({ service: 'override' }, 'one');
      log.info('two');
    });
    expect(lines().map((l) => l.service)).toEqual(['override', 'a']);
  });

  it('takes the service from OTEL_SERVICE_NAME when none is given', () => {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    try {
      const { log, lines } = logger({ mixin: traceMixin() });
      log.info('x');
      expect(lines()[0]?.service).toBe('from-env');
    } finally {
      delete process.env.OTEL_SERVICE_NAME;
    }
  });
});

describe('pinoOptions', () => {
  it('redacts sensitive keys and card numbers without touching the caller object', () => {
    const { log, lines } = logger(pinoOptions({ service: 'pay' }));
    const payload = { user: 'ann', password: 'hunter2', nested: { authorization: 'Bearer abc' } };
    withContext(ctx, () => log.info(payload, 'charging card 4111 1111 1111 1111 for order 1234567890123'));
    const line = JSON.stringify(lines()[0]);
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('Bearer abc');
    expect(line).not.toContain('4111 1111 1111 1111');
    expect(line).toContain('order 1234567890123');
    expect(lines()[0]).toMatchObject({ user: 'ann', trace_id: ctx.traceId, service: 'pay' });
    expect(payload.password).toBe('hunter2');
  });

  it('redacts an error (message, stack, cause, own fields) but keeps it serialised as an error', () => {
    const { log, lines } = logger(pinoOptions());
    const error = Object.assign(new Error('card 4111111111111111 declined', { cause: new Error('token=abc123 expired') }), { config: { headers: { authorization: 'Bearer s3cret' } } });
    log.error(error);
    const err = lines()[0]?.err as { message: string; type: string; stack: string };
    expect(err.type).toBe('Error');
    expect(err.stack).toContain('declined');
    expect(JSON.stringify(lines()[0])).not.toMatch(/4111111111111111|abc123|s3cret/);
    expect(error.message).toContain('4111111111111111');
  });

  it('never makes a log call throw, whatever is logged', () => {
    const { log, lines } = logger(pinoOptions());
    const cyclic: Record<string, unknown> = { token: 'x' };
    cyclic.self = cyclic;
    expect(() => withContext(ctx, () => log.info(cyclic, 'cyclic'))).not.toThrow();
    expect(() => log.info({ big: 10n } as unknown as object, 'bigint')).not.toThrow();
    expect(lines().length).toBeGreaterThanOrEqual(1);
  });

  it('turns redaction off on request', () => {
    const { log, lines } = logger(pinoOptions({ redact: false }));
    log.info({ password: 'visible' }, 'x');
    expect(lines()[0]?.password).toBe('visible');
  });
});

describe('stampHook (what pinoOptions stamps with)', () => {
  it('splices the fields into the line, before its closing brace, also with crlf line ends', () => {
    for (const crlf of [false, true]) {
      const sink = new LineSink();
      const log = pino({ crlf, hooks: { streamWrite: stampHook({ service: 'svc' }) } }, sink);
      withContext({ ...ctx, alias: 'ab"c' }, () => log.info({ n: 1 }, 'x'));
      const line = sink.lines[0]!.replace(/\r$/, '');
      expect(JSON.parse(line)).toMatchObject({ n: 1, msg: 'x', trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: '01', trace_alias: 'ab"c', service: 'svc' });
    }
  });

  it('adds only the service outside a trace, and nothing when there is no service', () => {
    const sink = new LineSink();
    pino({ hooks: { streamWrite: stampHook({ service: 'svc' }) } }, sink).info('a');
    pino({ hooks: { streamWrite: stampHook() } }, sink).info('b');
    expect(JSON.parse(sink.lines[0]!)).toMatchObject({ msg: 'a', service: 'svc' });
    expect(JSON.parse(sink.lines[0]!)).not.toHaveProperty('trace_id');
    expect(JSON.parse(sink.lines[1]!)).not.toHaveProperty('service');
  });

  it('names each ID once in span-end lines written through a stamping logger', async () => {
    const sink = new LineSink();
    const log = pino({ ...pinoOptions({ service: 'svc' }) }, sink);
    const server = await serve(wrapHandler((_req, res) => res.end(), { logger: log, service: 'svc' }));
    await rawRequest(`${server.url}/x`, { headers: [['traceparent', `00-${ctx.traceId}-${ctx.spanId}-01`]] });
    await tick();
    await server.close();
    const end = sink.lines.find((l) => l.includes('span_end'))!;
    for (const key of ['trace_id', 'span_id', 'trace_flags', 'service']) expect(end.split(`"${key}"`).length - 1, key).toBe(1);
    expect(JSON.parse(end)).toMatchObject({ trace_id: ctx.traceId, service: 'svc', span_end: { kind: 'server', parent_span_id: ctx.spanId } });
  });
});
