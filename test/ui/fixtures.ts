// Log data for the UI tests, built as services write it: pino JSON lines, span-end lines among them.
import { createHash } from 'node:crypto';

/** Deterministic hex IDs from a label, so a fixture reads as names and stays the same across runs. */
export function hexId(label: string, length: 16 | 32): string {
  return createHash('sha256').update(label).digest('hex').slice(0, length);
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type Level = keyof typeof LEVELS;

export interface LogSpec {
  service: string;
  /** µs since the epoch (written as pino's ms with a µs remainder lost: pino writes ms). */
  timeUs: number;
  msg: string;
  level?: Level;
  traceId?: string;
  spanId?: string;
  alias?: string;
  hostname?: string;
  /** Extra fields of the line: they become the record's attributes. */
  fields?: Record<string, unknown>;
}

/** One pino line, stamped the way our plugin stamps it. */
export function logLine(spec: LogSpec): string {
  return JSON.stringify({
    level: LEVELS[spec.level ?? 'info'],
    time: Math.floor(spec.timeUs / 1000),
    pid: 4242,
    hostname: spec.hostname ?? `${spec.service}-1`,
    msg: spec.msg,
    ...(spec.traceId !== undefined ? { trace_id: spec.traceId, span_id: spec.spanId, trace_flags: '01' } : {}),
    ...(spec.alias !== undefined ? { trace_alias: spec.alias } : {}),
    service: spec.service,
    ...spec.fields,
  });
}

export interface SpanSpec {
  service: string;
  spanId: string;
  parent?: string;
  name: string;
  kind: 'server' | 'client' | 'internal';
  startUs: number;
  durationUs: number;
  status?: 'unset' | 'error';
  statusCode?: number;
  url?: string;
}

/** The line the HTTP adapter writes when a span ends (README, "The span-end line"). */
export function spanEndLine(traceId: string, span: SpanSpec, alias?: string): string {
  const [method, target] = span.name.split(' ');
  const failed = span.status === 'error';
  return logLine({
    service: span.service,
    timeUs: span.startUs + span.durationUs,
    level: failed ? 'error' : 'info',
    msg: `${span.kind} span ${span.name}${span.statusCode !== undefined ? ` ${span.statusCode}` : ''} in ${(span.durationUs / 1000).toFixed(1)} ms`,
    traceId,
    spanId: span.spanId,
    ...(alias !== undefined ? { alias } : {}),
    fields: {
      span_end: {
        name: span.name,
        kind: span.kind,
        start_us: span.startUs,
        duration_us: span.durationUs,
        status: span.status ?? 'unset',
        ...(span.parent !== undefined ? { parent_span_id: span.parent } : {}),
        http: { method, ...(span.kind === 'server' ? { route: target, target } : { url: span.url ?? `http://${target}` }), ...(span.statusCode !== undefined ? { status_code: span.statusCode } : {}) },
      },
    },
  });
}

export const XSS_SCRIPT = '<script>alert(1)</script>';
export const XSS_IMG = '<img src=x onerror=alert(2)>';

export interface CheckoutTrace {
  traceId: string;
  alias: string;
  t0: number;
  spans: Record<'checkout' | 'checkoutCall' | 'inventory' | 'dbCall' | 'shippingCall' | 'shipping' | 'ratesCall', SpanSpec>;
  lines: string[];
}

/**
 * The story's slow checkout: checkout → inventory (50 ms of work, a warehouse DB call) → 9 s before shipping
 * receives the call → a third-party rates API. Logs under every span, one of them hostile markup.
 * `shippingClockUs` sets shipping's clock that far off, in what it logs (its spans and lines).
 */
export function checkoutTrace(options: { label: string; t0Us: number; slow?: boolean; shippingClockUs?: number }): CheckoutTrace {
  const traceId = hexId(`trace ${options.label}`, 32);
  const alias = `ORD-${hexId(options.label, 16).slice(0, 6)}-77`;
  const t0 = options.t0Us;
  const wait = options.slow === false ? 40_000 : 9_000_000;
  const id = (name: string) => hexId(`${options.label} ${name}`, 16);
  const s = {
    checkout: { service: 'checkout', spanId: id('checkout'), name: 'POST /checkout', kind: 'server', startUs: t0, durationUs: wait + 1_000_000, statusCode: 200 },
    checkoutCall: { service: 'checkout', spanId: id('checkoutCall'), parent: id('checkout'), name: 'POST inventory/reserve', kind: 'client', startUs: t0 + 5_000, durationUs: wait + 990_000, statusCode: 200 },
    inventory: { service: 'inventory', spanId: id('inventory'), parent: id('checkoutCall'), name: 'POST /reserve', kind: 'server', startUs: t0 + 10_000, durationUs: wait + 980_000, statusCode: 200 },
    dbCall: { service: 'inventory', spanId: id('dbCall'), parent: id('inventory'), name: 'SELECT warehouse/items', kind: 'client', startUs: t0 + 15_000, durationUs: 30_000 },
    shippingCall: { service: 'inventory', spanId: id('shippingCall'), parent: id('inventory'), name: 'POST shipping/quote', kind: 'client', startUs: t0 + 50_000, durationUs: wait + 930_000, statusCode: 200 },
    shipping: { service: 'shipping', spanId: id('shipping'), parent: id('shippingCall'), name: 'POST /quote', kind: 'server', startUs: t0 + 50_000 + wait, durationUs: 920_000, statusCode: 200 },
    ratesCall: { service: 'shipping', spanId: id('ratesCall'), parent: id('shipping'), name: 'GET rates.example/v2/rates', kind: 'client', startUs: t0 + 100_000 + wait, durationUs: 800_000, statusCode: 200 },
  } satisfies CheckoutTrace['spans'];
  const off = options.shippingClockUs ?? 0;
  if (off !== 0) {
    s.shipping.startUs += off;
    s.ratesCall.startUs += off;
  }
  const log = (span: SpanSpec, offsetUs: number, msg: string, level: Level = 'info', fields: Record<string, unknown> = {}) =>
    logLine({ service: span.service, timeUs: span.startUs + offsetUs, msg, level, traceId, spanId: span.spanId, fields });
  const lines = [
    log(s.checkout, 1_000, `checkout started for cart 7 (${options.label})`, 'info', { cart_id: 7, order_id: alias }),
    log(s.checkout, 2_000, `customer note: ${XSS_SCRIPT} and ${XSS_IMG}`, 'warn', { note: XSS_IMG }),
    log(s.inventory, 2_000, 'reserving 3 items'),
    log(s.inventory, 30_000, 'items reserved in warehouse 2'),
    log(s.inventory, 45_000, 'asking shipping for a quote'),
    log(s.shipping, 1_000, 'quote requested for 3 items'),
    log(s.shipping, 900_000, 'quote ready: 4.90 EUR'),
    log(s.checkout, wait + 999_000, 'checkout finished', 'info'),
    ...Object.values(s).map((span) => spanEndLine(traceId, span, span === s.checkout ? alias : undefined)),
  ];
  return { traceId, alias, t0, spans: s, lines };
}

/** Background traffic: quick checkouts and some inventory errors, so search, services and the chart have data. */
export function background(options: { t0Us: number; count: number }): string[] {
  const lines: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const t = options.t0Us + i * 20_000_000;
    lines.push(...checkoutTrace({ label: `quick ${i}`, t0Us: t, slow: false }).lines);
    if (i % 3 === 0) {
      // Halfway between two checkouts, so no call of theirs is taken for the one this request came from.
      const f = t + 10_000_000;
      const traceId = hexId(`failing ${i}`, 32);
      const spanId = hexId(`failing ${i} span`, 16);
      lines.push(
        logLine({ service: 'inventory', timeUs: f + 1_000, level: 'error', msg: `stock lookup failed: connection refused (${i})`, traceId, spanId }),
        spanEndLine(traceId, { service: 'inventory', spanId, name: 'POST /reserve', kind: 'server', startUs: f, durationUs: 3_000, status: 'error', statusCode: 503 }),
      );
    }
  }
  return lines;
}

/** A trace as large as the UI must stay usable with: `spans` spans in a shallow tree, `linesPerSpan` lines each (one an error, if asked). */
export function bigTrace(options: { t0Us: number; spans: number; linesPerSpan: number; errorAt?: { span: number; line: number } }): { traceId: string; rootSpanId: string; lines: string[] } {
  const traceId = hexId('big trace', 32);
  const lines: string[] = [];
  const rootId = hexId('big root', 16);
  const services = ['gateway', 'orders', 'billing', 'stock', 'mailer', 'search'];
  for (let i = 0; i < options.spans; i++) {
    const spanId = i === 0 ? rootId : hexId(`big ${i}`, 16);
    const parent = i === 0 ? undefined : i < 50 ? rootId : hexId(`big ${i % 49 + 1}`, 16);
    const service = services[i % services.length]!;
    const start = options.t0Us + i * 1_000;
    const duration = i === 0 ? options.spans * 1_000 + 50_000 : 40_000;
    lines.push(spanEndLine(traceId, { service, spanId, ...(parent ? { parent } : {}), name: `GET /step/${i}`, kind: 'server', startUs: start, durationUs: duration, statusCode: 200 }));
    for (let j = 0; j < options.linesPerSpan; j++) {
      const failed = options.errorAt?.span === i && options.errorAt.line === j;
      lines.push(logLine({ service, timeUs: start + 100 + j * 10, msg: `step ${i} line ${j}${failed ? ' failed' : ''}`, level: failed ? 'error' : j === 3 ? 'warn' : 'info', traceId, spanId }));
    }
  }
  return { traceId, rootSpanId: rootId, lines };
}

/**
 * What the coverage page reports on: a legacy `billing` service that stamps 1 line in 5, a call from billing
 * to `ledger` whose trace ID did not survive the hop, and a request ID reused by two traces.
 */
export function coverageFixture(t0Us: number): { lines: string[]; clientTraceId: string; serverTraceId: string; alias: string; aliasTraces: string[] } {
  const clientTraceId = hexId('billing client', 32);
  const serverTraceId = hexId('ledger server', 32);
  const callId = hexId('billing call', 16);
  const alias = 'REQ-4242';
  const aliasTraces = [hexId('reuse a', 32), hexId('reuse b', 32)];
  const lines = [
    ...[1, 2, 3, 4].map((i) => logLine({ service: 'billing', timeUs: t0Us + i * 1000, msg: `invoice batch ${i} written` })),
    spanEndLine(clientTraceId, { service: 'billing', spanId: callId, name: 'POST ledger/entries', kind: 'client', startUs: t0Us + 10_000, durationUs: 200_000, statusCode: 200 }),
    spanEndLine(serverTraceId, { service: 'ledger', spanId: hexId('ledger root', 16), name: 'POST /entries', kind: 'server', startUs: t0Us + 20_000, durationUs: 150_000, statusCode: 200 }),
    ...aliasTraces.map((traceId, i) => logLine({ service: 'checkout', timeUs: t0Us + 300_000 + i * 1000, msg: 'request id reused', traceId, spanId: hexId(`reuse ${i}`, 16), alias })),
  ];
  return { lines, clientTraceId, serverTraceId, alias, aliasTraces };
}
