// The waterfall: one row per span on a shared time axis, gaps as labelled bands, the logs under their spans
// (those the answer carried, and the rest fetched a page at a time).
import { serviceColor } from '../colors.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { logRow } from '../log-row.js';
import type { ApiLog, Gap, TraceLogsPage } from '../types.js';
import { bounds, logRawTime, type SpanRow, type TraceModel } from './model.js';

/** How many log rows a trace page draws before it asks: enough to read, few enough to stay fast at 20,000 lines. */
export const LOG_BUDGET = 2000;
/** A span with lines always shows at least this many before its "show more". */
const MIN_PER_SPAN = 1;
const MAX_PER_SPAN = 50;
/** Lines one "show more" click adds. */
const MORE_STEP = 200;
/** A gap narrower than this share of the axis gets no label on the band (it is still listed above). */
const LABEL_MIN_SHARE = 0.04;

interface Scale {
  start: number;
  total: number;
  /** Percentage of the axis at time `t`. */
  at(t: number): number;
}

function scaleFor(start: number, end: number): Scale {
  const total = end - start;
  return { start, total, at: (t) => ((t - start) / total) * 100 };
}

/** Tick spacing of 1, 2 or 5 × 10^k µs giving about six ticks. */
function tickStep(total: number): number {
  const rough = total / 6;
  const pow = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

function axis(scale: Scale): HTMLElement {
  const el = h('div', { class: 'wf-axis', attrs: { 'aria-hidden': 'true' } });
  const step = tickStep(scale.total);
  for (let t = 0; t <= scale.total; t += step) {
    const tick = h('span', { class: 'tick' }, t === 0 ? '0' : formatDuration(t));
    tick.style.left = `${(t / scale.total) * 100}%`;
    el.append(tick);
  }
  return el;
}

function place(el: HTMLElement, scale: Scale, start: number, end: number): void {
  const left = Math.min(100, Math.max(0, scale.at(start)));
  el.style.left = `${left}%`;
  el.style.width = `${Math.max(0, Math.min(100 - left, scale.at(end) - left))}%`;
}

function spanDetails(row: SpanRow): HTMLElement {
  const s = row.span;
  const facts: Array<[string, string]> = [
    ['span', s.spanId],
    ['parent', s.parentSpanId ?? '—'],
    ['kind', s.kind],
    ['status', s.status],
    ['origin', `${s.origin ?? 'unknown'}${row.derived ? ' (derived from log lines)' : ' (received)'}`],
    ['duration', formatDuration(s.duration)],
  ];
  if (row.rawStart !== row.start) facts.push(['clock skew', `${row.start > row.rawStart ? '+' : '−'}${formatDuration(Math.abs(row.start - row.rawStart))} applied`]);
  for (const [k, v] of Object.entries(s.attributes ?? {})) facts.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return h('dl', { class: 'attrs span-attrs' }, ...facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function spanRow(row: SpanRow, scale: Scale, raw: boolean): HTMLElement {
  const s = row.span;
  const start = raw ? row.rawStart : row.start;
  const swatch = h('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } });
  swatch.style.background = serviceColor(s.service);
  const label = h(
    'button',
    { class: 'wf-label', attrs: { type: 'button', 'aria-expanded': 'false' }, title: `${s.service ?? 'unknown'}: ${s.name}` },
    swatch,
    h('span', { class: 'span-service' }, s.service ?? 'unknown'),
    h('span', { class: 'span-name' }, s.name),
    row.error ? h('span', { class: 'badge badge-error' }, 'error') : null,
  );
  label.style.paddingLeft = `${0.4 + Math.min(row.depth, 30) * 0.9}em`;
  const bar = h('div', { class: `bar${row.derived ? ' derived' : ''}${row.error ? ' error' : ''}${row.critical.length > 0 ? ' critical' : ''}` });
  bar.style.setProperty('--c', serviceColor(s.service));
  place(bar, scale, start, start + row.duration);
  const track = h('div', { class: 'wf-track' }, bar);
  // In raw mode critical-path segments would sit on the other clock: they are drawn on the adjusted axis only.
  if (!raw) {
    for (const seg of row.critical) {
      const mark = h('div', { class: 'crit-seg' });
      place(mark, scale, seg.start, seg.end);
      track.append(mark);
    }
  }
  track.append(h('span', { class: 'wf-dur' }, formatDuration(row.duration)));
  const el = h('div', {
    class: `wf-row span-row${row.derived ? ' derived' : ' received'}${row.critical.length > 0 ? ' on-critical-path' : ''}`,
    attrs: { 'data-span-id': s.spanId, 'data-service': s.service ?? 'unknown', role: 'row' },
  }, label, track);
  let details: HTMLElement | undefined;
  label.addEventListener('click', () => {
    const open = label.getAttribute('aria-expanded') !== 'true';
    label.setAttribute('aria-expanded', String(open));
    details ??= spanDetails(row);
    if (open) el.after(details);
    else details.remove();
  });
  return el;
}

/** Fetches a page of a span's lines (or, without a span, of the trace's) after a cursor: GET /api/traces/:id/logs. */
export type PageLogs = (spanId: string | undefined, cursor: string | undefined, limit: number) => Promise<TraceLogsPage>;

/** What a block of lines has loaded and drawn; kept by the page so a redraw of the waterfall loses nothing. */
export interface BlockState {
  /** The span's lines from its first, with none missing between, in time order. */
  known: ApiLog[];
  total: number;
  cursor: string | undefined;
  fetched: boolean;
  done: boolean;
  /** Rows drawn of `known`; -1 before the block was first drawn. */
  drawn: number;
}

/** The lines of one block: those the answer carried, how many there are in all, and how to fetch the rest. */
interface LineSource {
  /** In time order. */
  logs: readonly ApiLog[];
  /** The first `head` of them are the span's first lines with none missing between (the rest: later errors). */
  head: number;
  total: number;
  /** Absent when the rest cannot be fetched (the indexer has no paging route). */
  page?: (cursor: string | undefined, limit: number) => Promise<TraceLogsPage>;
}

/**
 * How many of a span's carried lines are its first lines with none missing between: its first
 * `perSpan`, and the next when that is not an error line (only errors are carried past the first lines,
 * besides one more line for some spans when the answer had room).
 */
function headOf(logs: readonly ApiLog[], perSpan: number): number {
  if (logs.length <= perSpan) return logs.length;
  return perSpan + (logs[perSpan]!.severityNumber < ERROR ? 1 : 0);
}

/** SeverityNumber of the first error level. */
const ERROR = 17;

/**
 * Log rows under a span (or the loose ones): `shown` of the span's first lines at first, then "show more",
 * which draws lines already here or fetches the next page. Lines the answer carried past a stretch not yet
 * loaded (error lines) sit below the button, in time order, until the stretch before them is loaded.
 */
function logBlock(source: LineSource, shown: number, raw: boolean, depth: number, kept?: BlockState): HTMLElement {
  const block = h('div', { class: 'wf-logs' });
  block.style.setProperty('--depth', String(Math.min(depth, 30)));
  const whole = source.logs.length >= source.total;
  // A block drawn before (the clock toggle redraws the waterfall) starts where it was, fetched lines included.
  const st: BlockState = kept ?? { known: [], total: 0, cursor: undefined, fetched: false, done: false, drawn: -1 };
  if (st.drawn < 0) Object.assign(st, { known: whole ? source.logs.slice() : source.logs.slice(0, source.head), total: source.total, done: whole || source.page === undefined });
  const target = st.drawn >= 0 ? st.drawn : Math.max(shown, 0);
  st.drawn = 0;
  const row = (log: ApiLog) => logRow(log, { time: raw ? logRawTime(log) : log.time, clockOnly: true, traceLink: false });
  const more = h('button', { class: 'show-more', attrs: { type: 'button' } });
  const problem = h('span', { class: 'muted small', attrs: { role: 'status' } });
  // Carried lines past the stretch not loaded yet, by ID: each leaves its place below once reached above.
  const later = new Map<string, HTMLElement>();
  block.append(more, problem);
  for (const log of whole ? [] : source.logs.slice(source.head)) {
    const el = row(log);
    later.set(String(log.id), el);
    block.append(el);
  }
  const drawUpTo = (n: number) => {
    const fragment = document.createDocumentFragment();
    for (; st.drawn < Math.min(n, st.known.length); st.drawn++) {
      const log = st.known[st.drawn]!;
      later.get(String(log.id))?.remove();
      later.delete(String(log.id));
      fragment.appendChild(row(log));
    }
    more.before(fragment);
    const left = Math.max(0, st.total - st.drawn - later.size);
    more.hidden = left === 0 || (st.drawn === st.known.length && st.done);
    more.disabled = false;
    more.textContent = `show ${Math.min(left, MORE_STEP)} more of ${left} lines`;
    // Lines this indexer cannot page in are still counted, so their absence is never silent.
    if (more.hidden && left > 0) problem.textContent = `${left} more lines not loaded here`;
  };
  const fetchMore = async () => {
    more.disabled = true;
    more.textContent = 'loading…';
    problem.textContent = '';
    try {
      // The first fetch starts at the span's first line: the lines already here come again and are replaced.
      const page = await source.page!(st.fetched ? st.cursor : undefined, st.fetched ? MORE_STEP : st.known.length + MORE_STEP);
      st.known = st.fetched ? st.known.concat(page.logs) : page.logs;
      st.fetched = true;
      st.cursor = page.nextCursor;
      st.done = st.cursor === undefined;
      st.total = page.total;
      drawUpTo(st.drawn + MORE_STEP);
    } catch (error) {
      problem.textContent = ` the lines could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      drawUpTo(st.drawn);
    }
  };
  more.addEventListener('click', () => {
    if (st.drawn < st.known.length || st.done) drawUpTo(st.drawn + MORE_STEP);
    else void fetchMore();
  });
  drawUpTo(target);
  return block;
}

/** Gaps narrower than this share of the axis get no band (they are still listed above the waterfall). */
const BAND_MIN_SHARE = 0.005;

function gapBand(gap: Gap, scale: Scale): HTMLElement {
  const band = h('div', { class: 'gap-band', title: `${formatDuration(gap.duration)} gap: ${gap.description}`, attrs: { 'data-gap-kind': gap.kind } });
  place(band, scale, gap.start, gap.end);
  return band;
}

/** The labels sit in the header, above their bands, where they cover no span or line. */
function gapLabels(gaps: readonly Gap[], scale: Scale): HTMLElement {
  const strip = h('div', { class: 'wf-gap-labels' });
  for (const gap of gaps) {
    if (gap.duration / scale.total < LABEL_MIN_SHARE) continue;
    const label = h('span', { class: 'gap-label', title: `${gap.from} → ${gap.to}: ${gap.description}` }, `${formatDuration(gap.duration)} gap`);
    label.style.left = `${scale.at((gap.start + gap.end) / 2)}%`;
    strip.append(label);
  }
  return strip;
}

/** Lines per span before "show more": the budget shared among the spans that have lines. */
export function perSpanQuota(model: TraceModel): number {
  const withLogs = model.rows.filter((r) => r.logTotal > 0).length + (model.looseTotal > 0 ? 1 : 0);
  if (withLogs === 0) return 0;
  return Math.max(MIN_PER_SPAN, Math.min(MAX_PER_SPAN, Math.floor(LOG_BUDGET / withLogs)));
}

export interface WaterfallOptions {
  /** Draw on the clocks as logged instead of the skew-adjusted ones. */
  raw: boolean;
  /** Fetches the lines the answer left out; without it only the lines carried are shown. */
  pageLogs?: PageLogs;
  /** Each block's loaded lines by span ID ('' for lines under no span), kept across redraws. */
  blocks?: Map<string, BlockState>;
}

export function waterfall(model: TraceModel, options: WaterfallOptions): HTMLElement {
  const { start, end } = bounds(model, options.raw);
  const scale = scaleFor(start, end);
  const quota = perSpanQuota(model);
  const body = h('div', { class: 'wf-body' });
  const fragment = document.createDocumentFragment();
  const pageLogs = options.pageLogs;
  const kept = (key: string): BlockState | undefined => {
    if (options.blocks === undefined) return undefined;
    let st = options.blocks.get(key);
    if (st === undefined) options.blocks.set(key, (st = { known: [], total: 0, cursor: undefined, fetched: false, done: false, drawn: -1 }));
    return st;
  };
  const source = (logs: ApiLog[], total: number, spanId: string | undefined, pageable: boolean): LineSource => ({
    logs,
    total,
    head: headOf(logs, model.logsPerSpan),
    ...(pageLogs !== undefined && pageable ? { page: (cursor: string | undefined, limit: number) => pageLogs(spanId, cursor, limit) } : {}),
  });
  for (const row of model.rows) {
    fragment.appendChild(spanRow(row, scale, options.raw));
    if (row.logTotal > 0) fragment.appendChild(logBlock(source(row.logs, row.logTotal, row.span.spanId, true), quota, options.raw, row.depth + 1, kept(row.span.spanId)));
  }
  if (model.looseTotal > 0) {
    fragment.appendChild(h('div', { class: 'wf-row loose-heading' }, h('span', { class: 'muted' }, `${model.looseTotal} lines not under any span`)));
    // The paging route pages by span, or every line: the loose ones alone only when there are no spans.
    fragment.appendChild(logBlock(source(model.looseLogs, model.looseTotal, undefined, model.rows.length === 0), quota, options.raw, 0, kept('')));
  }
  body.appendChild(fragment);
  // Gaps are measured on the adjusted clocks; on the raw axis they would point at the wrong place.
  const gaps = options.raw ? [] : model.gaps.filter((g) => g.duration / scale.total >= BAND_MIN_SHARE);
  if (gaps.length > 0) body.prepend(h('div', { class: 'wf-overlay', attrs: { 'aria-hidden': 'true' } }, ...gaps.map((g) => gapBand(g, scale))));
  return h(
    'div',
    { class: 'waterfall', attrs: { role: 'table', 'aria-label': 'waterfall', 'data-testid': 'waterfall' } },
    h('div', { class: 'wf-head' }, h('div', { class: 'wf-label-head' }, `${model.rows.length} spans`), h('div', { class: 'wf-scale' }, axis(scale), gaps.length > 0 ? gapLabels(gaps, scale) : null)),
    body,
  );
}
