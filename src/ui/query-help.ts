// The query language's help: a button that opens a popover listing the fields and operators.
import { h } from './dom.js';

const ROWS: Array<[string, string]> = [
  ['timeout', 'a word in the message (the same as msg:timeout); every word must be there'],
  ['msg:refused', 'the message field, explicitly'],
  ['service:checkout', 'lines from a service; two service: clauses mean either'],
  ['level:error', 'trace, debug, info, warn, error or fatal'],
  ['host:web-1', 'the host that wrote the line'],
  ['trace:4bf92f35*', 'a trace ID, its first hex digits with *, or a legacy ID such as abc-123'],
  ['span:00f067aa0ba902b7', 'a span ID, or its prefix with *'],
  ['attr.order_id:A-17', 'an attribute of the line; attr.user:* means the line has it'],
  ['+timeout', 'must hold on its own'],
  ['-retry', 'excludes lines that match'],
  ['conn*  serv*ce', 'wildcards on msg, service and host'],
  ['paymnt~1', 'fuzzy: within 1 (or 2) edits'],
];

export function queryHelp(signal: AbortSignal): { button: HTMLButtonElement; popover: HTMLElement } {
  const table = h('table', { class: 'help-table' }, h('tbody', null, ...ROWS.map(([example, meaning]) => h('tr', null, h('td', null, h('code', null, example)), h('td', null, meaning)))));
  const popover = h(
    'div',
    { class: 'popover', attrs: { id: 'query-help', role: 'dialog', 'aria-label': 'query syntax' } },
    h('h3', null, 'Query syntax (lunr)'),
    table,
    h('p', { class: 'muted' }, 'Clauses on different fields must all hold. Words are matched whole (no phrases). Paste a trace ID or a legacy ID and press Enter to open its trace.'),
  );
  popover.hidden = true;
  const button = h('button', { class: 'help-button', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'query-help', title: 'query syntax' } }, '?');
  const set = (open: boolean) => {
    popover.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => set(popover.hidden));
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Escape') set(false);
    },
    { signal },
  );
  return { button, popover };
}
