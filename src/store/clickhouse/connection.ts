// Talking to ClickHouse over HTTP through @clickhouse/client: rows as JSON, commands, NDJSON inserts, and
// DDL on every node of a cluster — with only the settings the server in front of us knows.
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { StoreError } from '../errors.js';
import { engineError } from './errors.js';
import type { InsertFormat } from './encode.js';
import type { ResolvedOptions } from './options.js';
import { strList } from './sql.js';

type Settings = Record<string, string | number>;

export interface ServerVersion {
  text: string;
  major: number;
  minor: number;
}

/** Settings the store wants when the server has them (older servers reject names they do not know). */
const WANTED_SETTINGS = ['insert_distributed_sync', 'distributed_foreground_insert', 'max_partitions_per_insert_block', 'output_format_json_quote_64bit_integers', 'optimize_skip_unused_shards'];

function newClient(url: string, options: ResolvedOptions): ClickHouseClient {
  return createClient({
    ...(options.connection === undefined ? { url } : { connection: options.connection() }),
    username: options.username,
    password: options.password,
    request_timeout: options.requestTimeoutMs,
    max_open_connections: 16,
    compression: { request: false, response: false },
    keep_alive: { enabled: true, idle_socket_ttl: 2000 },
    application: 'logstitch',
    // Failures reach the caller as errors that say what was being done; the client need not log them too.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export class Connection {
  private readonly readSettings: Settings;
  private readonly writeSettings: Settings;

  private constructor(
    private readonly main: ClickHouseClient,
    private readonly nodeClients: ReadonlyArray<{ url: string; client: ClickHouseClient }>,
    readonly url: string,
    readonly cluster: string | undefined,
    readonly version: ServerVersion,
    known: ReadonlySet<string>,
    /** Whether insert bodies may be bytes (HTTP), or must be text (a connection hook such as chDB's). */
    readonly binaryBodies: boolean,
  ) {
    // Big IN lists (row keys, trace IDs) go in the query text; 18.16 parses at most 256 KiB of it by default.
    this.readSettings = { max_query_size: 64 * 1024 * 1024 };
    if (known.has('output_format_json_quote_64bit_integers')) this.readSettings.output_format_json_quote_64bit_integers = 1;
    // Newer servers send `trace_id = …` queries only to the shard the sharding key names (18.16 asks all).
    if (cluster !== undefined && known.has('optimize_skip_unused_shards')) this.readSettings.optimize_skip_unused_shards = 1;
    this.writeSettings = {};
    // Inserts into Distributed tables must reach the shards before the insert returns: the ack depends on it.
    if (cluster !== undefined) {
      // Current servers keep the old name only as an alias of the new one: the new one where it exists.
      if (known.has('distributed_foreground_insert')) this.writeSettings.distributed_foreground_insert = 1;
      else if (known.has('insert_distributed_sync')) this.writeSettings.insert_distributed_sync = 1;
      else throw new StoreError('STORE_INCOMPATIBLE', `ClickHouse ${version.text} has no synchronous Distributed inserts (insert_distributed_sync): a sharded store could not acknowledge honestly`);
    }
    // A batch of old lines may span many days (partitions); current servers refuse more than 100 per insert.
    if (known.has('max_partitions_per_insert_block')) this.writeSettings.max_partitions_per_insert_block = 0;
  }

  /** Connects, checks the server answers and is recent enough, and learns which settings it has. */
  static async open(options: ResolvedOptions): Promise<Connection> {
    const main = newClient(options.url, options);
    const nodes = options.nodes.map((url) => ({ url, client: newClient(url, options) }));
    try {
      const probe = async <T>(sql: string): Promise<T[]> => {
        try {
          const result = await main.query({ query: sql, format: 'JSONEachRow' });
          return (await result.json()) as T[];
        } catch (error) {
          throw engineError(error, options.url, 'the first query (is the URL, user and password right?)');
        }
      };
      const [{ v }] = (await probe<{ v: string }>('SELECT version() AS v')) as [{ v: string }];
      const [major = 0, minor = 0] = v.split('.').map(Number);
      if (major < 18 || (major === 18 && minor < 16)) {
        throw new StoreError('STORE_INCOMPATIBLE', `ClickHouse ${v} is too old for logstitch: it needs 18.16 or later`);
      }
      const known = new Set((await probe<{ name: string }>(`SELECT name FROM system.settings WHERE name IN (${strList(WANTED_SETTINGS)})`)).map((r) => r.name));
      if (options.cluster !== undefined) {
        const shards = await probe<{ n: string }>(`SELECT count() AS n FROM system.clusters WHERE cluster = '${options.cluster}'`);
        if (Number(shards[0]?.n ?? 0) === 0) {
          throw new StoreError('STORE_BAD_CONFIG', `ClickHouse at ${options.url} knows no cluster ${JSON.stringify(options.cluster)}: name one of its remote_servers (SELECT DISTINCT cluster FROM system.clusters)`);
        }
      }
      return new Connection(main, nodes, options.url, options.cluster, { text: v, major, minor }, known, options.connection === undefined);
    } catch (error) {
      await Promise.allSettled([main.close(), ...nodes.map((n) => n.client.close())]);
      throw error;
    }
  }

  /** Runs a SELECT and returns its rows (64-bit integers as text). */
  async rows<T>(query: string, what: string): Promise<T[]> {
    return this.rowsFrom(this.main, this.url, query, what);
  }

  async command(query: string, what: string): Promise<void> {
    try {
      await this.main.command({ query, clickhouse_settings: this.readSettings });
    } catch (error) {
      throw engineError(error, this.url, what);
    }
  }

  /** Inserts rows (NDJSON, one object or array a line, or RowBinary) into a table with one INSERT. */
  async insert(table: string, rows: string | Buffer, what: string, format: InsertFormat = 'JSONEachRow'): Promise<void> {
    if (rows.length === 0) return;
    try {
      // exec, not insert: the body goes as it is (insert would encode each chunk of a stream as a row).
      const result = await this.main.exec({ query: `INSERT INTO ${table} FORMAT ${format}`, values: Readable.from([typeof rows === 'string' ? Buffer.from(rows) : rows]), clickhouse_settings: this.writeSettings });
      for await (const _ of result.stream) {
        // The answer to an INSERT is empty; reading it to the end frees the connection.
      }
    } catch (error) {
      throw engineError(error, this.url, what);
    }
  }

  /** Whether DDL goes to each node itself (no ZooKeeper needed) rather than through ON CLUSTER. */
  get perNode(): boolean {
    return this.nodeClients.length > 0;
  }

  /**
   * Runs a statement on every node: itself on each of `nodes`, else once with `ON CLUSTER` (which needs
   * ZooKeeper); on a single server, once. `onCluster` is where that clause goes in the statement.
   */
  async everywhere(statement: (onCluster: string) => string, what: string): Promise<void> {
    if (this.cluster === undefined) return this.command(statement(''), what);
    if (!this.perNode) return this.command(statement(` ON CLUSTER ${this.cluster}`), what);
    for (const node of this.nodeClients) {
      try {
        await node.client.command({ query: statement(''), clickhouse_settings: this.readSettings });
      } catch (error) {
        throw engineError(error, node.url, what);
      }
    }
  }

  /** A SELECT on every node (system tables are per node); on a single server, on it. */
  async rowsEverywhere<T>(query: string, what: string): Promise<T[]> {
    if (this.cluster === undefined) return this.rows<T>(query, what);
    if (!this.perNode) return this.rows<T>(query.replace(/\bsystem\.(\w+)/g, `cluster('${this.cluster}', system, $1)`), what);
    return this.eachNode<T>(query, what);
  }

  /** A statement on each node of `nodes`, or on the one we talk to when there are none; rows of all. */
  async eachNode<T>(query: string, what: string): Promise<T[]> {
    const targets = this.perNode ? this.nodeClients : [{ url: this.url, client: this.main }];
    const all = await Promise.all(targets.map((node) => this.rowsFrom<T>(node.client, node.url, query, what)));
    return all.flat();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.main.close(), ...this.nodeClients.map((n) => n.client.close())]);
  }

  private async rowsFrom<T>(client: ClickHouseClient, url: string, query: string, what: string): Promise<T[]> {
    try {
      if (!/^\s*(SELECT|WITH)\b/i.test(query)) {
        await client.command({ query, clickhouse_settings: this.readSettings });
        return [];
      }
      const result = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: this.readSettings });
      return (await result.json()) as T[];
    } catch (error) {
      throw engineError(error, url, what);
    }
  }
}
