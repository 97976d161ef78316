// A writer in a process of its own, for the kill -9 test: appends numbered batches, four at a time, and
// prints `ack N` once batch N's append has resolved (the point at which an indexer acknowledges).
const [storeModule, dataDir, first] = process.argv.slice(2);
const { openStore } = await import(storeModule);
const store = await openStore({ dataDir, threads: 'worker' });
const LINES = 200;
let next = Number(first);
const batchOf = (n) => ({
  batchId: `b${n}`,
  logs: Array.from({ length: LINES }, (_, j) => ({ time: 1_700_000_000_000_000 + n * 1000 + j, severityNumber: 9, body: `batch b${n} line ${j} ${'filler '.repeat(20)}`, service: `svc${n % 3}`, traceId: (n * 1000 + j + 1).toString(16).padStart(32, '0') })),
  spans: [],
  aliases: [],
});
async function loop() {
  for (;;) {
    const n = next++;
    await store.append(batchOf(n));
    process.stdout.write(`ack ${n}\n`);
  }
}
process.stdout.write('ready\n');
await Promise.all([loop(), loop(), loop(), loop()]);
