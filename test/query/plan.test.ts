// Query text → SearchPlan: the combining rules, case, hyphens, escapes, levels, trace and span IDs, attributes.
import { describe, expect, it } from 'vitest';
import { traceIdFromLegacy } from '../../src/model/ids.js';
import type { SearchField, SearchPlan, SearchTerm } from '../../src/model/search-plan.js';
import { planQuery } from '../../src/query/index.js';

const exact = (field: SearchField, ...values: string[]): SearchTerm => ({ field, values, match: 'exact' });
const prefix = (field: SearchField, value: string): SearchTerm => ({ field, values: [value], match: 'prefix' });
const msg = (word: string): SearchTerm[] => [exact('msg', word)];
const plan = (all: SearchTerm[][], none: SearchTerm[] = []): SearchPlan => ({ all, none });
const derived = (legacy: string): string => traceIdFromLegacy(legacy)?.traceId ?? 'none';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** Queries that need no vocabulary, and the plans they must give. */
const TABLE: [string, SearchPlan][] = [
  // the examples
  [
    'service:checkout level:error +timeout -retry conn* trace:4bf92f35*',
    plan(
      [[exact('service', 'checkout')], [exact('level', 'error')], msg('timeout'), [prefix('msg', 'conn')], [prefix('trace', '4bf92f35')]],
      [exact('msg', 'retry')],
    ),
  ],
  ['attr.order_id:A-17', plan([[exact('attr.order_id', 'A-17')]])],
  ['paymnt~0', plan([msg('paymnt')])],
  // empty
  ['', plan([])],
  ['   \t ', plan([])],
  // text terms: lowercased, all required, + the same as nothing
  ['timeout', plan([msg('timeout')])],
  ['Timeout', plan([msg('timeout')])],
  ['connection refused', plan([msg('connection'), msg('refused')])],
  ['+connection +refused', plan([msg('connection'), msg('refused')])],
  ['msg:connection msg:refused', plan([msg('connection'), msg('refused')])],
  ['+timeout timeout', plan([msg('timeout')])],
  ['-retry', plan([], [exact('msg', 'retry')])],
  ['timeout -retry -Backoff', plan([msg('timeout')], [exact('msg', 'retry'), exact('msg', 'backoff')])],
  // tokenised like the full-text index
  ['connection-refused', plan([msg('connection'), msg('refused')])],
  ['msg:Connection-Refused!', plan([msg('connection'), msg('refused')])],
  ['x+y-z', plan([msg('x'), msg('y'), msg('z')])],
  ['user@example.com', plan([msg('user'), msg('example'), msg('com')])],
  ['Überweisung FEHLGESCHLAGEN', plan([msg('überweisung'), msg('fehlgeschlagen')])],
  ['日志 ошибка', plan([msg('日志'), msg('ошибка')])],
  ['conn-*', plan([msg('conn')])],
  ['conn*-ref*', plan([[prefix('msg', 'conn')], [prefix('msg', 'ref')]])],
  [';', plan([])],
  ['-;', plan([])],
  // no phrases: quotes are not letters
  ['"connection refused"', plan([msg('connection'), msg('refused')])],
  // same field ORs, different fields AND, + stands alone, - excludes
  ['service:checkout', plan([[exact('service', 'checkout')]])],
  ['service:checkout service:inventory', plan([[exact('service', 'checkout', 'inventory')]])],
  ['service:checkout service:checkout', plan([[exact('service', 'checkout')]])],
  ['service:checkout level:error service:inventory', plan([[exact('service', 'checkout', 'inventory')], [exact('level', 'error')]])],
  ['+service:cart service:checkout', plan([[exact('service', 'cart')], [exact('service', 'checkout')]])],
  ['-service:checkout', plan([], [exact('service', 'checkout')])],
  ['service:checkout -service:checkout', plan([[exact('service', 'checkout')]], [exact('service', 'checkout')])],
  ['service:check* service:cart', plan([[prefix('service', 'check'), exact('service', 'cart')]])],
  ['host:web-1 host:web-2 -level:debug', plan([[exact('host', 'web-1', 'web-2')]], [exact('level', 'debug')])],
  // service, host and attribute values are kept as typed
  ['service:Checkout', plan([[exact('service', 'Checkout')]])],
  ['service: checkout', plan([[exact('service', 'checkout')]])],
  ['service:*', plan([[prefix('service', '')]])],
  ['attr.http.status:500 attr.http.status:503', plan([[exact('attr.http.status', '500', '503')]])],
  ['attr.user-id:Ann attr.region:EU', plan([[exact('attr.user-id', 'Ann')], [exact('attr.region', 'EU')]])],
  ['attr.Order_ID:a-17', plan([[exact('attr.Order_ID', 'a-17')]])],
  ['attr.order:A-1*', plan([[prefix('attr.order', 'A-1')]])],
  ['attr.user:*', plan([[prefix('attr.user', '')]])],
  ['-attr.env:staging', plan([], [exact('attr.env', 'staging')])],
  ['attr.über_größe:XL', plan([[exact('attr.über_größe', 'XL')]])],
  // levels
  ['level:error', plan([[exact('level', 'error')]])],
  ['level:ERROR', plan([[exact('level', 'error')]])],
  ['level:Warning', plan([[exact('level', 'warn')]])],
  ['level:warn level:WARNING', plan([[exact('level', 'warn')]])],
  ['level:trace level:debug level:info', plan([[exact('level', 'trace', 'debug', 'info')]])],
  ['level:fatal', plan([[exact('level', 'fatal')]])],
  ['-level:debug -level:trace', plan([], [exact('level', 'debug'), exact('level', 'trace')])],
  ['level:err*', plan([[exact('level', 'error')]])],
  ['level:w*', plan([[exact('level', 'warn')]])],
  ['level:*', plan([[exact('level', 'debug', 'error', 'fatal', 'info', 'trace', 'warn')]])],
  ['level:eror~1', plan([[exact('level', 'error')]])],
  ['level:wran~1', plan([[exact('level', 'warn')]])],
  // trace IDs, prefixes and legacy IDs
  [`trace:${TRACE}`, plan([[exact('trace', TRACE)]])],
  [`trace:${TRACE.toUpperCase()}`, plan([[exact('trace', TRACE)]])],
  ['trace:4bf92f35*', plan([[prefix('trace', '4bf92f35')]])],
  ['trace:4BF92F35*', plan([[prefix('trace', '4bf92f35')]])],
  ['trace:*', plan([[prefix('trace', '')]])],
  ['trace:abc-123', plan([[exact('trace', 'abc-123', derived('abc-123'))]])],
  ['trace:ABC-123', plan([[exact('trace', 'ABC-123', derived('ABC-123'))]])],
  ['trace:JIRA-4711', plan([[exact('trace', 'JIRA-4711', derived('JIRA-4711'))]])],
  ['trace:4BF92F35-77B3-4DA6-A3CE-929D0E0E4736', plan([[exact('trace', '4BF92F35-77B3-4DA6-A3CE-929D0E0E4736', TRACE)]])],
  [
    'trace:a3ce929d0e0e4736',
    plan([[exact('trace', 'a3ce929d0e0e4736', '0000000000000000a3ce929d0e0e4736', derived('a3ce929d0e0e4736'))]]),
  ],
  ['trace:abc-123 trace:def-456', plan([[exact('trace', 'abc-123', derived('abc-123'), 'def-456', derived('def-456'))]])],
  ['-trace:abc-123', plan([], [exact('trace', 'abc-123', derived('abc-123'))])],
  // span IDs
  [`span:${SPAN}`, plan([[exact('span', SPAN)]])],
  [`span:${SPAN.toUpperCase()}`, plan([[exact('span', SPAN)]])],
  ['span:00F067AA*', plan([[prefix('span', '00f067aa')]])],
  // boosts are accepted and ignored
  ['timeout^10', plan([msg('timeout')])],
  ['service:checkout^2 level:error^5', plan([[exact('service', 'checkout')], [exact('level', 'error')]])],
  // escapes
  ['service:\\-cart', plan([[exact('service', '-cart')]])],
  ['\\-retry', plan([msg('retry')])],
  ['attr.url:http\\://host/a', plan([[exact('attr.url', 'http://host/a')]])],
  ['attr.delta:\\+5', plan([[exact('attr.delta', '+5')]])],
  ['conn\\*', plan([[prefix('msg', 'conn')]])],
  // SQL-looking and other hostile text stays a value
  ["'; DROP TABLE logs;", plan([msg('drop'), msg('table'), msg('logs')])],
  ["service:checkout' OR '1'='1", plan([[exact('service', "checkout'")], msg('or'), msg('1')])],
  ["attr.q:1=1;--", plan([[exact('attr.q', '1=1;--')]])],
  ['service:"checkout"', plan([[exact('service', '"checkout"')]])],
  ['<script>alert(1)</script>', plan([msg('script'), msg('alert'), msg('1')])],
  ['(timeout OR retry)', plan([msg('timeout'), msg('or'), msg('retry')])],
  ['🔥 timeout', plan([msg('timeout')])],
];

describe('planQuery: query text → plan', () => {
  it.each(TABLE)('%j', async (query, expected) => {
    expect(await planQuery(query, {})).toEqual(expected);
  });

  it('keeps the time range', async () => {
    expect(await planQuery('', { from: 1_000, to: 2_000 })).toEqual({ all: [], none: [], from: 1_000, to: 2_000 });
    expect(await planQuery('timeout', { from: 5 })).toEqual({ all: [msg('timeout')], none: [], from: 5 });
  });

  it('treats tabs and newlines as spaces, and a hyphen after one as "exclude"', async () => {
    expect(await planQuery('timeout\t-retry\nservice:cart', {})).toEqual(
      plan([msg('timeout'), [exact('service', 'cart')]], [exact('msg', 'retry')]),
    );
  });

  it('gives the legacy ID and the trace ID logstitch derives from it, as the ingest side computes it', async () => {
    const { all } = await planQuery('trace:abc-123', {});
    const values = all[0]?.[0]?.values ?? [];
    expect(values[0]).toBe('abc-123');
    expect(values[1]).toMatch(/^[0-9a-f]{32}$/);
    expect(values[1]).toBe(traceIdFromLegacy('abc-123')?.traceId);
  });

  it('rejects a non-positive maxExpansions as a programming error', async () => {
    await expect(planQuery('conn*', { maxExpansions: 0 })).rejects.toThrow(RangeError);
  });
});
