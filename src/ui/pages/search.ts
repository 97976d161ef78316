// The search page: a query in the lunr syntax over a time range, newest lines first, paged with the API's cursor.
import { ApiError, getJson } from '../api.js';
import { h, note, replace } from '../dom.js';
import { logRow } from '../log-row.js';
import { queryHelp } from '../query-help.js';
import { navigate } from '../router.js';
import { apiRange, rangeControl, readRange, writeRange } from '../time-range.js';
import type { SearchPage } from '../types.js';

const PAGE = 100;

/** A value typed alone that may name a trace: 32 hex, or one token that looks like a legacy ID (`abc-123`, `ORD-2024-77`). */
export function looksLikeTraceKey(q: string): boolean {
  const v = q.trim();
  if (/^[0-9a-f]{32}$/i.test(v)) return true;
  return /^[A-Za-z0-9][A-Za-z0-9._/-]{2,255}$/.test(v) && /\d/.test(v) && !/[:*~^+]/.test(v);
}

function searchUrl(q: string, range: ReturnType<typeof readRange>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (q !== '') params.set('q', q);
  writeRange(params, range);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return `/search${text ? `?${text}` : ''}`;
}

export async function searchPage(root: HTMLElement, url: URL, signal: AbortSignal): Promise<void> {
  const q = url.searchParams.get('q') ?? '';
  const range = readRange(url.searchParams);
  const input = h('input', {
    class: 'query',
    attrs: { type: 'search', name: 'q', placeholder: 'service:checkout level:error timeout   — or paste a trace ID', 'aria-label': 'query', autocomplete: 'off', spellcheck: 'false' },
  });
  input.value = q;
  const ranges = rangeControl(range);
  const help = queryHelp(signal);
  const status = h('div', { class: 'search-status', attrs: { 'aria-live': 'polite' } });
  const form = h('form', { class: 'search-form', attrs: { role: 'search' } }, input, help.button, ranges.element, h('button', { attrs: { type: 'submit' } }, 'Search'));
  const results = h('div', { class: 'results', attrs: { 'data-testid': 'results' } });
  const more = h('div', { class: 'more' });
  const count = h('p', { class: 'muted small', attrs: { 'data-testid': 'result-count' } });
  replace(root, h('h1', null, 'Search'), form, help.popover, status, count, results, more);
  let shown = 0;
  input.focus();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(input.value.trim(), ranges.value());
  });

  async function submit(query: string, chosen: ReturnType<typeof readRange>): Promise<void> {
    if (looksLikeTraceKey(query)) {
      replace(status, note('info', `Looking for a trace named ${query}…`));
      try {
        await getJson(`/api/traces/${encodeURIComponent(query)}`, signal);
        navigate(`/trace/${encodeURIComponent(query)}`);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ApiError && error.status === 404) navigate(searchUrl(query, chosen, { notrace: '1' }));
        else replace(status, note('error', `Could not look the trace up: ${error instanceof Error ? error.message : String(error)}`));
      }
      return;
    }
    navigate(searchUrl(query, chosen));
  }

  if (url.searchParams.has('notrace')) status.append(note('info', `No trace has the ID or alias "${q}"; showing lines that mention it instead.`));
  await load(undefined);

  async function load(cursor: string | undefined): Promise<void> {
    const params = new URLSearchParams({ q, limit: String(PAGE), ...apiRange(range) });
    if (cursor !== undefined) params.set('cursor', cursor);
    more.replaceChildren(note('info', 'Searching…'));
    let page: SearchPage;
    try {
      page = await getJson<SearchPage>(`/api/search?${params}`, signal);
    } catch (error) {
      if (signal.aborted) return;
      more.replaceChildren();
      const message = error instanceof Error ? error.message : String(error);
      const lead = error instanceof ApiError && error.status === 400 ? 'The query was not understood: ' : 'The search failed: ';
      results.append(h('div', { class: 'query-error', attrs: { role: 'alert', 'data-testid': 'query-error' } }, lead, h('code', null, message)));
      return;
    }
    if (signal.aborted) return;
    if (cursor === undefined && page.logs.length === 0) results.append(note('empty', q === '' ? 'No lines in this time range.' : 'No lines match this query in this time range.'));
    const fragment = document.createDocumentFragment();
    for (const record of page.logs) fragment.appendChild(logRow(record));
    results.appendChild(fragment);
    shown += page.logs.length;
    count.textContent = shown === 0 ? '' : `${shown} lines${page.nextCursor !== undefined ? ' so far' : ''}, newest first`;
    more.replaceChildren();
    if (page.nextCursor !== undefined) {
      const next = page.nextCursor;
      more.append(h('button', { class: 'load-more', attrs: { type: 'button' }, on: { click: () => void load(next) } }, 'Load more'));
    }
  }
}
