// The web UI's entry: the page frame, the navigation and the routes.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { h, link, note, replace } from './dom.js';
import { coveragePage } from './pages/coverage.js';
import { searchPage } from './pages/search.js';
import { servicesPage } from './pages/services.js';
import { tracePage } from './pages/trace.js';
import { startRouter, type Route } from './router.js';

const routes: Route[] = [
  { pattern: /^\/(search)?$/, page: searchPage, section: 'search' },
  { pattern: /^\/trace\/[^/]+$/, page: tracePage, section: 'search' },
  { pattern: /^\/services$/, page: servicesPage, section: 'services' },
  { pattern: /^\/coverage$/, page: coveragePage, section: 'coverage' },
];

function start(): void {
  const nav = h(
    'nav',
    { attrs: { 'aria-label': 'sections' } },
    h('strong', { class: 'brand' }, 'logstitch'),
    link('/search', 'Search'),
    link('/services', 'Services'),
    link('/coverage', 'Coverage'),
  );
  for (const a of nav.querySelectorAll('a')) a.dataset.section = new URL(a.href).pathname.slice(1);
  const main = h('main', { attrs: { id: 'main' } });
  document.body.replaceChildren(h('header', null, nav), main);
  startRouter(
    main,
    routes,
    (section) => {
      document.title = 'logstitch';
      for (const a of nav.querySelectorAll('a')) {
        if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
    (root, url) => replace(root, h('h1', null, 'Not found'), note('error', `Nothing lives at ${url.pathname}.`), h('p', null, link('/search', 'Go to search'))),
  ).render();
}

start();
