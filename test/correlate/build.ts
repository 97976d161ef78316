// Builds hand-made traces for the correlation tests: spans and lines by service, times in ms from a base.
import { createHash } from 'node:crypto';
import type { LogRecord, Span, SpanKind, SpanStatus, Attributes } from '../../src/model/records.js';
import { Severity } from '../../src/model/severity.js';
import type { TraceInput } from '../../src/correlate/index.js';

/** 2023-11-14T22:13:20Z in µs: a round base so failures read easily. */
export const BASE = 1_700_000_000_000_000;
export const ms = (n: number): number => Math.round(n * 1000);
export const at = (msFromBase: number): number => BASE + ms(msFromBase);

export function hex(seed: string, length: 16 | 32): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, length);
}

export interface SpanSpec {
  id: string;
  service: string;
  kind?: SpanKind;
  name?: string;
  /** ms from BASE. */
  start: number;
  end: number;
  parent?: string;
  status?: SpanStatus;
  attributes?: Attributes;
  origin?: Span['origin'];
}

export interface LineSpec {
  service?: string;
  /** ms from BASE. */
  at: number;
  body?: string;
  span?: string;
  level?: number;
  attributes?: Attributes;
  host?: string;
  noTrace?: boolean;
}

/** A trace made of named spans: `id` names become stable 16-hex span IDs. */
export class TraceBuilder {
  readonly traceId: string;
  readonly spans: Span[] = [];
  readonly logs: (LogRecord & { id: string })[] = [];

  constructor(seed = 'trace') {
    this.traceId = hex(seed, 32);
  }

  id(name: string): string {
    return hex(`${this.traceId}/${name}`, 16);
  }

  span(spec: SpanSpec): this {
    const s: Span = {
      traceId: this.traceId,
      spanId: this.id(spec.id),
      name: spec.name ?? spec.id,
      kind: spec.kind ?? 'server',
      start: at(spec.start),
      duration: ms(spec.end - spec.start),
      status: spec.status ?? 'unset',
      service: spec.service,
      origin: spec.origin ?? 'otlp',
    };
    if (spec.parent !== undefined) s.parentSpanId = this.id(spec.parent);
    if (spec.attributes !== undefined) s.attributes = spec.attributes;
    this.spans.push(s);
    return this;
  }

  line(spec: LineSpec): this {
    const l: LogRecord & { id: string } = { id: String(this.logs.length + 1), time: at(spec.at), severityNumber: spec.level ?? Severity.INFO, body: spec.body ?? 'line' };
    if (spec.noTrace !== true) l.traceId = this.traceId;
    if (spec.service !== undefined) l.service = spec.service;
    if (spec.span !== undefined) l.spanId = this.id(spec.span);
    if (spec.attributes !== undefined) l.attributes = spec.attributes;
    if (spec.host !== undefined) l.host = spec.host;
    this.logs.push(l);
    return this;
  }

  /** As the store returns it: logs in time order, spans in start order. */
  build(): TraceInput<LogRecord & { id: string }> & { logs: Array<LogRecord & { id: string }> } {
    return {
      traceId: this.traceId,
      aliases: [],
      logs: [...this.logs].sort((a, b) => a.time - b.time),
      spans: [...this.spans].sort((a, b) => a.start - b.start),
    };
  }
}

/**
 * The checkout story: checkout → inventory → warehouse DB → shipping → a third-party rates API.
 * `network`: a 9 s wait between inventory's call leaving and shipping receiving it.
 * `third-party`: shipping's call to the rates API takes 9.7 s.
 */
export function checkoutStory(variant: 'network' | 'third-party'): TraceBuilder {
  const t = new TraceBuilder(`checkout-${variant}`);
  const slowNet = variant === 'network';
  const shipStart = slowNet ? 9080 : 90;
  const apiEnd = slowNet ? 9900 : 9900;
  const apiStart = slowNet ? 9100 : 110;
  t.span({ id: 'checkout', service: 'checkout', name: 'POST /checkout', start: 0, end: 10_000 })
    .span({ id: 'checkout→inventory', service: 'checkout', kind: 'client', name: 'POST inventory:8080/reserve', start: 10, end: 9_990, parent: 'checkout' })
    .span({ id: 'inventory', service: 'inventory', name: 'POST /reserve', start: 20, end: 9_980, parent: 'checkout→inventory' })
    .span({ id: 'inventory→db', service: 'inventory', kind: 'client', name: 'SELECT stock', start: 30, end: 70, parent: 'inventory', attributes: { 'db.system': 'postgresql', 'db.name': 'warehouse' } })
    .span({ id: 'inventory→shipping', service: 'inventory', kind: 'client', name: 'POST shipping:8080/quote', start: 80, end: 9_970, parent: 'inventory' })
    .span({ id: 'shipping', service: 'shipping', name: 'POST /quote', start: shipStart, end: 9_960, parent: 'inventory→shipping' })
    .span({ id: 'shipping→api', service: 'shipping', kind: 'client', name: 'GET api.rates.example/v2/rates', start: apiStart, end: apiEnd, parent: 'shipping' });
  return t;
}
