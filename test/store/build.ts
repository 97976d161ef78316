// Compiles the store (and only what it imports) to JavaScript in a directory of its own, where its worker
// threads can run: they cannot load TypeScript. `dist/` is left alone, for builds running meanwhile.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Builds once per process; returns the directory holding src/store/index.js. */
let built: string | undefined;
export function buildStore(): string {
  if (built !== undefined) return built;
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-store-build-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outDir = join(dir, 'dist');
  mkdirSync(outDir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const config = join(dir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { rootDir: root, outDir, declaration: false, sourceMap: false, typeRoots: [join(root, 'node_modules/@types')] },
      files: [join(root, 'src/store/index.ts'), join(root, 'src/store/sqlite/worker.ts')],
      include: [],
    }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: root, stdio: 'pipe' });
  built = outDir;
  return outDir;
}

/** The compiled src/store/index.js, imported. */
export async function importBuiltStore(): Promise<typeof import('../../src/store/index.js')> {
  return (await import(pathToFileURL(join(buildStore(), 'src/store/index.js')).href)) as typeof import('../../src/store/index.js');
}
