// Serves the web UI: the built bundle under /assets/, and index.html for the app's own paths, under a strict CSP.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Scripts and styles only from this origin, no inline code or styles, no plugins or frames, and Trusted
 * Types so that no string can ever become markup: log lines are attacker-controlled and are shown as text.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': UI_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the browser app draws itself (client-side routes): all answered with index.html. */
const APP_PATH = /^\/(?:|search|services|coverage|trace\/[^/]+)$/;
/** Bundle files are named by esbuild with a content hash: `app-XGL6V6DR.js`. */
const ASSET_PATH = /^\/assets\/([A-Za-z0-9_-]+(?:\.[A-Za-z0-9]+)+)$/;

/** dist/ui of the package this module belongs to, from src/ (tests) or dist/src/ (built) alike. */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"logstitch"/.test(readFileSync(manifest, 'utf8'))) return join(dir, 'dist', 'ui');
    const up = dirname(dir);
    if (up === dir) return join(dirname(fileURLToPath(import.meta.url)), 'ui');
    dir = up;
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer | string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-length': bytes.length });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export type UiHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

/**
 * A handler for GET/HEAD requests that answers the UI's paths and returns true, or returns false for any
 * other path (the caller answers those). Files are read from `dir`, else `$LOGSTITCH_UI_DIR` (a UI built
 * elsewhere, as the UI tests do), else the package's dist/ui.
 */
export function createUiHandler(options: { dir?: string } = {}): UiHandler {
  const dir = options.dir ?? (process.env.LOGSTITCH_UI_DIR || defaultUiDir());
  return async (req, res, path) => {
    const asset = ASSET_PATH.exec(path);
    if (!asset && !APP_PATH.test(path)) return false;
    const file = asset ? join(dir, 'assets', asset[1]!) : join(dir, 'index.html');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (asset) {
        send(req, res, 404, { 'content-type': TYPES['.txt']!, 'cache-control': 'no-cache' }, `no UI asset ${path}; reload the page to fetch the current bundle\n`);
      } else {
        send(req, res, 503, { 'content-type': TYPES['.txt']!, 'cache-control': 'no-cache' }, `the web UI is not built (no ${file}): run \`npm run build\`, which bundles it with scripts/build-ui.mjs\n`);
      }
      return true;
    }
    if (asset) {
      // Hashed names never change content, so browsers may keep them for a year.
      send(req, res, 200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' }, body);
      return true;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const headers = { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache', etag };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...SECURITY_HEADERS, ...headers });
      res.end();
      return true;
    }
    send(req, res, 200, headers, body);
    return true;
  };
}
