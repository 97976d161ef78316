// Compiles the transports (and only what they import) into dist/, where pino's worker and child processes load them.
//
// `npm test` builds everything first (pretest), but `vitest run test/transport` does not, and the rest of
// the project may be mid-edit: so compile just these entry points, with a throwaway tsconfig that extends
// the real one, into the same dist/ the package `exports` point at.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const entries = ['adapters/pino/transport.ts', 'adapters/winston/transport.ts', 'adapters/shared/shipper.ts'];

export function buildTransports(): void {
  const dir = mkdtempSync(join(tmpdir(), 'logstitch-transport-build-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { rootDir: root, outDir: join(root, 'dist'), typeRoots: [join(root, 'node_modules/@types')] },
        files: entries.map((entry) => join(root, entry)),
      }),
    );
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: root, stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
