// Client-side routes: shareable URLs (/trace/<id>, /search?q=…, /services, /coverage) with pushState and popstate.

/** A page draws itself into `root` from the URL; `signal` aborts when the user leaves it. */
export type Page = (root: HTMLElement, url: URL, signal: AbortSignal) => void | Promise<void>;

export interface Route {
  /** Matches the path; captured groups are the page's parameters (read from the URL by the page). */
  pattern: RegExp;
  page: Page;
  /** The nav entry to mark as current. */
  section: string;
}

export interface Router {
  navigate(href: string, options?: { replace?: boolean }): void;
  /** Draws the page for the current URL. */
  render(): void;
}

let current: Router | undefined;

/** The router the app started, for pages that navigate (a search that finds a trace). */
export function navigate(href: string, options?: { replace?: boolean }): void {
  if (current === undefined) location.assign(href);
  else current.navigate(href, options);
}

export function startRouter(root: HTMLElement, routes: readonly Route[], onSection: (section: string) => void, notFound: Page): Router {
  let controller: AbortController | undefined;

  function render(): void {
    controller?.abort();
    controller = new AbortController();
    const url = new URL(location.href);
    const route = routes.find((r) => r.pattern.test(url.pathname));
    onSection(route?.section ?? '');
    root.replaceChildren();
    const signal = controller.signal;
    const page = route?.page ?? notFound;
    Promise.resolve(page(root, url, signal)).catch((error: unknown) => {
      if (signal.aborted) return;
      console.error(error);
      const p = document.createElement('p');
      p.className = 'note note-error';
      p.setAttribute('role', 'alert');
      p.textContent = `This page failed to draw: ${error instanceof Error ? error.message : String(error)}`;
      root.appendChild(p);
    });
  }

  const router: Router = {
    navigate(href, options) {
      const url = new URL(href, location.href);
      if (url.origin !== location.origin) {
        location.assign(url.href);
        return;
      }
      if (options?.replace) history.replaceState(null, '', url.href);
      else history.pushState(null, '', url.href);
      window.scrollTo(0, 0);
      render();
    },
    render,
  };

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element | null)?.closest?.('a[data-route]');
    if (!(a instanceof HTMLAnchorElement)) return;
    event.preventDefault();
    router.navigate(a.href);
  });
  window.addEventListener('popstate', render);
  current = router;
  return router;
}
