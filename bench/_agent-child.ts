// A benchmark's agent in a process of its own (so its peak RSS is its own): follows one file from the
// beginning and reports its counts to the parent until told to stop.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createAgent } from '../src/agent/agent.js';
import { agentConfigFrom } from '../src/agent/config.js';

const [file, url, dataDir, threads] = process.argv.slice(2);

/** CPU time of the main thread alone (ms; Linux, else 0): the rest of the process's is the parsing thread's, GC's and I/O's. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
const config = agentConfigFrom({
  data_dir: dataDir,
  sources: [{ include: [file], service: 'bench' }],
  // BENCH_AGENT_SINK: extra sink settings as JSON (for experiments: batch sizes, concurrency, compression).
  sink: { url, ...(JSON.parse(process.env.BENCH_AGENT_SINK ?? '{}') as object) },
  tuning: { parse_threads: Number(threads ?? 0) },
}, {});
const agent = createAgent(config, { log: pino({ level: 'warn' }) });
const started = process.hrtime.bigint();
await agent.start();
// How often reading was paused (too many bytes unacknowledged): the time the agent waited for the sink.
let samples = 0;
let paused = 0;
const cpuAtStart = process.cpuUsage();
const mainAtStart = mainThreadCpuMs();
const timer = setInterval(() => {
  samples++;
  if (agent.status().paused) paused++;
  const cpu = process.cpuUsage(cpuAtStart);
  process.send?.({
    recordsSent: agent.metrics.recordsSent, linesRead: agent.metrics.linesRead, seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: mainThreadCpuMs() - mainAtStart,
  });
}, 20);
process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  void agent.stop(1000).then(() => {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
    process.send?.({ peakRssMb: Math.round(kb / 1024), pausedShare: samples === 0 ? 0 : Math.round((paused / samples) * 100) / 100 }, () => process.exit(0));
  });
});
