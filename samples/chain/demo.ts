// The chain demo: four checkouts arriving the ways real traffic does, and the stamped lines each produced.
import { startChain, type ServiceName } from './index.js';

export interface DemoScenario {
  title: string;
  headers: Record<string, string>;
}

export const DEMO_SCENARIOS: DemoScenario[] = [
  { title: 'from a legacy load balancer with X-Trace-ID: abc-123', headers: { 'X-Trace-ID': 'abc-123' } },
  { title: 'with a W3C traceparent', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
  { title: 'with a B3 single header', headers: { b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1' } },
  { title: 'with no trace headers at all', headers: {} },
];

export interface DemoResult {
  scenario: DemoScenario;
  traceId: string;
  status: number;
  lines: Array<{ service: ServiceName; line: string }>;
  /** Lines written during the request that do not carry its trace ID (should be none). */
  unstamped: number;
}

export interface DemoOutput {
  write(text: string): void;
  color: boolean;
}

/** Runs the scenarios one after the other and prints each one's lines; returns what happened. */
export async function runChainDemo(out: DemoOutput): Promise<DemoResult[]> {
  const paint = (code: number, text: string) => (out.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  let current: Array<{ service: ServiceName; line: string }> = [];
  const chain = await startChain({ echo: (service, line) => current.push({ service, line }) });
  const results: DemoResult[] = [];
  try {
    out.write(`logstitch sample chain: checkout (express + pino) → inventory (fastify + winston) → shipping (node:http + console)\n`);
    for (const [i, scenario] of DEMO_SCENARIOS.entries()) {
      current = [];
      const response = await chain.checkout(scenario.headers);
      await response.arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
      const traceId = response.headers.get('x-trace-id') ?? '';
      const unstamped = current.filter((l) => !l.line.includes(traceId)).length;
      results.push({ scenario, traceId, status: response.status, lines: current, unstamped });
      out.write(`\n${paint(1, `${i + 1}. A checkout ${scenario.title}`)}\n`);
      for (const { service, line } of current) out.write(`  ${paint(36, service.padEnd(9))} ${line}\n`);
      const verdict = unstamped === 0 ? paint(32, `all ${current.length} lines carry trace_id ${traceId}`) : paint(31, `${unstamped} of ${current.length} lines lack trace_id ${traceId}`);
      out.write(`  → HTTP ${response.status}, response header x-trace-id: ${traceId}; ${verdict}\n`);
    }
  } finally {
    await chain.close();
  }
  return results;
}
