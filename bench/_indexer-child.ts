// A benchmark's indexer in a process of its own: the real one, on SQLite or on a store that discards.
import { pino } from 'pino';
import { defaultConfig } from '../src/server/config.js';
import { createIndexer } from '../src/server/indexer.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';

/** Counts and forgets: the ceiling of the HTTP and parsing path, with no storage at all. */
class DiscardStore implements Store {
  private logs = 0;
  async append(batch: Parameters<Store['append']>[0]) {
    this.logs += batch.logs.length;
    return { duplicate: false, logs: batch.logs.length, spans: batch.spans.length };
  }
  async trace() {
    return undefined;
  }
  async search() {
    return { logs: [] };
  }
  async services() {
    return [];
  }
  async vocabulary() {
    return [];
  }
  async applyRetention() {
    return { deletedLogs: 0, deletedSpans: 0 };
  }
  async stats() {
    return { logs: this.logs, spans: 0, aliases: 0, bytes: 0 };
  }
  async aliasLinks() {
    return [];
  }
  async ambiguousAliases() {
    return [];
  }
  async spans() {
    return [];
  }
  async rollups() {
    return [];
  }
  async close() {}
}

const [kind, dataDir] = process.argv.slice(2);
const store = kind === 'discard' ? new DiscardStore() : await openStore({ dataDir: dataDir! });
const indexer = createIndexer({ config: { ...defaultConfig({}), port: 0, dataDir: dataDir ?? '' }, store, logger: pino({ level: 'warn' }) });
await indexer.listen();
process.send?.({ url: indexer.url });
process.on('message', (message) => {
  if (message === 'stop') void indexer.close().then(() => process.exit(0));
});
