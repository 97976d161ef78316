// One log line on screen (time, service, level, message, trace link) with its attributes a click away.
import { serviceColor } from './colors.js';
import { h, link, linkifyTraceIds } from './dom.js';
import { formatClock, formatTime, isoTime, levelOf } from './format.js';
import type { LogRecord } from './types.js';

export interface LogRowOptions {
  /** Time to show instead of `record.time` (the raw clock in the trace view). */
  time?: number;
  /** Show only the clock, not the date (the trace view, where the date is on top). */
  clockOnly?: boolean;
  /** Link the line's trace; off inside the trace's own page. */
  traceLink?: boolean;
  /** Extra class names (indentation in the waterfall). */
  class?: string;
}

export function serviceTag(service: string | undefined): HTMLElement {
  const dot = h('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } });
  dot.style.background = serviceColor(service);
  return h('span', { class: 'service' }, dot, service ?? 'unknown');
}

export function levelTag(record: Pick<LogRecord, 'severityNumber' | 'severityText'>): HTMLElement {
  const level = levelOf(record.severityNumber);
  return h('span', { class: `level level-${level}`, title: record.severityText ?? level }, level);
}

/** The fields worth showing when a line is opened: attributes, then what the record says besides its body. */
function details(record: LogRecord): HTMLElement {
  const extra: Record<string, unknown> = {};
  if (record.traceId !== undefined) extra.traceId = record.traceId;
  if (record.spanId !== undefined) extra.spanId = record.spanId;
  if (record.host !== undefined) extra.host = record.host;
  if (record.aliases !== undefined && record.aliases.length > 0) extra.aliases = record.aliases;
  if (record.severityText !== undefined) extra.severityText = record.severityText;
  if (record.parseError !== undefined) extra.parseError = record.parseError;
  const attributes = record.attributes ?? {};
  const dl = h('dl', { class: 'attrs' });
  const add = (key: string, value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    dl.append(h('dt', null, key), h('dd', null, h('pre', null, text)));
  };
  for (const [k, v] of Object.entries(attributes)) add(`attr.${k}`, v);
  for (const [k, v] of Object.entries(extra)) add(k, v);
  if (dl.childElementCount === 0) dl.append(h('dd', { class: 'muted' }, 'no attributes'));
  return dl;
}

/** A span-end line: its span is already drawn, so the line is shown quieter than what the service said. */
function isSpanEnd(record: LogRecord): boolean {
  return record.attributes?.span_end !== undefined || /^(?:server|client|internal) span \S/.test(record.body);
}

export function logRow(record: LogRecord, options: LogRowOptions = {}): HTMLElement {
  const time = options.time ?? record.time;
  const toggle = h('button', { class: 'expand', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-label': 'show attributes' } }, '▸');
  const message = h('span', { class: 'msg' }, linkifyTraceIds(record.body));
  const row = h(
    'div',
    { class: `log-row level-row-${levelOf(record.severityNumber)}${isSpanEnd(record) ? ' span-end' : ''}${options.class ? ` ${options.class}` : ''}` },
    toggle,
    h('time', { class: 'time', attrs: { datetime: isoTime(time) }, title: formatTime(time) }, options.clockOnly ? formatClock(time) : formatTime(time)),
    serviceTag(record.service),
    levelTag(record),
    message,
  );
  if (record.parseError !== undefined) row.append(h('span', { class: 'badge badge-warn', title: record.parseError }, 'raw'));
  if (options.traceLink !== false && record.traceId !== undefined) {
    row.append(link(`/trace/${record.traceId}`, h('span', { class: 'trace-link', title: `open trace ${record.traceId}` }, `trace ${record.traceId.slice(0, 8)}…`)));
  }
  let opened: HTMLElement | undefined;
  toggle.addEventListener('click', () => {
    // Built on first open: a 20,000-line trace should not pay for attributes nobody looks at.
    opened ??= details(record);
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? '▾' : '▸';
    if (open) row.append(opened);
    else opened.remove();
  });
  return row;
}
