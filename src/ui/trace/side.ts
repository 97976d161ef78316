// The trace page's side panel: each service's error rate and p95 around the trace, clock offsets, stitched IDs.
import { h, link, note } from '../dom.js';
import { formatCount, formatDuration, formatMaybeDuration, formatRate, formatTime } from '../format.js';
import { serviceTag } from '../log-row.js';
import type { TraceModel } from './model.js';

function healthPanel(model: TraceModel): HTMLElement {
  const section = h('section', { class: 'panel', attrs: { 'aria-label': 'services around this trace', 'data-testid': 'service-health' } }, h('h2', null, 'Services around this time'));
  const figures = model.services?.filter((s) => s.errorRate !== undefined || s.p95 !== undefined || s.requests !== undefined);
  if (figures === undefined || figures.length === 0) {
    section.append(note('info', 'Error rates and p95 latencies around this trace are not available from this indexer.'));
    return section;
  }
  const window = figures.find((s) => s.window)?.window;
  section.append(
    h(
      'table',
      { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, 'service'), h('th', { class: 'num' }, 'error rate'), h('th', { class: 'num' }, 'p95'), h('th', { class: 'num' }, 'requests'))),
      h(
        'tbody',
        null,
        ...figures.map((s) =>
          h(
            'tr',
            { attrs: { 'data-service': s.service } },
            h('td', null, serviceTag(s.service)),
            h('td', { class: `num${(s.errorRate ?? 0) > 0.05 ? ' bad' : ''}` }, formatRate(s.errorRate)),
            h('td', { class: 'num' }, formatMaybeDuration(s.p95)),
            h('td', { class: 'num' }, formatCount(s.requests)),
          ),
        ),
      ),
    ),
  );
  if (window) section.append(h('p', { class: 'muted small' }, `from ${formatTime(window.from)} to ${formatTime(window.to)}`));
  return section;
}

function skewPanel(model: TraceModel): HTMLElement | null {
  if (model.skew === undefined || model.skew.length === 0) return null;
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-label': 'clock offsets', 'data-testid': 'skew' } },
    h('h2', null, 'Clock offsets applied'),
    h(
      'ul',
      { class: 'plain' },
      ...model.skew.map((e) =>
        h('li', null, serviceTag(e.service), ` ${e.offsetUs > 0 ? '+' : '−'}${formatDuration(Math.abs(e.offsetUs))}`, e.source ? h('span', { class: 'muted' }, ` (${e.source}${e.samples ? `, ${e.samples} samples` : ''})`) : null),
      ),
    ),
  );
}

function stitchPanel(model: TraceModel): HTMLElement | null {
  const others = model.traceIds.filter((id) => id !== model.traceId);
  if (model.aliases.length === 0 && others.length === 0) return null;
  const section = h('section', { class: 'panel', attrs: { 'aria-label': 'stitched IDs' } }, h('h2', null, 'Stitched IDs'));
  if (model.aliases.length > 0) section.append(h('p', null, 'Aliases: ', ...model.aliases.flatMap((a, i) => [i > 0 ? ', ' : '', h('code', null, a)])));
  if (others.length > 0) section.append(h('p', null, 'Also joined: ', ...others.flatMap((id, i) => [i > 0 ? ', ' : '', link(`/trace/${id}`, h('code', null, id))])));
  for (const s of model.stitches) {
    if (s.joinedBy === undefined) continue;
    section.append(h('p', { class: 'small' }, h('code', null, s.alias), ' joined by ', s.joinedBy.service ?? 'a line', ` at ${formatTime(s.joinedBy.time)}: `, h('q', null, s.joinedBy.body)));
  }
  return section;
}

export function sidePanel(model: TraceModel): HTMLElement {
  return h('aside', { class: 'side' }, healthPanel(model), skewPanel(model), stitchPanel(model));
}
