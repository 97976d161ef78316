// The time range of a query: presets relative to now (kept relative in shared URLs) or a custom from/to.
import { h } from './dom.js';

const PRESETS: Array<{ key: string; label: string; ms?: number }> = [
  { key: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
  { key: 'all', label: 'All time' },
  { key: 'custom', label: 'Custom…' },
];

/** From the URL: `range=1h`, or `from=`/`to=` (epoch ms or ISO 8601, as the API takes them). */
export interface TimeRange {
  key: string;
  from?: string;
  to?: string;
}

export function readRange(params: URLSearchParams, fallback = 'all'): TimeRange {
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  if (from !== undefined || to !== undefined) return { key: 'custom', ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const key = params.get('range') ?? fallback;
  return { key: PRESETS.some((p) => p.key === key && p.ms !== undefined) ? key : 'all' };
}

/** Writes the range into a URL's query string (presets stay relative so a shared link means "the last hour"). */
export function writeRange(params: URLSearchParams, range: TimeRange): void {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (range.key === 'custom') {
    if (range.from) params.set('from', range.from);
    if (range.to) params.set('to', range.to);
  } else if (range.key !== 'all') params.set('range', range.key);
}

/** The range as the API's `from`/`to` (epoch ms for presets, computed now). */
export function apiRange(range: TimeRange): { from?: string; to?: string } {
  const preset = PRESETS.find((p) => p.key === range.key);
  if (preset?.ms !== undefined) return { from: String(Date.now() - preset.ms) };
  return { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) };
}

/** `datetime-local` value ↔ epoch ms (the input works in the browser's time zone). */
function toLocalInput(value: string | undefined): string {
  if (value === undefined) return '';
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? String(ms) : undefined;
}

export interface RangeControl {
  element: HTMLElement;
  value(): TimeRange;
}

export function rangeControl(range: TimeRange): RangeControl {
  const select = h('select', { attrs: { name: 'range', 'aria-label': 'time range' } }, ...PRESETS.map((p) => h('option', { attrs: { value: p.key } }, p.label)));
  select.value = range.key;
  const from = h('input', { attrs: { type: 'datetime-local', step: '1', name: 'from', 'aria-label': 'from' } });
  const to = h('input', { attrs: { type: 'datetime-local', step: '1', name: 'to', 'aria-label': 'to' } });
  from.value = toLocalInput(range.from);
  to.value = toLocalInput(range.to);
  const custom = h('span', { class: 'custom-range' }, from, '–', to);
  custom.hidden = range.key !== 'custom';
  select.addEventListener('change', () => {
    custom.hidden = select.value !== 'custom';
  });
  return {
    element: h('span', { class: 'range' }, select, custom),
    value() {
      if (select.value !== 'custom') return { key: select.value };
      const f = fromLocalInput(from.value);
      const t = fromLocalInput(to.value);
      return { key: 'custom', ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) };
    },
  };
}
