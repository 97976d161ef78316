// Building DOM from data safely: text always goes in as text nodes, never as markup.

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Set as attributes (never `style` or `on*`: styles go through `el.style`, handlers through `on`). */
  attrs?: Record<string, string | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
  title?: string;
}

/** `h('td', { class: 'level' }, record.body)`: an element whose string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props !== null) {
    if (props.class !== undefined) el.className = props.class;
    if (props.title !== undefined) el.title = props.title;
    if (props.attrs !== undefined) {
      for (const [name, value] of Object.entries(props.attrs)) {
        if (value === undefined) continue;
        if (name === 'style' || name.startsWith('on')) throw new Error(`h(): attribute ${name} is not allowed; use el.style or props.on`);
        el.setAttribute(name, value);
      }
    }
    if (props.on !== undefined) {
      for (const [type, handler] of Object.entries(props.on)) el.addEventListener(type, handler as EventListener);
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A link that the router follows without reloading the page. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { attrs: { href, 'data-route': '' } }, ...children);
}

/** A note in place of content: why something is missing and what to do. */
export function note(kind: 'info' | 'error' | 'empty', ...children: Child[]): HTMLElement {
  return h('p', { class: `note note-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } }, ...children);
}

const TRACE_IN_TEXT = /\b[0-9a-f]{32}\b/g;

/** Text with every 32-hex trace ID in it turned into a link to that trace (the rest stays text). */
export function linkifyTraceIds(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(TRACE_IN_TEXT)) {
    const at = m.index ?? 0;
    if (at > last) fragment.appendChild(document.createTextNode(text.slice(last, at)));
    fragment.appendChild(link(`/trace/${m[0]}`, m[0]));
    last = at + m[0].length;
  }
  if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
  return fragment;
}
