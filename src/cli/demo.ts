// `logstitch demo` (what `npm start` runs): the checkout story told by the product itself — the indexer,
// five sample services writing log files, an agent shipping them, steady traffic, and one slow checkout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startStory, type Story } from '../../samples/story/index.js';
import { agentConfigFrom } from '../agent/config.js';
import { createAgent, type Agent } from '../agent/agent.js';
import { defaultConfig, DEFAULT_PORT, parsePort } from '../server/config.js';
import { createIndexer, type Indexer } from '../server/indexer.js';
import { openStore } from '../store/index.js';
import { paint } from './format.js';
import { UsageError, useColor } from './usage.js';

export const DEMO_USAGE = `Usage: logstitch demo [options]

Tells the checkout story: starts the indexer (with the web UI), five sample services — checkout
(express + pino) → inventory (fastify + winston) → warehouse-db → shipping (a legacy service that
writes plain text and knows only X-Request-ID) → a third-party carrier API — an agent that tails their
log files, and steady traffic with some failures. One checkout (X-Request-ID abc-123) is slow: the
network between inventory and shipping holds it for 9 seconds. When that trace is indexed, the demo
prints where to look and what logstitch found, then keeps the traffic going until Ctrl-C.

Options:
  --port PORT     Where the indexer and UI listen (default 4318; a free port when 4318 is taken)
  --data DIR      Keep the data in DIR (default: a temporary directory, deleted on exit)
  --delay MS      How long the slow checkout is held up (default 9000)
  --slow-hop HOP  Where it is held up: network (between inventory and shipping, the default) or
                  carrier (the third-party API answers slowly)
  --json          Print the ready message as one JSON line
  -h, --help      Show this help
`;

const SLOW_REQUEST_ID = 'abc-123';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { port: { type: 'string' }, data: { type: 'string' }, delay: { type: 'string' }, 'slow-hop': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }
  const delayMs = values.delay === undefined ? 9000 : Number(values.delay);
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) throw new UsageError(`--delay must be milliseconds from 0 to 60000, not ${JSON.stringify(values.delay)}`);
  const hop = values['slow-hop'] ?? 'network';
  if (hop !== 'network' && hop !== 'carrier') throw new UsageError(`--slow-hop must be network or carrier, not ${JSON.stringify(hop)}`);
  const temporary = values.data === undefined;
  const dataDir = values.data ?? mkdtempSync(join(tmpdir(), 'logstitch-demo-'));
  const p = paint(useColor(process.stdout));
  const say = (text: string) => values.json !== true && process.stdout.write(`${text}\n`);

  const parts: { indexer?: Indexer; story?: Story; agent?: Agent; traffic?: ReturnType<Story['traffic']> } = {};
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await parts.traffic?.stop();
      await parts.agent?.stop(3000);
      await parts.story?.close();
      await parts.indexer?.close();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    })());
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

  try {
    say(p.bold('logstitch demo — the checkout story'));
    parts.indexer = await startIndexer(dataDir, values.port);
    const ui = parts.indexer.url;
    say(`  indexer and UI on ${ui} (data in ${dataDir}${temporary ? ', removed on exit' : ''})`);
    const logDir = join(dataDir, 'logs');
    parts.story = await startStory({ logDir });
    parts.agent = createAgent(
      agentConfigFrom({
        data_dir: join(dataDir, 'agent'),
        sources: [{ name: 'story', include: [join(logDir, '*.log')], service_from_path: join(logDir, '{service}.log'), start_at: 'beginning' }],
        sink: { url: ui, batch: { timeout: '200ms' } },
        log_level: 'warn',
      }, {}),
      { log: pino({ level: 'warn' }, pino.destination(2)) },
    );
    await parts.agent.start();
    say('  services: checkout → inventory → warehouse-db → shipping → carrier-api, logs tailed by the agent');

    let paused = false;
    parts.traffic = parts.story.traffic(250, () => paused);
    await Promise.race([sleep(2000), interrupted]);
    const where = hop === 'network' ? 'in the network between inventory and shipping' : 'waiting for the carrier API';
    say(`  sending the slow checkout (X-Request-ID ${SLOW_REQUEST_ID}; ${delayMs / 1000} s ${where})…`);
    paused = true;
    await parts.traffic.idle();
    const slow = hop === 'network' ? parts.story.slowCheckout(SLOW_REQUEST_ID, delayMs) : parts.story.checkout({ requestId: SLOW_REQUEST_ID, carrierDelayMs: delayMs });
    await sleep(300);
    paused = false;
    const result = await Promise.race([slow, interrupted.then(() => undefined)]);
    if (result === undefined) return 0;
    const view = await Promise.race([waitForTrace(ui, SLOW_REQUEST_ID, 20_000), interrupted.then(() => undefined)]);
    if (view === undefined) {
      process.stderr.write(`logstitch demo: the slow checkout did not show up in the indexer within 20 s\n`);
      return 1;
    }
    const ready = { ui: `${ui}/`, trace: `${ui}/trace/${SLOW_REQUEST_ID}`, requestId: SLOW_REQUEST_ID, traceId: view.traceId, checkoutMs: result.ms, summary: view.summary };
    if (values.json === true) process.stdout.write(`${JSON.stringify({ ready: true, ...ready })}\n`);
    else {
      say('');
      say(`  the slow checkout took ${(result.ms / 1000).toFixed(1)} s — trace ${view.traceId}`);
      say(`  ${p.bold('where the time went:')} ${p.yellow(view.summary)}`);
      say('');
      say(`  open ${p.cyan(ready.trace)}`);
      say(`  or:   logstitch trace ${SLOW_REQUEST_ID} --indexer ${ui}    logstitch errors --indexer ${ui}`);
      say('');
      say(p.green('ready') + ' — traffic keeps flowing (some carrier calls fail); Ctrl-C stops everything');
    }
    await interrupted;
    return 0;
  } finally {
    say('stopping…');
    await stop();
  }
}

async function startIndexer(dataDir: string, portText: string | undefined): Promise<Indexer> {
  const config = { ...defaultConfig(), dataDir: join(dataDir, 'store'), logLevel: 'warn', port: portText === undefined ? DEFAULT_PORT : parsePort(portText) };
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const store = await openStore({ dataDir: config.dataDir });
  let indexer = createIndexer({ config, store, logger });
  try {
    await indexer.listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || portText !== undefined) throw error;
    // 4318 is taken (another indexer, a Collector): any free port will do for a demo.
    await indexer.close().catch(() => {});
    indexer = createIndexer({ config: { ...config, port: 0 }, store: await openStore({ dataDir: config.dataDir }), logger });
    await indexer.listen();
  }
  return indexer;
}

/** Polls the trace view until the slow trace has its spans from inventory and shipping (or gives up). */
async function waitForTrace(url: string, id: string, timeoutMs: number): Promise<{ traceId: string; summary: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/traces/${encodeURIComponent(id)}`);
      if (res.ok) {
        const view = (await res.json()) as { traceId: string; summary: string; spans: Array<{ service?: string; kind: string }>; logs: Array<{ service?: string }> };
        // Complete once every span the adapters log for it (checkout's and inventory's, both of inventory's
        // calls) and both of shipping's lines (the request and its answer) are in: the agent ships the
        // files independently, so they arrive in any order.
        const spans = (service: string, kind: string) => view.spans.filter((s) => s.service === service && s.kind === kind).length;
        const answered = spans('checkout', 'server') >= 1 && spans('checkout', 'client') >= 1 && spans('inventory', 'server') >= 1 && spans('inventory', 'client') >= 2;
        const shippingLines = view.logs.filter((l) => l.service === 'shipping').length;
        if (answered && shippingLines >= 2 && !view.summary.startsWith('No spans')) return view;
      } else await res.arrayBuffer();
    } catch {
      // The indexer is busy starting; try again.
    }
    await sleep(250);
  }
  return undefined;
}
