// The services page: error rate over time, RED figures per service, and a service's error lines in a chosen bucket.
import { getJson, isNotFound } from '../api.js';
import { h, link, note, replace } from '../dom.js';
import { formatCount, formatMaybeDuration, formatRate, formatTime } from '../format.js';
import { logRow, serviceTag } from '../log-row.js';
import { navigate } from '../router.js';
import { errorChart } from '../services/chart.js';
import { apiRange, rangeControl, readRange, writeRange } from '../time-range.js';
import type { ErrorMetrics, SearchPage, ServiceSummary } from '../types.js';

interface Selection {
  service?: string;
  /** Bucket bounds, µs. */
  from?: number;
  to?: number;
}

function metricsTable(metrics: ErrorMetrics, selected: string | undefined, pick: (service: string) => void): HTMLElement {
  const head = ['service', 'requests', 'errors', 'error rate', 'p50', 'p95', 'p99'];
  return h(
    'table',
    { class: 'grid clickable', attrs: { 'data-testid': 'services-table' } },
    h('thead', null, h('tr', null, ...head.map((t, i) => h('th', i > 0 ? { class: 'num' } : null, t)))),
    h(
      'tbody',
      null,
      ...metrics.totals.map((t) =>
        h(
          'tr',
          { class: t.service === selected ? 'selected' : '', attrs: { 'data-service': t.service, tabindex: '0' }, on: { click: () => pick(t.service), keydown: (e) => e.key === 'Enter' && pick(t.service) } },
          h('td', null, serviceTag(t.service)),
          h('td', { class: 'num' }, formatCount(t.requests)),
          h('td', { class: 'num' }, formatCount(t.errors)),
          h('td', { class: `num${(t.errorRate ?? 0) > 0.05 ? ' bad' : ''}` }, formatRate(t.errorRate)),
          h('td', { class: 'num' }, formatMaybeDuration(t.p50)),
          h('td', { class: 'num' }, formatMaybeDuration(t.p95)),
          h('td', { class: 'num' }, formatMaybeDuration(t.p99)),
        ),
      ),
    ),
  );
}

/** Without the metrics route: what /api/services knows (lines, error lines, spans). */
function summaryTable(services: ServiceSummary[], selected: string | undefined, pick: (service: string) => void): HTMLElement {
  return h(
    'table',
    { class: 'grid clickable', attrs: { 'data-testid': 'services-table' } },
    h('thead', null, h('tr', null, h('th', null, 'service'), h('th', { class: 'num' }, 'lines'), h('th', { class: 'num' }, 'error lines'), h('th', { class: 'num' }, 'spans'), h('th', null, 'last seen'))),
    h(
      'tbody',
      null,
      ...services.map((s) =>
        h(
          'tr',
          { class: s.service === selected ? 'selected' : '', attrs: { 'data-service': s.service, tabindex: '0' }, on: { click: () => pick(s.service), keydown: (e) => e.key === 'Enter' && pick(s.service) } },
          h('td', null, serviceTag(s.service)),
          h('td', { class: 'num' }, formatCount(s.logs)),
          h('td', { class: 'num' }, formatCount(s.errorLogs)),
          h('td', { class: 'num' }, formatCount(s.spans)),
          h('td', null, s.lastSeen === undefined ? '–' : formatTime(s.lastSeen)),
        ),
      ),
    ),
  );
}

/** The chosen service's error lines (and the traces they belong to) in the chosen bucket, or the whole range. */
async function errorLines(target: HTMLElement, selection: Selection, range: { from?: string; to?: string }, signal: AbortSignal): Promise<void> {
  const service = selection.service;
  if (service === undefined) {
    replace(target, note('info', 'Click a service in the table (and a time in the chart) to list its errors.'));
    return;
  }
  if (/[\s:]/.test(service)) {
    replace(target, note('info', `The query language cannot name the service "${service}" (it has a space or colon).`));
    return;
  }
  const params = new URLSearchParams({ q: `service:${service} level:error level:fatal`, limit: '100' });
  const bucket = selection.from !== undefined && selection.to !== undefined;
  if (bucket) {
    params.set('from', String(Math.floor(selection.from! / 1000)));
    params.set('to', String(Math.ceil(selection.to! / 1000) - 1));
  } else {
    for (const [k, v] of Object.entries(range)) params.set(k, v);
  }
  const when = bucket ? ` between ${formatTime(selection.from!)} and ${formatTime(selection.to!)}` : ' in this time range';
  replace(target, note('info', `Loading the errors of ${service}…`));
  const page = await getJson<SearchPage>(`/api/search?${params}`, signal);
  if (signal.aborted) return;
  const traces = [...new Set(page.logs.map((l) => l.traceId).filter((t): t is string => t !== undefined))];
  replace(
    target,
    h('h2', null, `Errors of ${service}${when}`),
    page.logs.length === 0 ? note('empty', 'No error lines.') : null,
    traces.length > 0 ? h('p', null, `${traces.length} traces: `, ...traces.flatMap((t, i) => [i > 0 ? ' ' : '', link(`/trace/${t}`, h('code', null, t.slice(0, 12)))])) : null,
    h('div', { class: 'results' }, ...page.logs.map((l) => logRow(l))),
    page.nextCursor !== undefined ? note('info', 'Showing the newest 100; narrow the bucket or search for more.') : null,
  );
}

export async function servicesPage(root: HTMLElement, url: URL, signal: AbortSignal): Promise<void> {
  const range = readRange(url.searchParams, '1h');
  const selection: Selection = {};
  const service = url.searchParams.get('service');
  if (service) selection.service = service;
  const at = Number(url.searchParams.get('at'));
  const until = Number(url.searchParams.get('until'));
  if (at > 0 && until > at) Object.assign(selection, { from: at, to: until });

  const ranges = rangeControl(range);
  const form = h('form', { class: 'search-form' }, ranges.element, h('button', { attrs: { type: 'submit' } }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    writeRange(params, ranges.value());
    navigate(`/services${params.toString() ? `?${params}` : ''}`);
  });
  const chartHolder = h('div', { class: 'chart-holder' });
  const tableHolder = h('div');
  const errors = h('div', { class: 'errors', attrs: { 'data-testid': 'service-errors', 'aria-live': 'polite' } });
  replace(root, h('h1', null, 'Services'), form, chartHolder, tableHolder, errors);

  const api = apiRange(range);
  const query = new URLSearchParams(api);
  const [metrics, services] = await Promise.all([
    getJson<ErrorMetrics>(`/api/metrics/errors?${query}`, signal).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    }),
    getJson<{ services: ServiceSummary[] }>('/api/services', signal),
  ]);
  if (signal.aborted) return;

  const pick = (update: Selection) => {
    Object.assign(selection, update);
    const params = new URL(location.href).searchParams;
    if (selection.service) params.set('service', selection.service);
    if (selection.from !== undefined && selection.to !== undefined) {
      params.set('at', String(selection.from));
      params.set('until', String(selection.to));
    }
    history.replaceState(null, '', `/services?${params}`);
    for (const tr of tableHolder.querySelectorAll('tr[data-service]')) tr.classList.toggle('selected', tr.getAttribute('data-service') === selection.service);
    void errorLines(errors, selection, api, signal).catch((error: unknown) => {
      if (!signal.aborted) replace(errors, note('error', `The errors could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    });
  };

  if (metrics === undefined) {
    chartHolder.append(note('info', 'Error rates over time are not available from this indexer (no /api/metrics/errors); the table shows what it has stored per service.'));
    tableHolder.append(services.services.length === 0 ? note('empty', 'No services have sent anything yet.') : summaryTable(services.services, selection.service, (s) => pick({ service: s })));
  } else {
    if (metrics.series.length === 0) chartHolder.append(note('empty', 'No requests in this time range.'));
    else {
      const chart = errorChart(metrics, (from, to) => pick({ from, to }));
      chartHolder.append(chart.element, h('p', { class: 'muted small' }, 'Click the chart to pick a time bucket, and a row to pick a service.'));
      chart.mount();
      signal.addEventListener('abort', () => chart.destroy());
    }
    tableHolder.append(metrics.totals.length === 0 ? note('empty', 'No services in this time range.') : metricsTable(metrics, selection.service, (s) => pick({ service: s })));
  }
  pick({});
}
