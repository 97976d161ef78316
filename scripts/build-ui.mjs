// Bundles the web UI (src/ui) with esbuild into one hashed JS file, one hashed CSS file and index.html.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `logstitch serve` looks for the bundle unless told otherwise. */
export const DEFAULT_UI_DIR = join(ROOT, 'dist', 'ui');

/**
 * Builds the UI into `outDir` (default dist/ui): `assets/app-HASH.js`, `assets/app-HASH.css` and an
 * `index.html` naming them. Hashed names let the server cache assets for a year and index.html not at all.
 * @param {{ outDir?: string, minify?: boolean }} [options]
 * @returns {Promise<{ outDir: string, script: string, style: string }>}
 */
export async function buildUi(options = {}) {
  const outDir = resolve(options.outDir ?? DEFAULT_UI_DIR);
  const assets = join(outDir, 'assets');
  await rm(assets, { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: join(ROOT, 'src', 'ui', 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    outdir: assets,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'eof',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((f) => /^app-.*\.js$/.test(f));
  const style = outputs.find((f) => /^app-.*\.css$/.test(f));
  if (script === undefined || style === undefined) throw new Error(`the UI build produced no app JS or CSS (outputs: ${outputs.join(', ')})`);
  const template = await readFile(join(ROOT, 'src', 'ui', 'index.html'), 'utf8');
  const html = template.replace('%STYLE%', `/assets/${style}`).replace('%SCRIPT%', `/assets/${script}`);
  await writeFile(join(outDir, 'index.html'), html);
  return { outDir, script, style };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = process.argv[2];
  buildUi(outDir === undefined ? {} : { outDir }).then(
    (r) => console.log(`UI built into ${r.outDir} (${r.script}, ${r.style})`),
    (error) => {
      console.error(`UI build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
