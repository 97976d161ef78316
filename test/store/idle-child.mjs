// Opens the compiled store in worker threads, appends, and then closes it or leaves it open: either way
// the process must end by itself, with code 0.
const [storeModule, dataDir, how] = process.argv.slice(2);
const { openStore } = await import(storeModule);
const store = await openStore({ dataDir, threads: 'worker' });
await store.append({ logs: [{ time: 1_700_000_000_000_000, severityNumber: 9, body: 'still here' }], spans: [], aliases: [] });
if (how === 'close') await store.close();
process.stdout.write(`done ${how}\n`);
