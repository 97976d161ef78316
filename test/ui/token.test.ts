// The UI against an indexer that requires a query token: it asks once, remembers it for the tab, and says when it is wrong.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { buildUiForTests, launchBrowser, watchedPage, type WatchedPage } from './browser.js';
import { checkoutTrace } from './fixtures.js';

const TOKEN = 'open-sesame-5f2c';
let indexer: TestIndexer;
let browser: Browser;
let removeUi: () => void;
let watched: WatchedPage;

beforeAll(async () => {
  removeUi = await buildUiForTests();
  [indexer, browser] = await Promise.all([startIndexer({ queryToken: TOKEN }), launchBrowser()]);
  watched = await watchedPage(browser);
  const reply = await postNdjson(indexer.url, checkoutTrace({ label: 'guarded', t0Us: Date.now() * 1000 - 60e6 }).lines);
  expect(reply.status).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await indexer?.dispose();
  removeUi?.();
});

afterEach(async () => {
  const problems = await watched.problems();
  await watched.reset();
  expect(problems).toEqual([]);
});

it('asks for the token on 401, says when it is rejected, then searches with it and keeps it for the tab', async () => {
  const { page } = watched;
  await page.goto(`${indexer.url}/search?q=quote`);
  const dialog = page.getByRole('dialog', { name: 'This indexer needs a query token' });
  await dialog.waitFor();
  await dialog.getByLabel('query token').fill('wrong-token');
  await dialog.getByRole('button', { name: 'Use token' }).click();
  await dialog.getByText('The token was not accepted.').waitFor();
  await dialog.getByLabel('query token').fill(TOKEN);
  await dialog.getByRole('button', { name: 'Use token' }).click();
  await page.getByTestId('results').getByText('quote ready: 4.90 EUR').waitFor();
  await expect(dialog.count()).resolves.toBe(0);

  // The services page makes two requests at once: they share the stored token, and nothing asks again.
  await page.goto(`${indexer.url}/services`);
  await page.getByTestId('services-table').locator('tr[data-service="shipping"]').waitFor();
  await expect(page.getByRole('dialog').count()).resolves.toBe(0);
});

it('shows the indexer’s 401 message when the user declines to give a token', async () => {
  const { page } = watched;
  await page.evaluate('sessionStorage.clear()');
  await page.goto(`${indexer.url}/search?q=quote`);
  const dialog = page.getByRole('dialog', { name: 'This indexer needs a query token' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('query-error').getByText('query needs a valid token').waitFor();
});
