// Tail sampling: whole traces kept or dropped after a quiet wait, in bounded memory, with metrics taken before.
import { describe, expect, it } from 'vitest';
import { CorrelateError, errorRate, mergeRollups, MetricsRollup, sampledByTraceId, TailSampler, type TailSamplerConfig } from '../../src/correlate/index.js';
import type { LogRecord, Span } from '../../src/model/records.js';
import { Severity } from '../../src/model/severity.js';
import { hex } from './build.js';

class Clock {
  ms = 1_000_000;
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

function trace(name: string, opts: { spanError?: boolean; logError?: boolean; durationMs?: number; service?: string } = {}): { traceId: string; spans: Span[]; logs: LogRecord[] } {
  const traceId = hex(name, 32);
  const service = opts.service ?? 'api';
  const span: Span = { traceId, spanId: hex(`${name}/s`, 16), name: 'GET /', kind: 'server', start: 1e15, duration: (opts.durationMs ?? 20) * 1000, status: opts.spanError === true ? 'error' : 'unset', service };
  const logs: LogRecord[] = [
    { time: 1e15 + 1, severityNumber: Severity.INFO, body: `${name} start`, traceId, service },
    { time: 1e15 + 2, severityNumber: opts.logError === true ? Severity.ERROR : Severity.INFO, body: `${name} end`, traceId, service },
  ];
  return { traceId, spans: [span], logs };
}

const noRandom: TailSamplerConfig['policies'] = [{ type: 'error' }, { type: 'latency', thresholdMs: 5000 }, { type: 'slower-than-p99' }, { type: 'probabilistic', percentage: 0 }];

function sampler(config: TailSamplerConfig = {}, p99?: (s: string) => number | undefined) {
  const clock = new Clock();
  const s = new TailSampler({ enabled: true, decisionWaitMs: 10_000, policies: noRandom, ...config }, { now: clock.now, ...(p99 ? { p99 } : {}) });
  return { s, clock };
}

describe('TailSampler', () => {
  it('is off by default: every record passes straight through and is counted as kept', () => {
    const s = new TailSampler();
    const t = trace('plain');
    const out = s.offer(t);
    expect(out.spans).toEqual(t.spans);
    expect(out.logs).toEqual(t.logs);
    expect(s.stats()).toMatchObject({ enabled: false, spans: { observed: 1, kept: 1 }, logs: { observed: 2, kept: 2 }, held: { traces: 0 } });
  });

  it('holds traces until quiet, then keeps those with an error span, an error line, or slowness — logs included', () => {
    const { s, clock } = sampler();
    const traces = { span: trace('span-error', { spanError: true }), log: trace('log-error', { logError: true }), slow: trace('slow', { durationMs: 6000 }), plain: trace('plain') };
    for (const t of Object.values(traces)) expect(s.offer(t)).toEqual({ logs: [], spans: [] });
    clock.advance(9_999);
    expect(s.poll()).toEqual({ logs: [], spans: [] });
    clock.advance(1);
    const out = s.poll();
    expect(new Set(out.spans.map((sp) => sp.traceId))).toEqual(new Set([traces.span.traceId, traces.log.traceId, traces.slow.traceId]));
    expect(out.logs).toHaveLength(6);
    expect(s.decisionOf(traces.plain.traceId)).toBe('drop');
    expect(s.stats()).toMatchObject({ traces: { observed: 4, kept: 3, dropped: 1 }, keptBy: { error: 2, latency: 1 }, spans: { observed: 4, kept: 3 }, logs: { observed: 8, kept: 6 } });
  });

  it('looks at spans only for errors when told to, as the Collector does', () => {
    const { s, clock } = sampler({ policies: [{ type: 'error', logs: false }] });
    const t = trace('log-error', { logError: true });
    s.offer(t);
    clock.advance(10_000);
    expect(s.poll().logs).toEqual([]);
    expect(s.decisionOf(t.traceId)).toBe('drop');
  });

  it('waits again whenever more of a trace arrives', () => {
    const { s, clock } = sampler({ policies: [{ type: 'always' }] });
    const t = trace('busy');
    s.offer({ spans: t.spans, logs: [] });
    clock.advance(8_000);
    s.offer({ spans: [], logs: t.logs });
    clock.advance(4_000);
    expect(s.poll().spans).toEqual([]);
    clock.advance(6_000);
    expect(s.poll()).toEqual({ spans: t.spans, logs: t.logs });
  });

  it('sends late records the way their trace went, and counts them', () => {
    const { s, clock } = sampler();
    const kept = trace('kept', { spanError: true });
    const dropped = trace('dropped');
    s.offer(kept);
    s.offer(dropped);
    clock.advance(10_000);
    s.poll();
    const lateKept: LogRecord = { ...kept.logs[0]!, body: 'late' };
    const lateDropped: LogRecord = { ...dropped.logs[0]!, body: 'late' };
    expect(s.offer({ spans: [], logs: [lateKept, lateDropped] }).logs).toEqual([lateKept]);
    expect(s.stats().late).toEqual({ kept: 1, dropped: 1 });
  });

  it('forgets decisions after their time, so much later data is judged afresh', () => {
    const { s, clock } = sampler({ decisionTtlMs: 60_000 });
    const t = trace('old');
    s.offer(t);
    clock.advance(10_000);
    s.poll();
    clock.advance(61_000);
    expect(s.decisionOf(t.traceId)).toBeUndefined();
    s.offer({ spans: [], logs: [{ ...t.logs[0]!, severityNumber: Severity.ERROR }] });
    expect(s.stats().held.traces).toBe(1);
  });

  it('passes records without a trace ID straight through', () => {
    const { s } = sampler();
    const loose: LogRecord = { time: 1, severityNumber: Severity.INFO, body: 'no trace', service: 'cron' };
    expect(s.offer({ spans: [], logs: [loose] }).logs).toEqual([loose]);
  });

  it('never holds more than maxTraces: past it the quietest traces are decided early', () => {
    const { s, clock } = sampler({ maxTraces: 10, policies: [{ type: 'error' }] });
    let released = 0;
    for (let i = 0; i < 25; i++) {
      clock.advance(1);
      released += s.offer(trace(`t${i}`, { spanError: i % 5 === 0 })).spans.length;
      expect(s.stats().held.traces).toBeLessThanOrEqual(10);
    }
    // t0, t5, t10 were among the 15 oldest, decided early and kept.
    expect(released).toBe(3);
    expect(s.stats().earlyDecisions).toBe(15);
  });

  it('never holds more than maxBytes', () => {
    const { s } = sampler({ maxBytes: 20_000, policies: [{ type: 'always' }] });
    let released = 0;
    for (let i = 0; i < 200; i++) {
      released += s.offer(trace(`b${i}`)).logs.length;
      expect(s.stats().held.bytes).toBeLessThanOrEqual(20_000);
    }
    expect(released + s.flush().logs.length).toBe(400);
  });

  it('keeps a trace slower than its service’s p99', () => {
    const { s, clock } = sampler({}, (service) => (service === 'api' ? 100_000 : undefined));
    const slow = trace('slow-ish', { durationMs: 150 });
    const fine = trace('fine', { durationMs: 90 });
    const other = trace('other-service', { durationMs: 150, service: 'unknown-p99' });
    s.offer(slow);
    s.offer(fine);
    s.offer(other);
    clock.advance(10_000);
    expect(s.poll().spans.map((sp) => sp.traceId)).toEqual([slow.traceId]);
    expect(s.stats().keptBy).toEqual({ 'slower-than-p99': 1 });
  });

  it('keeps a fixed share of the rest, decided on the trace ID so every indexer agrees', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => hex(`p${i}`, 32));
    const share = ids.filter((id) => sampledByTraceId(id, 25)).length / ids.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
    const { s, clock } = sampler({ policies: [{ type: 'probabilistic', percentage: 25, name: 'quarter' }] });
    for (let i = 0; i < 400; i++) s.offer(trace(`p${i}`));
    clock.advance(10_000);
    const kept = new Set(s.poll().spans.map((sp) => sp.traceId));
    expect(kept).toEqual(new Set(ids.slice(0, 400).filter((id) => sampledByTraceId(id, 25))));
    expect(s.stats().keptBy.quarter).toBe(kept.size);
  });

  it('rejects policies and limits it cannot use, saying what to write', () => {
    const bad: [TailSamplerConfig, RegExp][] = [
      [{ policies: [{ type: 'sometimes' }] as never }, /unknown type "sometimes"/],
      [{ policies: [{ type: 'latency' }] as never }, /latency needs thresholdMs/],
      [{ policies: [{ type: 'probabilistic', percentage: 150 }] }, /percentage between 0 and 100/],
      [{ policies: {} as never }, /must be a list/],
      [{ decisionWaitMs: -1 }, /decisionWaitMs must be a positive number/],
    ];
    for (const [config, message] of bad) {
      expect(() => new TailSampler({ enabled: true, ...config })).toThrow(message);
      expect(() => new TailSampler({ enabled: true, ...config })).toThrow(CorrelateError);
    }
  });
});

describe('metrics with tail sampling on and off', () => {
  it('gives the exact error rate either way, since rollups read the batch before sampling', () => {
    const run = (enabled: boolean) => {
      const clock = new Clock();
      const s = new TailSampler({ enabled, policies: [{ type: 'error' }] }, { now: clock.now });
      const rollup = new MetricsRollup();
      const rows = [];
      let stored = 0;
      for (let i = 0; i < 200; i++) {
        const batch = trace(`m${i}`, { spanError: i % 8 === 0 });
        rows.push(...rollup.rollupBatch(batch));
        stored += s.offer(batch).spans.length;
      }
      clock.advance(10_000);
      stored += s.poll().spans.length;
      const total = mergeRollups(rows).find((r) => r.service === 'api')!;
      return { rate: errorRate(total), requests: total.requests, stored, stats: s.stats() };
    };
    const off = run(false);
    const on = run(true);
    expect(off.rate).toBe(25 / 200);
    expect(on.rate).toBe(25 / 200);
    expect(on.requests).toBe(200);
    expect(off.stored).toBe(200);
    expect(on.stored).toBe(25);
    expect(on.stats.services.api).toEqual({ spans: { observed: 200, kept: 25 }, logs: { observed: 400, kept: 50 } });
  });
});
