// bench/logger: what stamping costs per log call — pino and winston bare, with our plugins, and with
// OpenTelemetry's pino instrumentation. Each variant runs in its own process, so that one variant's
// module patching cannot slow another's; all run in the same invocation.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { measure, pct, type Rate } from './_measure.js';

const VARIANTS = ['pino-bare', 'pino-traceMixin', 'pino-pinoOptions', 'pino-otel-instrumentation', 'winston-bare', 'winston-traceFormat', 'winston-traceFormat-noredact'] as const;
type Variant = (typeof VARIANTS)[number];
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const require = createRequire(import.meta.url);

const CTX = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const nullStream = { write(): void {} };

async function runVariant(variant: Variant): Promise<Rate> {
  const { withContext } = await import('../src/context/index.js');
  switch (variant) {
    case 'pino-bare': {
      const pino = require('pino') as typeof import('pino').pino;
      const log = pino(nullStream);
      return measure(() => log.info('hello world'), ITERATIONS);
    }
    case 'pino-traceMixin': {
      const pino = require('pino') as typeof import('pino').pino;
      const { traceMixin } = await import('../adapters/pino/index.js');
      const log = pino({ mixin: traceMixin({ service: 'bench' }) }, nullStream);
      return withContext(CTX, () => measure(() => log.info('hello world'), ITERATIONS));
    }
    case 'pino-pinoOptions': {
      const pino = require('pino') as typeof import('pino').pino;
      const { pinoOptions } = await import('../adapters/pino/index.js');
      const log = pino(pinoOptions({ service: 'bench' }), nullStream);
      return withContext(CTX, () => measure(() => log.info('hello world'), ITERATIONS));
    }
    case 'pino-otel-instrumentation': {
      const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
      const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
      const { PinoInstrumentation } = await import('@opentelemetry/instrumentation-pino');
      const provider = new NodeTracerProvider();
      provider.register();
      // Log correlation only, as our mixin does: no log sending through the OpenTelemetry logs SDK.
      registerInstrumentations({ instrumentations: [new PinoInstrumentation({ disableLogSending: true })] });
      const pino = require('pino') as typeof import('pino').pino;
      const log = pino(nullStream);
      const { trace } = await import('@opentelemetry/api');
      return trace.getTracer('bench').startActiveSpan('bench', (span) => {
        const rate = measure(() => log.info('hello world'), ITERATIONS);
        span.end();
        return rate;
      });
    }
    case 'winston-bare':
    case 'winston-traceFormat':
    case 'winston-traceFormat-noredact': {
      const winston = (await import('winston')).default;
      const { traceFormat } = await import('../adapters/winston/index.js');
      const sink = new Writable({ objectMode: true, write: (_chunk, _enc, cb) => cb() });
      const formats = variant === 'winston-bare' ? [winston.format.json()] : [traceFormat({ service: 'bench', redact: variant === 'winston-traceFormat' ? {} : false }), winston.format.json()];
      const log = winston.createLogger({ format: winston.format.combine(...formats), transports: [new winston.transports.Stream({ stream: sink })] });
      return withContext(CTX, () => measure(() => log.info('hello world'), Math.round(ITERATIONS / 4)));
    }
  }
}

function inChild(variant: Variant): Promise<Rate> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--variant', variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (rate) => resolve(rate as Rate));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${variant} exited with ${code}`))));
  });
}

export async function main(): Promise<void> {
  const rates = {} as Record<Variant, Rate>;
  for (const variant of VARIANTS) {
    rates[variant] = await inChild(variant);
    process.stdout.write(`${variant.padEnd(30)} ${String(rates[variant].opsPerSec).padStart(10)} ops/s  ${String(rates[variant].nsPerOp).padStart(8)} ns/op\n`);
  }
  const o = (v: Variant) => rates[v].opsPerSec;
  const figures = {
    bench: 'logger',
    iterations: ITERATIONS,
    pino_bare_ops: o('pino-bare'),
    pino_traceMixin_ops: o('pino-traceMixin'),
    pino_pinoOptions_ops: o('pino-pinoOptions'),
    pino_otel_instrumentation_ops: o('pino-otel-instrumentation'),
    traceMixin_overhead_pct: pct(o('pino-bare'), o('pino-traceMixin')),
    pinoOptions_overhead_pct: pct(o('pino-bare'), o('pino-pinoOptions')),
    otel_instrumentation_overhead_pct: pct(o('pino-bare'), o('pino-otel-instrumentation')),
    winston_bare_ops: o('winston-bare'),
    winston_traceFormat_ops: o('winston-traceFormat'),
    winston_traceFormat_noredact_ops: o('winston-traceFormat-noredact'),
    traceFormat_overhead_pct: pct(o('winston-bare'), o('winston-traceFormat')),
    traceFormat_noredact_overhead_pct: pct(o('winston-bare'), o('winston-traceFormat-noredact')),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

const variantFlag = process.argv.indexOf('--variant');
if (variantFlag !== -1) {
  const variant = process.argv[variantFlag + 1] as Variant;
  runVariant(variant).then(
    (rate) => process.send?.(rate, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
      process.exit(1);
    },
  );
}
