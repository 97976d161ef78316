// Real ClickHouse servers for tests and benchmarks: each in a temporary directory with its own config, on
// free ports on 127.0.0.1, started in the foreground (no system service), ready once GET /ping answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What to tell a person whose machine has no ClickHouse server. */
export const HOW_TO_ENABLE = 'no clickhouse-server on PATH: install it (Debian: apt-get install clickhouse-server) to run the ClickHouse tests';

/** The user with a password that every test server has besides `default`. */
export const TEST_USER = { username: 'logstitch', password: 'stitch-secret' };

/** The command that runs a server: Debian's `clickhouse-server`, or a current release's `clickhouse server`. */
export function serverCommand(): string[] | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/bin'].filter((d) => d.length > 0);
  for (const dir of dirs) if (existsSync(join(dir, 'clickhouse-server'))) return [join(dir, 'clickhouse-server')];
  for (const dir of dirs) {
    const multi = join(dir, 'clickhouse');
    if (existsSync(multi) && spawnSync(multi, ['server', '--help'], { stdio: 'ignore', timeout: 10_000 }).status === 0) return [multi, 'server'];
  }
  return undefined;
}

/**
 * A free port below the ephemeral range (which starts at 32768 on Linux): a killed server restarts on its
 * ports, and a port the system hands out for bind(0) elsewhere meanwhile could otherwise be one of them.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const server = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
  throw new Error('found no free port between 10000 and 32000 on 127.0.0.1');
}

interface Ports {
  http: number;
  tcp: number;
  interserver: number;
}

/** A cluster definition every member of a sharded set-up carries: one replica per shard. */
export interface ClusterLayout {
  name: string;
  /** The TCP ports of the shards' servers, in shard order. */
  shardTcpPorts: number[];
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function configXml(dir: string, ports: Ports, cluster: ClusterLayout | undefined): string {
  const remote = cluster === undefined
    ? ''
    : `<remote_servers><${cluster.name}>${cluster.shardTcpPorts.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`).join('')}</${cluster.name}></remote_servers>`;
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><size>50M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <keep_alive_timeout>10</keep_alive_timeout>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${TEST_USER.username}><password>${xml(TEST_USER.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${TEST_USER.username}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
  ${remote}
</yandex>
`;
}

/** Every server a test started, so that none outlives the test process. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class ClickHouseServer {
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly dir: string,
    readonly ports: Ports,
    private readonly command: string[],
    private readonly cluster: ClusterLayout | undefined,
  ) {}

  /** The server process, while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  /** Starts one server; with `cluster`, the servers of a sharded set-up (see startCluster). */
  static async start(options: { cluster?: ClusterLayout; ports?: Ports } = {}): Promise<ClickHouseServer> {
    const command = serverCommand();
    if (command === undefined) throw new Error(HOW_TO_ENABLE);
    const dir = mkdtempSync(join(tmpdir(), 'logstitch-clickhouse-'));
    const ports = options.ports ?? { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
    const server = new ClickHouseServer(dir, ports, command, options.cluster);
    await server.launch();
    return server;
  }

  /** `shards` servers that all know the cluster `name` made of them, one shard each. */
  static async startCluster(name: string, shards: number): Promise<ClickHouseServer[]> {
    const ports: Ports[] = [];
    for (let i = 0; i < shards; i++) ports.push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
    const cluster = { name, shardTcpPorts: ports.map((p) => p.tcp) };
    return Promise.all(ports.map((p) => ClickHouseServer.start({ cluster, ports: p })));
  }

  /** Starts the server on its directory and ports, and waits until it answers /ping. */
  async launch(timeoutMs = 60_000): Promise<void> {
    for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(this.dir, sub), { recursive: true });
    const config = join(this.dir, 'config.xml');
    writeFileSync(config, configXml(this.dir, this.ports, this.cluster));
    this.stderr = '';
    const child = spawn(this.command[0]!, [...this.command.slice(1), `--config-file=${config}`], { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode ?? child.signalCode}) before answering: ${this.diagnostics()}`);
      try {
        const res = await fetch(`${this.url}/ping`);
        if (res.ok && (await res.text()).startsWith('Ok')) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`clickhouse-server did not answer /ping within ${timeoutMs} ms: ${this.diagnostics()}`);
  }

  /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  /** Stops the server (SIGTERM, then SIGKILL if it lingers). */
  async stop(): Promise<void> {
    if (!(await this.signal('SIGTERM', 15_000))) await this.signal('SIGKILL', 10_000);
  }

  /** Stops the server and deletes its directory. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs one SQL statement over HTTP and returns the answer's text (for checks that go around the store). */
  async sql(query: string): Promise<string> {
    const res = await fetch(`${this.url}/`, { method: 'POST', body: query });
    const text = await res.text();
    if (!res.ok) throw new Error(`ClickHouse said ${res.status} to ${query.slice(0, 200)}: ${text}`);
    return text;
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return true;
    const gone = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    child.kill(signal);
    return gone;
  }

  /** The end of the server's error log and output: what it said before it stopped. */
  lastLog(): string {
    return this.diagnostics();
  }

  private diagnostics(): string {
    let log = '';
    try {
      log = readFileSync(join(this.dir, 'log', 'error.log'), 'utf8').slice(-2000);
    } catch {
      // No log yet.
    }
    return `${this.stderr.trim()} ${log.trim()}`.trim() || '(no output)';
  }
}
