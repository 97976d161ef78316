// A trace of 2,000 spans and 20,000 lines: every span is drawn, the lines are capped per span with "show more".
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { buildUiForTests, launchBrowser, screenshot, watchedPage } from './browser.js';
import { bigTrace } from './fixtures.js';

const SPANS = 2000;
const LINES_PER_SPAN = 10;
let indexer: TestIndexer;
let browser: Browser;
let removeUi: () => void;
let big: ReturnType<typeof bigTrace>;

beforeAll(async () => {
  removeUi = await buildUiForTests();
  [indexer, browser] = await Promise.all([startIndexer(), launchBrowser()]);
  big = bigTrace({ t0Us: Date.now() * 1000 - 30 * 60e6, spans: SPANS, linesPerSpan: LINES_PER_SPAN });
  for (let i = 0; i < big.lines.length; i += 5000) {
    const reply = await postNdjson(indexer.url, big.lines.slice(i, i + 5000));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await indexer?.dispose();
  removeUi?.();
});

it('draws every span and a capped share of the lines, and shows the rest of a span’s lines on request', async () => {
  const watched = await watchedPage(browser);
  const { page } = watched;
  await page.goto(`${indexer.url}/trace/${big.traceId}`);
  const waterfall = page.getByTestId('waterfall');
  await waterfall.waitFor({ timeout: 60_000 });
  await expect(waterfall.locator('.span-row').count()).resolves.toBe(SPANS);
  // The lines share the page's budget of 2,000 rows: each span with lines shows an equal quota (at least one).
  const answer = (await getJson(`${indexer.url}/api/traces/${big.traceId}`)).body as { logs: Array<{ spanId?: string; attachedSpanId?: string }> };
  const perSpan = new Map<string, number>();
  for (const l of answer.logs) {
    const id = l.attachedSpanId ?? l.spanId ?? '';
    perSpan.set(id, (perSpan.get(id) ?? 0) + 1);
  }
  expect(perSpan.size).toBeGreaterThan(500);
  const quota = Math.max(1, Math.min(50, Math.floor(2000 / perSpan.size)));
  const expected = [...perSpan.values()].reduce((n, k) => n + Math.min(k, quota), 0);
  await expect(waterfall.locator('.log-row').count()).resolves.toBe(expected);
  expect(expected).toBeLessThan(answer.logs.length / 2);

  // The root's block is the first: it shows its quota of lines and offers the rest.
  const rootLines = perSpan.get(big.rootSpanId)!;
  expect(rootLines).toBeGreaterThanOrEqual(LINES_PER_SPAN);
  const firstSpanLogs = waterfall.locator('.wf-logs').first();
  await expect(firstSpanLogs.locator('.log-row').count()).resolves.toBe(quota);
  const more = firstSpanLogs.getByRole('button', { name: `show ${rootLines - quota} more of ${rootLines - quota} lines` });
  await more.click();
  await expect(firstSpanLogs.locator('.log-row').count()).resolves.toBe(rootLines);
  await expect(more.isHidden()).resolves.toBe(true);

  // Hiding the lines leaves the spans; showing them again brings back the capped view.
  await page.getByLabel('logs under spans').uncheck();
  await expect(firstSpanLogs.isHidden()).resolves.toBe(true);
  await expect(waterfall.locator('.span-row').last().isVisible()).resolves.toBe(true);
  await page.getByLabel('logs under spans').check();
  await expect(firstSpanLogs.locator('.log-row').last().isVisible()).resolves.toBe(true);
  await screenshot(page, 'big-trace', undefined, { fullPage: false });
  expect(await watched.problems()).toEqual([]);
});
