// The trace page: summary, gaps, the waterfall with logs under their spans, and the services panel beside it.
import { ApiError, getJson } from '../api.js';
import { h, link, note, replace } from '../dom.js';
import { formatCount, formatDuration, formatTime } from '../format.js';
import { bounds, buildModel, type TraceModel } from '../trace/model.js';
import { sidePanel } from '../trace/side.js';
import { waterfall, type BlockState, type PageLogs } from '../trace/waterfall.js';
import type { TraceAnswer, TraceLogsPage } from '../types.js';

function legend(model: TraceModel): HTMLElement {
  const item = (cls: string, text: string) => h('span', { class: 'legend-item' }, h('span', { class: `legend-key ${cls}`, attrs: { 'aria-hidden': 'true' } }), text);
  return h(
    'div',
    { class: 'legend', attrs: { 'aria-label': 'legend' } },
    item('key-received', 'received span'),
    item('key-derived', 'derived from log lines'),
    model.rows.some((r) => r.critical.length > 0) ? item('key-critical', 'critical path') : null,
    model.gaps.length > 0 ? item('key-gap', 'gap') : null,
    item('key-error', 'error'),
  );
}

/** A line of facts under the title; the one-sentence summary comes from the API when it has one. */
function facts(model: TraceModel): HTMLElement {
  const { start, end } = bounds(model, false);
  const services = new Set(model.rows.map((r) => r.span.service ?? 'unknown'));
  for (const l of model.looseLogs) services.add(l.service ?? 'unknown');
  const lines = model.logsLoaded < model.logCount ? `${formatCount(model.logCount)} log lines (${formatCount(model.logsLoaded)} loaded)` : `${formatCount(model.logCount)} log lines`;
  return h('p', { class: 'facts muted' }, `${formatCount(model.rows.length)} spans · ${lines} · ${services.size} services · ${formatDuration(end - start)} · started ${formatTime(start)}`);
}

/** Says what the answer left out and how to get it: lines are paged in under their spans; past the store's limits, search. */
function leftOut(answer: TraceAnswer, model: TraceModel): HTMLElement[] {
  const notes: HTMLElement[] = [];
  if (model.logsLoaded < model.logCount) {
    const q = model.logsPerSpan;
    const which = !Number.isFinite(q) ? 'the first lines of each span' : q === 0 ? 'every error line and the first line of the earliest spans' : `at least the first ${q === 1 ? 'line' : `${q} lines`} of each span and every error line`;
    notes.push(note('info', `This trace has ${formatCount(model.logCount)} log lines; ${formatCount(model.logsLoaded)} were loaded: ${which}. "show more" under a span loads the rest of its lines.`));
  }
  if (answer.limitReached === true) {
    notes.push(note('info', 'This trace is larger than the indexer reads for one view: records past its limit are not shown. ', link(`/search?q=${encodeURIComponent(`trace:${model.traceId}`)}`, 'Search its lines'), ' to see them all.'));
  }
  return notes;
}

/** The largest gaps first; the small ones (a few ms of network each way) behind a click. */
function gapList(model: TraceModel): HTMLElement | null {
  if (model.gaps.length === 0) return null;
  const sorted = model.gaps.slice().sort((a, b) => b.duration - a.duration);
  const item = (g: TraceModel['gaps'][number]) => h('li', null, h('strong', null, `${formatDuration(g.duration)} gap`), ` ${g.from} → ${g.to}: ${g.description}`);
  const top = sorted.slice(0, 3);
  const rest = sorted.slice(3);
  return h(
    'ul',
    { class: 'gaps plain', attrs: { 'aria-label': 'gaps', 'data-testid': 'gaps' } },
    ...top.map(item),
    rest.length > 0 ? h('li', null, h('details', null, h('summary', null, `${rest.length} smaller gaps`), h('ul', { class: 'plain' }, ...rest.map(item)))) : null,
  );
}

function notFound(root: HTMLElement, id: string, message: string): void {
  replace(
    root,
    h('h1', null, 'Trace not found'),
    note('error', `${message.charAt(0).toUpperCase()}${message.slice(1)}.`),
    h('p', null, 'Check the ID, or ', link(`/search?q=${encodeURIComponent(`trace:${id}`)}`, 'search for lines that name it'), '.'),
  );
}

export async function tracePage(root: HTMLElement, url: URL, signal: AbortSignal): Promise<void> {
  const id = decodeURIComponent(url.pathname.slice('/trace/'.length));
  replace(root, h('h1', null, 'Trace ', h('code', null, id)), note('info', 'Loading the trace…'));
  let answer: TraceAnswer;
  // Marks for whoever measures the page (the browser's performance panel, a benchmark): fetch, then draw.
  performance.mark('trace:start');
  try {
    answer = await getJson<TraceAnswer>(`/api/traces/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return notFound(root, id, error.message);
    replace(root, h('h1', null, 'Trace ', h('code', null, id)), note('error', `The trace could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (signal.aborted) return;
  performance.measure('trace:fetch', 'trace:start');
  performance.mark('trace:fetched');
  const model = buildModel(answer);
  document.title = `trace ${model.traceId} · logstitch`;

  let raw = false;
  const holder = h('div', { class: 'wf-holder' });
  const pageLogs: PageLogs = (spanId, cursor, limit) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (spanId !== undefined) query.set('span', spanId);
    if (cursor !== undefined) query.set('cursor', cursor);
    return getJson<TraceLogsPage>(`/api/traces/${encodeURIComponent(model.traceId)}/logs?${query}`);
  };
  // Lines fetched under a span stay when the clock toggle redraws the waterfall.
  const blocks = new Map<string, BlockState>();
  const draw = () => holder.replaceChildren(waterfall(model, { raw, pageLogs, blocks }));

  const clock = h('fieldset', { class: 'toggle', attrs: { 'aria-label': 'clock' } }, h('legend', null, 'Clocks'));
  for (const [value, text] of [['adjusted', 'adjusted for skew'], ['raw', 'as logged (raw)']] as const) {
    const input = h('input', { attrs: { type: 'radio', name: 'clock', value } });
    input.checked = value === 'adjusted';
    input.disabled = !model.hasRawTimes;
    input.addEventListener('change', () => {
      raw = input.value === 'raw';
      draw();
    });
    clock.append(h('label', null, input, ` ${text}`));
  }
  if (!model.hasRawTimes) clock.append(h('span', { class: 'muted small' }, ' no clock correction from this indexer'));
  else if (!model.skewed) clock.append(h('span', { class: 'muted small' }, ' no offsets were needed'));

  const logsToggle = h('input', { attrs: { type: 'checkbox', name: 'logs' } });
  logsToggle.checked = true;
  // Hiding the lines is a class, not a redraw: a 2,000-span waterfall is not rebuilt for it.
  logsToggle.addEventListener('change', () => holder.classList.toggle('hide-logs', !logsToggle.checked));

  draw();
  replace(
    root,
    h('h1', null, 'Trace ', h('code', { class: 'trace-id' }, model.traceId)),
    model.summary !== undefined ? h('p', { class: 'summary', attrs: { 'data-testid': 'summary' } }, model.summary) : null,
    facts(model),
    ...leftOut(answer, model),
    gapList(model),
    h('div', { class: 'controls' }, clock, h('label', { class: 'logs-toggle' }, logsToggle, ' logs under spans'), legend(model)),
    h('div', { class: 'trace-layout' }, h('div', { class: 'trace-main' }, model.rows.length === 0 && model.logCount === 0 ? note('empty', 'This trace has no spans and no lines.') : holder), sidePanel(model)),
  );
  performance.measure('trace:draw', 'trace:fetched');
}
