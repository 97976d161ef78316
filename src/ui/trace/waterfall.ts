// The waterfall: one row per span on a shared time axis, gaps as labelled bands, the logs under their spans.
import { serviceColor } from '../colors.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { logRow } from '../log-row.js';
import type { ApiLog, Gap } from '../types.js';
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

/** Log rows under a span (or the loose ones), `shown` at first, the rest behind a "show more" button. */
function logBlock(logs: readonly ApiLog[], shown: number, raw: boolean, depth: number): HTMLElement {
  const block = h('div', { class: 'wf-logs' });
  block.style.setProperty('--depth', String(Math.min(depth, 30)));
  let drawn = 0;
  const more = h('button', { class: 'show-more', attrs: { type: 'button' } });
  const drawUpTo = (n: number) => {
    const fragment = document.createDocumentFragment();
    for (; drawn < Math.min(n, logs.length); drawn++) {
      const log = logs[drawn]!;
      fragment.appendChild(logRow(log, { time: raw ? logRawTime(log) : log.time, clockOnly: true, traceLink: false }));
    }
    more.before(fragment);
    const left = logs.length - drawn;
    more.hidden = left === 0;
    more.textContent = `show ${Math.min(left, MORE_STEP)} more of ${left} lines`;
  };
  block.append(more);
  more.addEventListener('click', () => drawUpTo(drawn + MORE_STEP));
  drawUpTo(shown);
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
  const withLogs = model.rows.filter((r) => r.logs.length > 0).length + (model.looseLogs.length > 0 ? 1 : 0);
  if (withLogs === 0) return 0;
  return Math.max(MIN_PER_SPAN, Math.min(MAX_PER_SPAN, Math.floor(LOG_BUDGET / withLogs)));
}

export interface WaterfallOptions {
  /** Draw on the clocks as logged instead of the skew-adjusted ones. */
  raw: boolean;
}

export function waterfall(model: TraceModel, options: WaterfallOptions): HTMLElement {
  const { start, end } = bounds(model, options.raw);
  const scale = scaleFor(start, end);
  const quota = perSpanQuota(model);
  const body = h('div', { class: 'wf-body' });
  const fragment = document.createDocumentFragment();
  for (const row of model.rows) {
    fragment.appendChild(spanRow(row, scale, options.raw));
    if (row.logs.length > 0) fragment.appendChild(logBlock(row.logs, quota, options.raw, row.depth + 1));
  }
  if (model.looseLogs.length > 0) {
    fragment.appendChild(h('div', { class: 'wf-row loose-heading' }, h('span', { class: 'muted' }, `${model.looseLogs.length} lines not under any span`)));
    fragment.appendChild(logBlock(model.looseLogs, quota, options.raw, 0));
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
