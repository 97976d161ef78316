// What the correlation engine reads back: alias links (with the line that joined them), aliases several
// traces claim, spans by start time, and the per-minute rollups summed per service and minute.
import { isValidTraceId } from '../../model/ids.js';
import type { LatencyHistogram, MinuteRollup } from '../../model/metrics.js';
import type { Span } from '../../model/records.js';
import { StoreError } from '../errors.js';
import type { RollupQuery, SpanQuery, StoredAliasLink } from '../types.js';
import type { Connection } from './connection.js';
import { byBytes } from './reader.js';
import { spanOf, SPAN_COLUMNS, type SpanRow } from './rows.js';
import type { Layout } from './schema.js';
import { int, strList } from './sql.js';

const HOUR_US = 3_600_000_000;

const clamp = (value: number, max: number) => Math.max(0, Math.min(max, Math.floor(Number(value)) || 0));

function range(from: unknown, to: unknown): [number, number] {
  if (typeof from !== 'number' || typeof to !== 'number' || Number.isNaN(from) || Number.isNaN(to)) {
    throw new StoreError('STORE_BAD_QUERY', 'from and to must be µs since the epoch');
  }
  const bound = (v: number) => Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.ceil(v)));
  return [bound(from), bound(to)];
}

interface LinkRow {
  alias: string;
  trace_id: string;
  linked: string;
  joined_by: string;
}

export class DerivedReader {
  constructor(
    private readonly connection: Connection,
    private readonly layout: Layout,
  ) {}

  /** Links naming these traces or aliases; per link the latest time it was linked and the first line that joined it. */
  async aliasLinks(query: { traceIds?: string[]; aliases?: string[] }, limit: number, h: string): Promise<StoredAliasLink[]> {
    const n = clamp(limit, 10_000);
    const traces = [...new Set((query.traceIds ?? []).map((id) => String(id).toLowerCase()).filter((id) => isValidTraceId(id)))];
    const aliases = [...new Set((query.aliases ?? []).map(String))];
    const cols = 'alias, trace_id, linked, joined_by';
    const [byTrace, byAlias] = await Promise.all([
      traces.length === 0 ? [] : this.connection.rows<LinkRow>(`SELECT ${cols} FROM ${this.layout.table('trace_aliases')} WHERE trace_id IN (${strList(traces)})${h}`, 'reading alias links'),
      aliases.length === 0 ? [] : this.connection.rows<LinkRow>(`SELECT ${cols} FROM ${this.layout.table('aliases')} WHERE alias IN (${strList(aliases)})${h}`, 'reading alias links'),
    ]);
    const links = new Map<string, { link: StoredAliasLink; joinedAt: number }>();
    for (const row of [...byTrace, ...byAlias]) {
      const key = `${row.trace_id}/${row.alias}`;
      const linked = Number(row.linked);
      let entry = links.get(key);
      if (entry === undefined) links.set(key, (entry = { link: { alias: row.alias, traceId: row.trace_id, linked }, joinedAt: Infinity }));
      if (linked > entry.link.linked) entry.link.linked = linked;
      // The first line that joined it stays (as a link made again keeps what it had).
      if (row.joined_by !== '' && linked < entry.joinedAt) {
        entry.joinedAt = linked;
        entry.link.joinedBy = JSON.parse(row.joined_by) as NonNullable<StoredAliasLink['joinedBy']>;
      }
    }
    return [...links.values()].map((e) => e.link).sort((a, b) => b.linked - a.linked).slice(0, n);
  }

  async ambiguousAliases(limit: number, h: string): Promise<Array<{ alias: string; traceIds: string[] }>> {
    const n = clamp(limit, 10_000);
    if (n === 0) return [];
    const rows = await this.connection.rows<{ alias: string; traces: string[] }>(
      `SELECT alias, groupUniqArray(trace_id) AS traces, uniqExact(trace_id) AS n FROM ${this.layout.table('aliases')} WHERE 1${h}
       GROUP BY alias HAVING n > 1 ORDER BY n DESC, alias LIMIT ${n}`,
      'finding aliases of several traces',
    );
    return rows.map((r) => ({ alias: r.alias, traceIds: [...r.traces].sort() }));
  }

  /** Spans that started in [from, to), each once (the winning copy among those in range), oldest first. */
  async spans(query: SpanQuery, h: string): Promise<Span[]> {
    const [from, to] = range(query.from, query.to);
    const n = clamp(query.limit, 1_000_000);
    if (n === 0 || from >= to) return [];
    const rows = await this.connection.rows<SpanRow>(
      `SELECT * FROM (
         SELECT ${SPAN_COLUMNS} FROM ${this.layout.table('spans')} WHERE start >= ${int(from)} AND start < ${int(to)}${h}
         ORDER BY trace_id, span_id, rank DESC, stored, attempt, seq LIMIT 1 BY trace_id, span_id)
       ORDER BY start, stored, akey, seq LIMIT ${n}`,
      'reading spans by time',
    );
    return rows.map(spanOf);
  }

  /**
   * The rollups of [from, to), summed per service and minute — or per hour (`resolution: 'hour'`, whole hours
   * from the minutes in them) — in (period, service) order; without histograms when `latency: false`.
   */
  async rollups(query: RollupQuery, h: string): Promise<MinuteRollup[]> {
    let [from, to] = range(query.from, query.to);
    const hourly = query.resolution === 'hour';
    if (hourly) [from, to] = [Math.ceil(from / HOUR_US) * HOUR_US, Math.ceil(to / HOUR_US) * HOUR_US];
    if (from >= to) return [];
    const period = hourly ? `intDiv(minute, ${HOUR_US}) * ${HOUR_US}` : 'minute';
    const services = query.services !== undefined && query.services.length > 0 ? ` AND service IN (${strList(query.services.map(String))})` : '';
    const where = `minute >= ${int(from)} AND minute < ${int(to)}${services}${h}`;
    const table = this.layout.table('rollups');
    const withLatency = query.latency !== false;
    const [sums, buckets] = await Promise.all([
      this.connection.rows<Record<string, string | number>>(
        `SELECT ${period} AS period, service, sum(requests) AS rq, sum(errors) AS er, sum(lines) AS li, sum(error_lines) AS el, sum(traced_lines) AS tl,
           sum(lat_count) AS lc, sum(lat_sum) AS ls, minIf(lat_min, lat_count > 0) AS lmin, maxIf(lat_max, lat_count > 0) AS lmax,
           any(lat_min) AS amin, any(lat_max) AS amax
         FROM ${table} WHERE ${where} GROUP BY period, service ORDER BY period, service`,
        'summing rollups',
      ),
      !withLatency
        ? []
        : this.connection.rows<{ period: string; service: string; k: string; n: string }>(
            `SELECT ${period} AS period, service, k, sum(bc) AS n FROM ${table} ARRAY JOIN bucket_keys AS k, bucket_counts AS bc WHERE ${where} GROUP BY period, service, k`,
            'summing latency buckets',
          ),
    ]);
    const histograms = new Map<string, Record<string, number>>();
    for (const b of buckets) {
      const key = `${b.period}/${b.service}`;
      if (!histograms.has(key)) histograms.set(key, {});
      histograms.get(key)![b.k] = Number(b.n);
    }
    const out = sums.map((r): MinuteRollup => {
      const count = Number(r.lc);
      const latency: LatencyHistogram = !withLatency
        ? { count: 0, sum: 0, min: 0, max: 0, buckets: {} }
        : { count, sum: Number(r.ls), min: Number(count > 0 ? r.lmin : r.amin), max: Number(count > 0 ? r.lmax : r.amax), buckets: histograms.get(`${r.period}/${r.service}`) ?? {} };
      return { service: String(r.service), minute: Number(r.period), requests: Number(r.rq), errors: Number(r.er), lines: Number(r.li), errorLines: Number(r.el), tracedLines: Number(r.tl), latency };
    });
    return out.sort((a, b) => a.minute - b.minute || byBytes(a.service, b.service));
  }
}
