// The checkout story end to end, as a user starts it: `npm start` runs the demo (indexer, five services
// writing log files, the agent, traffic), and the slow checkout's trace says where the time went.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

// npm runs the demo in a child of its own and does not pass Ctrl-C on: signal the whole process group,
// as a terminal does.
const signalGroup = (signal: NodeJS.Signals) => {
  try {
    process.kill(-child!.pid!, signal);
  } catch {
    // Already gone.
  }
};

afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    signalGroup('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) signalGroup('SIGKILL');
  }
  child = undefined;
});

interface Ready {
  ready: true;
  ui: string;
  trace: string;
  requestId: string;
  traceId: string;
  summary: string;
}

/** `npm start -- ARGS` until it prints its ready line (or gives up after 60 s). */
function startDemo(args: string[]): Promise<{ ready: Ready; output: () => string }> {
  child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--json', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo was not ready within 60 s:\n${out}\n${err}`)), 60_000);
    child!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ ready: JSON.parse(line) as Ready, output: () => out + err });
      }
    });
    child!.once('exit', (code) => reject(new Error(`the demo exited with ${code} before it was ready:\n${out}\n${err}`)));
  });
}

describe('npm start: the checkout story', () => {
  it('is ready with the slow trace, whose summary names the network hop between inventory and shipping', async () => {
    const started = Date.now();
    const { ready } = await startDemo(['--delay', '4000']);
    // The issue asks for ready within 30 s with the 9 s delay; this run holds the checkout 4 s.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(ready.requestId).toBe('abc-123');
    expect(ready.summary).toMatch(/inventory → shipping, between the call leaving inventory and shipping receiving it/);
    expect(ready.summary).toMatch(/^4\.\d s of 4\.\d s/);

    const view = (await (await fetch(`${ready.ui}api/traces/abc-123`)).json()) as any;
    expect(view.traceId).toBe(ready.traceId);
    const services = new Set(view.spans.map((s: any) => s.service));
    for (const service of ['checkout', 'inventory', 'warehouse-db', 'shipping']) expect(services).toContain(service);
    // shipping wrote plain text with request_id=abc-123 only: its lines are in the trace, its span derived from them.
    const shipping = view.spans.find((s: any) => s.service === 'shipping');
    expect(shipping).toMatchObject({ derived: true, origin: 'log-extent' });
    expect(view.logs.some((l: any) => l.service === 'shipping' && /request_id=abc-123 quote requested/.test(l.body))).toBe(true);
    const gap = view.gaps.find((g: any) => g.from === 'inventory' && g.to === 'shipping');
    expect(gap.duration).toBeGreaterThan(3_900_000);

    // Traffic keeps flowing, with failures: the error rates say so per service.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const metrics = (await (await fetch(`${ready.ui}api/metrics/errors`)).json()) as any;
    const checkout = metrics.totals.find((t: any) => t.service === 'checkout');
    expect(checkout.requests).toBeGreaterThan(5);
  }, 90_000);

  it('names shipping when the third-party carrier API is what is slow', async () => {
    const { ready } = await startDemo(['--delay', '4000', '--slow-hop', 'carrier']);
    expect(ready.summary).toMatch(/shipping/);
    expect(ready.summary).not.toMatch(/inventory → shipping, between the call leaving/);
  }, 90_000);
});
