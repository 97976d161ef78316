// A trace of 2,000 spans and 22,000 lines: every span is drawn, the page says how many lines it loaded of how
// many, and "show more" under a span fetches the rest of that span's lines from the indexer.
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
  big = bigTrace({ t0Us: Date.now() * 1000 - 30 * 60e6, spans: SPANS, linesPerSpan: LINES_PER_SPAN, errorAt: { span: 1, line: 8 } });
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

interface Answer {
  logCount: number;
  logsOmitted: number;
  logsPerSpan: number;
  logs: Array<{ id: string; body: string; attachedSpanId?: string }>;
  spans: Array<{ spanId: string; logCount: number }>;
}

it('draws every span, says how many lines it loaded of how many, and fetches the rest of a span’s lines on request', async () => {
  const watched = await watchedPage(browser);
  const { page } = watched;
  await page.goto(`${indexer.url}/trace/${big.traceId}`);
  const waterfall = page.getByTestId('waterfall');
  await waterfall.waitFor({ timeout: 60_000 });
  await expect(waterfall.locator('.span-row').count()).resolves.toBe(SPANS);

  // Each span has its 10 lines and its span-end line: 22,000 in all, far more than one answer carries.
  const answer = (await getJson(`${indexer.url}/api/traces/${big.traceId}`)).body as unknown as Answer;
  const total = SPANS * (LINES_PER_SPAN + 1);
  expect(answer.logCount).toBe(total);
  expect(answer.logs.length + answer.logsOmitted).toBe(total);
  const loaded = answer.logs.length.toLocaleString('en-US');
  await expect(page.locator('.facts').textContent()).resolves.toContain(`${total.toLocaleString('en-US')} log lines (${loaded} loaded)`);
  // One error line takes a place: the other 1,999 go to the earliest spans, one line each.
  expect(answer.logsPerSpan).toBe(0);
  await expect(page.getByText(`This trace has ${total.toLocaleString('en-US')} log lines; ${loaded} were loaded: every error line and the first line of the earliest spans.`).isVisible()).resolves.toBe(true);
  // Every span shows the lines the answer carried for it: the page's row budget shared equally.
  const quota = Math.max(1, Math.min(50, Math.floor(2000 / SPANS)));
  await expect(waterfall.locator('.log-row').count()).resolves.toBe(Math.min(answer.logs.length, SPANS * quota));

  // The root's block is the first: its first line, and a button for the 10 lines not loaded.
  const rootLines = answer.spans.find((s) => s.spanId === big.rootSpanId)!.logCount;
  expect(rootLines).toBe(LINES_PER_SPAN + 1);
  const firstSpanLogs = waterfall.locator('.wf-logs').first();
  await expect(firstSpanLogs.locator('.log-row').count()).resolves.toBe(quota);
  const more = firstSpanLogs.getByRole('button', { name: `show ${rootLines - quota} more of ${rootLines - quota} lines` });
  await more.click();
  await expect(firstSpanLogs.locator('.log-row').nth(rootLines - 1).waitFor()).resolves.toBeUndefined();
  await expect(firstSpanLogs.locator('.log-row').count()).resolves.toBe(rootLines);
  await expect(more.isHidden()).resolves.toBe(true);
  // In time order, each once: the span's lines, then the line its span ended with.
  const bodies = await firstSpanLogs.locator('.log-row .msg').allTextContents();
  expect(bodies.slice(0, LINES_PER_SPAN)).toEqual(Array.from({ length: LINES_PER_SPAN }, (_, j) => `step 0 line ${j}`));
  expect(bodies[LINES_PER_SPAN]).toMatch(/^server span GET \/step\/0/);

  // Span 1's error line was carried though the lines before it were not: it sits below the button, in
  // time order with the rest once they are loaded.
  const failing = waterfall.locator('.wf-logs').nth(1);
  const layout = () => failing.evaluate((el) => [...el.children].map((c) => (c.matches('button') ? ((c as { hidden?: boolean }).hidden === true ? '' : 'button') : (c.querySelector('.msg')?.textContent ?? ''))).filter((t) => t !== ''));
  await expect(layout()).resolves.toEqual(['step 1 line 0', 'button', 'step 1 line 8 failed']);
  await failing.getByRole('button', { name: 'show 9 more of 9 lines' }).click();
  await expect(failing.locator('.log-row').nth(rootLines - 1).waitFor()).resolves.toBeUndefined();
  const after = await layout();
  expect(after.slice(0, LINES_PER_SPAN)).toEqual(Array.from({ length: LINES_PER_SPAN }, (_, j) => `step 1 line ${j}${j === 8 ? ' failed' : ''}`));
  expect(after).toHaveLength(LINES_PER_SPAN + 1);

  // Redrawing on the other clock keeps what was loaded.
  await page.getByLabel('as logged (raw)').check();
  await expect(waterfall.locator('.wf-logs').first().locator('.log-row').count()).resolves.toBe(rootLines);
  await page.getByLabel('adjusted for skew').check();
  await expect(waterfall.locator('.wf-logs').nth(1).locator('.log-row').count()).resolves.toBe(LINES_PER_SPAN + 1);

  // Hiding the lines leaves the spans; showing them again brings back what was loaded.
  await page.getByLabel('logs under spans').uncheck();
  await expect(firstSpanLogs.isHidden()).resolves.toBe(true);
  await expect(waterfall.locator('.span-row').last().isVisible()).resolves.toBe(true);
  await page.getByLabel('logs under spans').check();
  await expect(waterfall.locator('.wf-logs').first().locator('.log-row').count()).resolves.toBe(rootLines);
  await screenshot(page, 'big-trace', undefined, { fullPage: false });
  expect(await watched.problems()).toEqual([]);
});
