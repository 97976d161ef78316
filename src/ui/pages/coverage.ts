// The coverage page: how much of each service's logging carries a trace ID, where propagation breaks, which aliases are ambiguous.
import { getJson, isNotFound } from '../api.js';
import { h, link, note, replace } from '../dom.js';
import { formatCount } from '../format.js';
import { serviceTag } from '../log-row.js';
import { navigate } from '../router.js';
import { apiRange, rangeControl, readRange, writeRange } from '../time-range.js';
import type { Coverage } from '../types.js';

function shareBar(share: number): HTMLElement {
  const fill = h('span', { class: 'share-fill' });
  const pct = Math.max(0, Math.min(1, share)) * 100;
  fill.style.width = `${pct}%`;
  if (share < 0.5) fill.classList.add('low');
  return h('span', { class: 'share' }, h('span', { class: 'share-track', attrs: { 'aria-hidden': 'true' } }, fill), h('span', { class: 'share-text' }, `${pct.toFixed(1)}%`));
}

function servicesSection(coverage: Coverage): HTMLElement {
  const rows = coverage.services.slice().sort((a, b) => a.share - b.share || a.service.localeCompare(b.service));
  return h(
    'section',
    { attrs: { 'aria-label': 'lines with a trace ID' } },
    h('h2', null, 'Lines that carry a trace ID'),
    rows.length === 0
      ? note('empty', 'No lines in this time range.')
      : h(
          'table',
          { class: 'grid', attrs: { 'data-testid': 'coverage-services' } },
          h('thead', null, h('tr', null, h('th', null, 'service'), h('th', null, 'share with a trace ID'), h('th', { class: 'num' }, 'lines'), h('th', { class: 'num' }, 'with trace'))),
          h(
            'tbody',
            null,
            ...rows.map((s) =>
              h('tr', { attrs: { 'data-service': s.service } }, h('td', null, serviceTag(s.service)), h('td', null, shareBar(s.share)), h('td', { class: 'num' }, formatCount(s.lines)), h('td', { class: 'num' }, formatCount(s.linesWithTrace))),
            ),
          ),
        ),
  );
}

function hopsSection(coverage: Coverage): HTMLElement {
  return h(
    'section',
    { attrs: { 'aria-label': 'broken hops' } },
    h('h2', null, 'Hops where the trace ID changes'),
    h('p', { class: 'muted' }, 'A call whose server side logged a different trace ID than its client: the callee does not read the caller’s context.'),
    coverage.brokenHops.length === 0
      ? note('empty', 'None: every call kept its trace ID.')
      : h(
          'table',
          { class: 'grid', attrs: { 'data-testid': 'broken-hops' } },
          h('thead', null, h('tr', null, h('th', null, 'from'), h('th', null, 'to'), h('th', { class: 'num' }, 'calls'), h('th', null, 'example'))),
          h(
            'tbody',
            null,
            ...coverage.brokenHops.map((hop) =>
              h(
                'tr',
                null,
                h('td', null, serviceTag(hop.from)),
                h('td', null, serviceTag(hop.to)),
                h('td', { class: 'num' }, formatCount(hop.count)),
                h('td', null, hop.example ? h('span', null, link(`/trace/${hop.example.clientTraceId}`, 'client trace'), ' → ', link(`/trace/${hop.example.serverTraceId}`, 'server trace')) : '–'),
              ),
            ),
          ),
        ),
  );
}

function aliasSection(coverage: Coverage): HTMLElement {
  return h(
    'section',
    { attrs: { 'aria-label': 'ambiguous aliases' } },
    h('h2', null, 'Aliases that map to more than one trace'),
    coverage.ambiguousAliases.length === 0
      ? note('empty', 'None: every legacy ID names one trace.')
      : h(
          'ul',
          { class: 'plain', attrs: { 'data-testid': 'ambiguous-aliases' } },
          ...coverage.ambiguousAliases.map((a) => h('li', null, h('code', null, a.alias), ` → ${a.traceIds.length} traces: `, ...a.traceIds.flatMap((t, i) => [i > 0 ? ', ' : '', link(`/trace/${t}`, h('code', null, t.slice(0, 12)))]))),
        ),
  );
}

export async function coveragePage(root: HTMLElement, url: URL, signal: AbortSignal): Promise<void> {
  const range = readRange(url.searchParams, '24h');
  const ranges = rangeControl(range);
  const form = h('form', { class: 'search-form' }, ranges.element, h('button', { attrs: { type: 'submit' } }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    writeRange(params, ranges.value());
    navigate(`/coverage${params.toString() ? `?${params}` : ''}`);
  });
  const body = h('div', null, note('info', 'Loading coverage…'));
  replace(root, h('h1', null, 'Coverage'), form, body);
  let coverage: Coverage;
  try {
    coverage = await getJson<Coverage>(`/api/coverage?${new URLSearchParams(apiRange(range))}`, signal);
  } catch (error) {
    if (signal.aborted) return;
    if (isNotFound(error)) replace(body, note('info', 'Coverage is not available from this indexer (no /api/coverage).'));
    else replace(body, note('error', `Coverage could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (signal.aborted) return;
  replace(body, servicesSection(coverage), hopsSection(coverage), aliasSection(coverage));
}
