// The web UI in headless Chromium against a real indexer holding real log lines: search, trace, services, coverage.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultUiDir } from '../../src/server/routes/ui.js';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { ROOT, buildUiForTests, launchBrowser, screenshot, watchedPage, type WatchedPage } from './browser.js';
import { XSS_IMG, XSS_SCRIPT, background, checkoutTrace, coverageFixture, hexId, type CheckoutTrace } from './fixtures.js';

let indexer: TestIndexer;
let browser: Browser;
let removeUi: () => void;
let slow: CheckoutTrace;
let skewed: CheckoutTrace;
let covered: ReturnType<typeof coverageFixture>;
let watched: WatchedPage;

const NOW = Date.now() * 1000;

beforeAll(async () => {
  removeUi = await buildUiForTests();
  [indexer, browser] = await Promise.all([startIndexer(), launchBrowser()]);
  watched = await watchedPage(browser);
  slow = checkoutTrace({ label: 'slow checkout', t0Us: NOW - 20 * 60e6 });
  skewed = checkoutTrace({ label: 'skewed checkout', t0Us: NOW - 15 * 60e6, slow: false, shippingClockUs: 2_000_000 });
  covered = coverageFixture(NOW - 10 * 60e6);
  const lines = [...background({ t0Us: NOW - 40 * 60e6, count: 40 }), ...slow.lines, ...skewed.lines, ...covered.lines];
  const reply = await postNdjson(indexer.url, lines);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.body.rejected).toBe(0);
});

afterAll(async () => {
  await browser?.close();
  await indexer?.dispose();
  removeUi?.();
});

/** Every browser test ends with no uncaught error, no console error, no dialog and no CSP violation. */
afterEach(async () => {
  const problems = await watched.problems();
  const dialogs = [...watched.dialogs];
  await watched.reset();
  expect(problems).toEqual([]);
  expect(dialogs).toEqual([]);
});

async function open(path: string): Promise<WatchedPage> {
  await watched.page.goto(`${indexer.url}${path}`);
  return watched;
}

/** What the trace route answers today: the view's fields (gaps, summary, critical path) only once the engine is wired. */
async function traceAnswer(id: string): Promise<Record<string, unknown>> {
  const reply = await getJson(`${indexer.url}/api/traces/${encodeURIComponent(id)}`);
  expect(reply.status).toBe(200);
  return reply.body;
}

describe('serving the UI', () => {
  it('answers the app paths with index.html under a strict CSP, and caches only hashed assets', async () => {
    for (const path of ['/', '/search?q=timeout', '/services', '/coverage', `/trace/${slow.traceId}`, '/trace/ORD-1-77']) {
      const res = await fetch(`${indexer.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("require-trusted-types-for 'script'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toMatch(/<script type="module" src="\/assets\/app-[A-Z0-9]+\.js">/);
    }
    const html = await (await fetch(indexer.url)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    const js = await fetch(`${indexer.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${indexer.url}${style}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');

    const first = await fetch(`${indexer.url}/services`);
    const again = await fetch(`${indexer.url}/services`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const head = await fetch(`${indexer.url}/search`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('leaves other paths to the API: unknown pages, traversal and API prefixes get the JSON 404', async () => {
    for (const path of ['/nothing-here', '/assets/app.js', '/assets/..%2fpackage.json', '/trace/a/b', '/api/nothing', '/metrics/x', '/v1/logs']) {
      const res = await fetch(`${indexer.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/json|text\/plain/);
      expect(await res.text(), path).not.toContain('<html');
    }
  });
});

describe('an indexer without a built UI', () => {
  it('says how to build it instead of failing, and still answers the API', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'logstitch-no-ui-'));
    const saved = process.env.LOGSTITCH_UI_DIR;
    process.env.LOGSTITCH_UI_DIR = empty;
    const bare = await startIndexer();
    process.env.LOGSTITCH_UI_DIR = saved;
    try {
      const res = await fetch(`${bare.url}/trace/${slow.traceId}`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('run `npm run build`');
      expect((await fetch(`${bare.url}/api/services`)).status).toBe(200);
    } finally {
      await bare.dispose();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('looks for the bundle in the package’s dist/ui by default', () => {
    expect(defaultUiDir()).toBe(join(ROOT, 'dist', 'ui'));
  });
});

describe('search', () => {
  it('finds a trace by its ID typed into the box and opens its waterfall with the logs under the spans', async () => {
    const { page } = await open('/');
    await page.getByRole('searchbox', { name: 'query' }).fill(slow.traceId);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/trace/${slow.traceId}`);
    const waterfall = page.getByTestId('waterfall');
    await waterfall.waitFor();
    for (const span of Object.values(slow.spans)) await expect(waterfall.locator(`.span-row[data-span-id="${span.spanId}"]`).isVisible()).resolves.toBe(true);
    await expect(waterfall.getByText('quote ready: 4.90 EUR').isVisible()).resolves.toBe(true);
    // The line sits under its span: after the shipping server span's row, before the rates call's row.
    const order = await waterfall.locator('.span-row, .log-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id') ?? e.textContent ?? ''));
    const quote = order.findIndex((t) => t.includes('quote requested for 3 items'));
    expect(order.indexOf(slow.spans.shipping.spanId)).toBeLessThan(quote);
    expect(order.indexOf(slow.spans.ratesCall.spanId)).toBeGreaterThan(quote);
    // Spans read from span-end lines are drawn as derived, and the legend says what that means.
    await expect(waterfall.locator('.span-row.derived').count()).resolves.toBe(7);
    await expect(page.getByText('derived from log lines').isVisible()).resolves.toBe(true);

    // The view's findings: the summary sentence, the 9-second gap labelled over the waterfall, the critical path.
    const answer = await traceAnswer(slow.traceId);
    expect(answer.summary).toMatch(/^9\.0 s of 10\.0 s: inventory → shipping/);
    await expect(page.getByTestId('summary').textContent()).resolves.toBe(answer.summary);
    await expect(waterfall.locator('.gap-label', { hasText: /^9\.0 s gap$/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('gaps').locator('li').first().textContent()).resolves.toBe(
      '9.0 s gap inventory → shipping: between the call leaving inventory and shipping receiving it',
    );
    for (const span of [slow.spans.checkout, slow.spans.shippingCall, slow.spans.ratesCall]) {
      await expect(waterfall.locator(`.span-row.on-critical-path[data-span-id="${span.spanId}"] .crit-seg`).count()).resolves.toBeGreaterThan(0);
    }
    // Beside it, each service's error rate and p95 around that time (background() fails a quarter of inventory's calls).
    const health = page.getByTestId('service-health');
    const inventory = (answer.services as Array<{ service: string; errorRate: number }>).find((s) => s.service === 'inventory')!;
    expect(inventory.errorRate).toBeGreaterThan(0.2);
    await expect(health.locator('tr[data-service="inventory"] td').nth(1).textContent()).resolves.toBe(`${(inventory.errorRate * 100).toFixed(1)}%`);
    const file = await screenshot(page, 'trace');
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') copyFileSync(file, join(ROOT, 'docs', 'trace.png'));
  });

  it('opens a trace by a legacy alias typed into the box', async () => {
    const { page } = await open('/search');
    await page.getByRole('searchbox', { name: 'query' }).fill(slow.alias);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/trace/${slow.alias}`);
    await expect(page.locator('h1 .trace-id').textContent()).resolves.toBe(slow.traceId);
  });

  it('lists matching lines newest first with level, service and a link to their trace, in a shareable URL', async () => {
    const { page } = await open('/search');
    await page.getByRole('searchbox', { name: 'query' }).fill('service:inventory level:error');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/search?q=service%3Ainventory+level%3Aerror');
    const rows = page.getByTestId('results').locator('.log-row');
    await rows.first().waitFor();
    const texts = await rows.locator('.msg').allTextContents();
    // background() fails every third quick checkout: 0, 3, …, 39 → 14 lines, plus their 14 span-end lines.
    expect(texts.filter((t) => t.startsWith('stock lookup failed'))).toHaveLength(14);
    expect(texts[0]).toMatch(/\(39\)|POST \/reserve 503/);
    await expect(rows.first().locator('.level').textContent()).resolves.toBe('error');
    await expect(rows.first().locator('.service').textContent()).resolves.toBe('inventory');
    await screenshot(page, 'search');

    // Reloading the URL gives the same page; a trace link opens the trace.
    await page.reload();
    await rows.first().waitFor();
    const target = rows.filter({ hasText: 'stock lookup failed: connection refused (39)' });
    await target.getByRole('link').click();
    await page.waitForURL(`**/trace/${hexId('failing 39', 32)}`);
    await page.getByTestId('waterfall').getByText('stock lookup failed').waitFor();
    await page.goBack();
    await page.waitForURL('**/search?q=service%3Ainventory+level%3Aerror');
    await expect(page.getByRole('searchbox', { name: 'query' }).inputValue()).resolves.toBe('service:inventory level:error');
  });

  it('limits results to a preset or custom time range, kept in the URL', async () => {
    const { page } = await open('/search');
    await page.getByLabel('time range').selectOption('15m');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/search?range=15m');
    const rows = page.getByTestId('results').locator('.log-row');
    await rows.first().waitFor();
    const recent = await rows.locator('time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
    expect(Math.min(...recent)).toBeGreaterThanOrEqual(Date.now() - 16 * 60_000);
    expect(recent.length).toBeLessThan(100);

    // A custom range arrives by URL (epoch ms), fills the inputs, and bounds the lines.
    const from = Math.floor(slow.t0 / 1000);
    const to = from + 5_000;
    await page.goto(`${indexer.url}/search?q=${encodeURIComponent('service:inventory')}&from=${from}&to=${to}`);
    await rows.first().waitFor();
    await expect(page.getByLabel('time range').inputValue()).resolves.toBe('custom');
    await expect(page.getByLabel('from', { exact: true }).isVisible()).resolves.toBe(true);
    const bodies = await rows.locator('.msg').allTextContents();
    expect(bodies.sort()).toEqual(['asking shipping for a quote', 'client span SELECT warehouse/items in 30.0 ms', 'items reserved in warehouse 2', 'reserving 3 items']);
  });

  it('pages older lines in with "Load more"', async () => {
    const { page } = await open('/search');
    const rows = page.getByTestId('results').locator('.log-row');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(100);
    await expect(page.getByTestId('result-count').textContent()).resolves.toBe('100 lines so far, newest first');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(200);
    await expect(page.getByTestId('result-count').textContent()).resolves.toBe('200 lines so far, newest first');
    const times = await rows.locator('time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("shows the parser's message inline for a query it rejects", async () => {
    const bad = 'nosuchfield:x';
    const api = await getJson(`${indexer.url}/api/search?q=${encodeURIComponent(bad)}`);
    expect(api.status).toBe(400);
    const { page } = await open('/search');
    await page.getByRole('searchbox', { name: 'query' }).fill(bad);
    await page.keyboard.press('Enter');
    const error = page.getByTestId('query-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain(api.body.error as string);
    await expect(page.getByRole('searchbox', { name: 'query' }).isVisible()).resolves.toBe(true);
  });

  it('explains the query syntax in a popover', async () => {
    const { page } = await open('/search');
    const help = page.getByRole('dialog', { name: 'query syntax' });
    await expect(help.isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: '?' }).click();
    for (const field of ['msg:refused', 'service:checkout', 'level:error', 'host:web-1', 'trace:4bf92f35*', 'attr.order_id:A-17', 'paymnt~1']) {
      await expect(help.getByText(field, { exact: true }).isVisible(), field).resolves.toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(help.isVisible()).resolves.toBe(false);
  });
});

describe('clock skew', () => {
  it('draws spans on adjusted clocks, names the offsets, and shows what the clocks said with the raw toggle', async () => {
    const answer = await traceAnswer(skewed.traceId);
    const shippingSkew = (answer.skew as Array<{ service: string; offsetUs: number }>).find((e) => e.service === 'shipping')!;
    expect(shippingSkew.offsetUs).toBeLessThan(-1_000_000); // shipping's clock runs 2 s ahead: its times move back
    const { page } = await open(`/trace/${skewed.traceId}`);
    const bar = page.locator(`.span-row[data-span-id="${skewed.spans.shipping.spanId}"] .bar`);
    const parentBar = page.locator(`.span-row[data-span-id="${skewed.spans.shippingCall.spanId}"] .bar`);
    await bar.waitFor();
    const box = async (l: typeof bar) => (await l.boundingBox())!;
    // Adjusted, shipping's server span lies within the inventory call that waited for it.
    expect((await box(bar)).x + (await box(bar)).width).toBeLessThanOrEqual((await box(parentBar)).x + (await box(parentBar)).width + 1);
    await expect(page.getByTestId('skew').textContent()).resolves.toContain('shipping');
    await page.getByLabel('as logged (raw)').check();
    await expect.poll(async () => (await box(bar)).x + (await box(bar)).width).toBeGreaterThan((await box(parentBar)).x + (await box(parentBar)).width + 5);
    await page.getByLabel('adjusted for skew').check();
    await expect.poll(async () => (await box(bar)).x + (await box(bar)).width).toBeLessThanOrEqual((await box(parentBar)).x + (await box(parentBar)).width + 1);
  });
});

describe('hostile log lines', () => {
  it('renders markup in a log line as text, in the trace and in search results', async () => {
    const w = await open(`/trace/${slow.traceId}`);
    const line = w.page.getByTestId('waterfall').locator('.log-row', { hasText: XSS_SCRIPT });
    await line.waitFor();
    await expect(line.locator('.msg').textContent()).resolves.toBe(`customer note: ${XSS_SCRIPT} and ${XSS_IMG}`);
    await line.getByRole('button', { name: 'show attributes' }).click();
    await expect(line.locator('dd', { hasText: XSS_IMG }).isVisible()).resolves.toBe(true);
    await expect(w.page.locator('img').count()).resolves.toBe(0);
    await expect(w.page.locator('main script').count()).resolves.toBe(0);

    await w.page.goto(`${indexer.url}/search?q=${encodeURIComponent('customer note')}`);
    const result = w.page.getByTestId('results').locator('.log-row').first();
    await expect(result.locator('.msg').textContent()).resolves.toBe(`customer note: ${XSS_SCRIPT} and ${XSS_IMG}`);
    await expect(w.page.locator('img').count()).resolves.toBe(0);
    expect(w.dialogs).toEqual([]);
  });
});

describe('unknown traces', () => {
  it('says no trace has the ID, on the trace page and from the search box', async () => {
    const unknown = 'f'.repeat(32);
    const { page } = await open(`/trace/${unknown}`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(`No trace has the ID or alias "${unknown}".`);
    await page.goto(`${indexer.url}/search`);
    await page.getByRole('searchbox', { name: 'query' }).fill('ORD-0000-00');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/search?q=ORD-0000-00&notrace=1');
    await page.getByText('No trace has the ID or alias "ORD-0000-00"').waitFor();
  });
});

describe('services and coverage', () => {
  it('shows each service in a table and lists a service’s error lines with their traces when its row is clicked', async () => {
    const metrics = await fetch(`${indexer.url}/api/metrics/errors`);
    const { page } = await open('/services');
    const table = page.getByTestId('services-table');
    await table.waitFor();
    expect(metrics.status).toBe(200);
    for (const service of ['checkout', 'inventory', 'shipping']) await expect(table.locator(`tr[data-service="${service}"]`).count()).resolves.toBe(1);
    await page.getByTestId('error-chart').locator('canvas').first().waitFor();
    await expect(table.locator('tr[data-service="inventory"] td').nth(2).textContent()).resolves.toBe('14');
    await table.locator('tr[data-service="inventory"]').click();
    const errors = page.getByTestId('service-errors');
    await errors.getByText('stock lookup failed: connection refused (39)').waitFor();
    await expect(errors.getByRole('link', { name: hexId('failing 39', 32).slice(0, 12) }).count()).resolves.toBe(1);
    expect(page.url()).toContain('service=inventory');

    // A click on the chart narrows the list to the time bucket under the cursor: aim at one where inventory failed.
    const body = (await metrics.json()) as { step: number; series: Array<{ service: string; points: Array<{ time: number; errors: number }> }> };
    const buckets = [...new Set(body.series.flatMap((s) => s.points.map((p) => p.time)))].sort((a, b) => a - b);
    const failing = body.series.find((s) => s.service === 'inventory')!.points.find((p) => p.errors > 0)!;
    const over = page.getByTestId('error-chart').locator('.u-over');
    const area = (await over.boundingBox())!;
    const x = ((failing.time - buckets[0]!) / (buckets.at(-1)! - buckets[0]!)) * area.width;
    await over.click({ position: { x: Math.max(1, Math.min(area.width - 1, x)), y: area.height / 2 } });
    await errors.getByRole('heading', { name: /^Errors of inventory between / }).waitFor();
    const url = new URL(page.url());
    expect(Number(url.searchParams.get('at'))).toBe(failing.time);
    expect(Number(url.searchParams.get('until'))).toBe(failing.time + body.step);
    const times = await errors.locator('.log-row time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!) * 1000));
    expect(times.length).toBeGreaterThanOrEqual(failing.errors);
    for (const t of times) expect(t >= failing.time - 1000 && t < failing.time + body.step, `${t} in the bucket at ${failing.time}`).toBe(true);
    await screenshot(page, 'services');
  });

  it('shows per service the share of lines with a trace ID, the hops that lost it, and aliases used by several traces', async () => {
    const { page } = await open('/coverage');
    const services = page.getByTestId('coverage-services');
    await services.waitFor();
    // Least covered first: billing stamped 1 of its 5 lines (the span-end line of its call).
    await expect(services.locator('tbody tr').first().getAttribute('data-service')).resolves.toBe('billing');
    await expect(services.locator('tr[data-service="billing"] .share-text').textContent()).resolves.toBe('20.0%');
    await expect(services.locator('tr[data-service="checkout"] .share-text').textContent()).resolves.toBe('100.0%');
    await expect(page.getByTestId('broken-hops').locator('tbody tr').count()).resolves.toBe(1);
    const hop = page.getByTestId('broken-hops').locator('tbody tr', { hasText: 'ledger' });
    await expect(hop.locator('td').nth(0).textContent()).resolves.toBe('billing');
    await expect(hop.locator('td').nth(2).textContent()).resolves.toBe('1');
    await expect(hop.getByRole('link', { name: 'server trace' }).getAttribute('href')).resolves.toBe(`/trace/${covered.serverTraceId}`);
    const alias = page.getByTestId('ambiguous-aliases').locator('li', { hasText: covered.alias });
    await expect(alias.getByRole('link').count()).resolves.toBe(2);
    await screenshot(page, 'coverage');
    await hop.getByRole('link', { name: 'client trace' }).click();
    await page.waitForURL(`**/trace/${covered.clientTraceId}`);
    await page.getByTestId('waterfall').locator('.span-row', { hasText: 'POST ledger/entries' }).waitFor();
  });
});
