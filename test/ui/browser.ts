// Debian's Chromium driven by playwright-core for the UI tests: launch, watch a page for trouble, save screenshots.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildUi } from '../../scripts/build-ui.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots the tests take (gitignored; CI keeps them as artifacts). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'ui');

/** Never a downloaded browser: the system's Chromium, as `.ci/run` installs it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.LOGSTITCH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Builds the UI from src/ui into a temporary directory and points the indexer at it (LOGSTITCH_UI_DIR is read
 * when an indexer is created), so the tests always serve the current sources and never race another
 * test file over dist/ui. Returns a function that removes the build.
 */
export async function buildUiForTests(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-ui-'));
  await buildUi({ outDir: dir });
  process.env.LOGSTITCH_UI_DIR = dir;
  return () => {
    delete process.env.LOGSTITCH_UI_DIR;
    rmSync(dir, { recursive: true, force: true });
  };
}

export interface WatchedPage {
  page: Page;
  /** Messages of every alert/confirm/prompt the page opened (each is dismissed). */
  dialogs: string[];
  /** Uncaught exceptions, console errors other than failed loads, and CSP or Trusted Types violations. */
  problems(): Promise<string[]>;
  /** Forgets what was seen so far: one page serves a whole test file, each test checks its own share. */
  reset(): Promise<void>;
}

const VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample || '')));
`;

/**
 * A page whose trouble is recorded. Opening a page costs far more than navigating one (a renderer starts),
 * so a test file opens one and navigates it from test to test.
 */
export async function watchedPage(browser: Browser, options: { width?: number; height?: number } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const page = await context.newPage();
  // A step that cannot happen should fail with its own message, well before the test's timeout.
  page.setDefaultTimeout(15_000);
  await page.addInitScript(VIOLATIONS);
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx the UI asked for on purpose (bad query, unknown trace, missing route) is logged by Chrome as a failed load.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  // Violations are kept per document; those of documents already left were reported by the console as errors.
  const violations = async () => ((await page.evaluate('window.__violations ?? []').catch(() => [])) as string[]).map((v) => `CSP: ${v}`);
  return {
    page,
    dialogs,
    async problems() {
      return [...errors, ...(await violations())];
    },
    async reset() {
      dialogs.length = 0;
      errors.length = 0;
      await page.evaluate('window.__violations = []').catch(() => {});
    },
  };
}

export async function screenshot(page: Page, name: string, file = join(ARTIFACTS, `${name}.png`), options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/**
 * The trace page as the README shows it: opens `/trace/<id>` on a running indexer (whose UI is built),
 * waits for the waterfall and saves a PNG. For docs/trace.png from the demo's slow trace:
 * `await screenshotTrace({ indexerUrl, traceId, file: 'docs/trace.png' })`.
 */
export async function screenshotTrace(options: { indexerUrl: string; traceId: string; file: string; browser?: Browser; width?: number }): Promise<string> {
  const browser = options.browser ?? (await launchBrowser());
  try {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${options.indexerUrl}/trace/${encodeURIComponent(options.traceId)}`);
    await page.getByTestId('waterfall').waitFor();
    const file = await screenshot(page, 'trace', options.file);
    await context.close();
    return file;
  } finally {
    if (options.browser === undefined) await browser.close();
  }
}
