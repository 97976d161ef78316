// `npm run bench -- NAME`: runs bench/NAME, which prints its figures and, last, one JSON line.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['run.js'].includes(f) && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const name = process.argv[2];
if (name === undefined || name === '--help' || !available.includes(name)) {
  process.stderr.write(`Usage: npm run bench -- NAME\n\nBenchmarks: ${available.join(', ')}\n`);
  process.exit(name === undefined || name === '--help' ? 0 : 2);
}
const bench = (await import(`./${name}.js`)) as { main(args: string[]): Promise<void> };
await bench.main(process.argv.slice(3));
