// bench/logger: what stamping costs per log call — pino and winston with our plugins, and pino with
// OpenTelemetry's instrumentation — each against the bare logger timed in the same process, in
// alternating rounds. Each variant runs in a process of its own, so that module patching by one
// (OpenTelemetry's) cannot touch another.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { compare, compareAsync, type Rate } from './_measure.js';

const PINO_VARIANTS = ['traceMixin', 'stampHook', 'pinoOptions', 'otel-instrumentation-pino'] as const;
const WINSTON_VARIANTS = ['traceFormat', 'traceFormat-noredact', 'traceFormat-before-json'] as const;
type PinoVariant = (typeof PINO_VARIANTS)[number];
type WinstonVariant = (typeof WINSTON_VARIANTS)[number];
/** `sink`: a stream whose write does nothing (the pure CPU cost); `devnull`: a synchronous write to /dev/null per line. */
type Destination = 'sink' | 'devnull';
interface Result {
  baseline: Rate;
  candidate: Rate;
  overheadPct: number;
}

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const require = createRequire(import.meta.url);
const CTX = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
type PinoFactory = typeof import('pino').pino;

async function runPino(variant: PinoVariant, destination: Destination): Promise<Result> {
  const { withContext } = await import('../src/context/index.js');
  const plugin = await import('../adapters/pino/index.js');
  // Captured before any instrumentation patches the module, so the baseline stays bare.
  const pino = require('pino') as PinoFactory & typeof import('pino');
  const dest = () => (destination === 'sink' ? { write(): void {} } : pino.destination({ dest: '/dev/null', sync: true }));
  const iterations = Math.round((destination === 'sink' ? 100_000 : 20_000) * SCALE);
  const bare = pino({}, dest());
  if (variant === 'otel-instrumentation-pino') {
    const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
    const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
    const { PinoInstrumentation } = await import('@opentelemetry/instrumentation-pino');
    new NodeTracerProvider().register();
    // Log correlation only, as ours does: no sending through the OpenTelemetry logs SDK.
    registerInstrumentations({ instrumentations: [new PinoInstrumentation({ disableLogSending: true })] });
    const patched = require('pino') as PinoFactory;
    const log = patched({}, dest());
    const { trace } = await import('@opentelemetry/api');
    return trace.getTracer('bench').startActiveSpan('bench', (span) => {
      const result = compare(() => bare.info('hello world'), () => log.info('hello world'), iterations);
      span.end();
      return result;
    });
  }
  const options = variant === 'traceMixin' ? { mixin: plugin.traceMixin({ service: 'bench' }) } : variant === 'stampHook' ? { hooks: { streamWrite: plugin.stampHook({ service: 'bench' }) } } : plugin.pinoOptions({ service: 'bench' });
  const log = pino(options, dest());
  return withContext(CTX, () => compare(() => bare.info('hello world'), () => log.info('hello world'), iterations));
}

async function runWinston(variant: WinstonVariant, destination: Destination): Promise<Result> {
  const { createWriteStream } = await import('node:fs');
  const { withContext } = await import('../src/context/index.js');
  const winston = (await import('winston')).default;
  const { traceFormat } = await import('../adapters/winston/index.js');
  // The recommended place for traceFormat is after json(); before it, it adds fields for json() to render.
  const formats = (stamp: boolean) => {
    if (!stamp) return [winston.format.json()];
    const trace = traceFormat({ service: 'bench', redact: variant === 'traceFormat-noredact' ? false : {} });
    return variant === 'traceFormat-before-json' ? [trace, winston.format.json()] : [winston.format.json(), trace];
  };
  const logger = (stamp: boolean) =>
    winston.createLogger({
      format: winston.format.combine(...formats(stamp)),
      transports: [new winston.transports.Stream({ stream: destination === 'sink' ? new Writable({ objectMode: true, write: (_chunk, _enc, cb) => cb() }) : createWriteStream('/dev/null') })],
    });
  const bare = logger(false);
  const log = logger(true);
  return withContext(CTX, () => compareAsync(() => bare.info('hello world'), () => log.info('hello world'), Math.round(20_000 * SCALE)));
}

function inChild(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--run', ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (result) => resolve(result as Result));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

const line = (name: string, r: Result) =>
  `${name.padEnd(44)} bare ${String(r.baseline.nsPerOp).padStart(7)} ns   with ${String(r.candidate.nsPerOp).padStart(7)} ns   +${String(Math.round((r.candidate.nsPerOp - r.baseline.nsPerOp) * 10) / 10).padStart(6)} ns   ${String(r.overheadPct).padStart(6)} %\n`;

export async function main(): Promise<void> {
  const figures: Record<string, unknown> = { bench: 'logger', scale: SCALE };
  const extra: Record<string, number> = {};
  for (const destination of ['sink', 'devnull'] as const) {
    for (const variant of PINO_VARIANTS) {
      const r = await inChild(['pino', variant, destination]);
      process.stdout.write(line(`pino + ${variant} (${destination})`, r));
      const key = variant.replace(/-/g, '_');
      extra[`${key}_${destination}`] = r.candidate.nsPerOp - r.baseline.nsPerOp;
      figures[`pino_bare_ns_${destination}`] ??= r.baseline.nsPerOp;
      figures[`${key}_extra_ns_${destination}`] = Math.round(extra[`${key}_${destination}`]! * 10) / 10;
      figures[`${key}_overhead_pct_${destination}`] = r.overheadPct;
    }
    const otel = extra[`otel_instrumentation_pino_${destination}`]!;
    for (const ours of ['traceMixin', 'stampHook', 'pinoOptions']) {
      figures[`${ours}_cost_vs_otel_${destination}`] = Math.round((extra[`${ours}_${destination}`]! / otel) * 100) / 100;
    }
  }
  for (const destination of ['sink', 'devnull'] as const) {
    for (const variant of WINSTON_VARIANTS) {
      const r = await inChild(['winston', variant, destination]);
      process.stdout.write(line(`winston + ${variant} (${destination})`, r));
      figures[`winston_bare_ns_${destination}`] ??= r.baseline.nsPerOp;
      figures[`${variant.replace(/-/g, '_')}_extra_ns_${destination}`] = Math.round((r.candidate.nsPerOp - r.baseline.nsPerOp) * 10) / 10;
      figures[`${variant.replace(/-/g, '_')}_overhead_pct_${destination}`] = r.overheadPct;
    }
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

const flag = process.argv.indexOf('--run');
if (flag !== -1) {
  const [kind, variant, destination] = process.argv.slice(flag + 1);
  const run = kind === 'pino' ? runPino(variant as PinoVariant, destination as Destination) : runWinston(variant as WinstonVariant, destination as Destination);
  run.then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
      process.exit(1);
    },
  );
}
