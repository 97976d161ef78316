// The tables logstitch keeps in ClickHouse, created and migrated by it (a schema version table per node).
// Only what 18.16 has: integer µs for time (no DateTime64), String for IDs, no skipping indexes, no
// LowCardinality. With a cluster, each table is local per shard with a Distributed table over it,
// sharded by trace ID so that the rows of one trace live on one shard.
import { StoreError } from '../errors.js';
import type { Connection } from './connection.js';

/** The schema this code reads and writes; migrations bring a database up to it. */
export const SCHEMA_VERSION = 1;

const DAY_US = '86400000000';
/** Partitions are days of the row's time, so retention by age drops whole partitions. */
const byDay = (column: string) => `intDiv(${column}, toInt64(${DAY_US}))`;

interface TableDef {
  name: string;
  columns: string;
  /** Engine clause of the table that holds the rows (the local table on a cluster). */
  engine: string;
  /** Integer expression choosing the shard of a row. */
  shardBy: string;
}

/**
 * Rows carry `attempt`, the random key of the append that wrote them: until that append has committed
 * (`batches`, `pending`), its rows are invisible to reads, which is what makes a retried batch appear once.
 */
const TABLES: TableDef[] = [
  {
    name: 'logs',
    columns: `time Int64, attempt UInt64, row UInt32, service String, host String, severity UInt8, severity_text String,
      observed Int64, trace_flags UInt8, presence UInt16, trace_id String, span_id String, body String,
      tokens Array(String), attr_keys Array(String), attr_values Array(String), extras String`,
    // Ordered for "this service, this time range"; small granules so a trace's lines are a narrow read.
    engine: `MergeTree PARTITION BY ${byDay('time')} ORDER BY (service, time) SETTINGS index_granularity = 1024`,
    shardBy: `if(trace_id = '', attempt + row, sipHash64(trace_id))`,
  },
  {
    // Where a trace's log lines are (service, time, row key): one narrow range per trace.
    name: 'trace_index',
    columns: 'trace_id String, time Int64, service String, attempt UInt64, row UInt32',
    engine: `MergeTree PARTITION BY ${byDay('time')} ORDER BY (trace_id, time) SETTINGS index_granularity = 1024`,
    shardBy: 'sipHash64(trace_id)',
  },
  {
    name: 'spans',
    columns: `trace_id String, span_id String, attempt UInt64, seq UInt32, stored Int64, rank UInt8, presence UInt8,
      parent String, name String, kind UInt8, start Int64, duration Float64, status UInt8, service String, origin UInt8,
      attributes String`,
    engine: `MergeTree PARTITION BY ${byDay('start')} ORDER BY (trace_id, span_id) SETTINGS index_granularity = 1024`,
    shardBy: 'sipHash64(trace_id)',
  },
  {
    // Alias → traces, for lookups by alias (the latest link names the trace).
    name: 'aliases',
    columns: 'alias String, trace_id String, linked Int64, joined_by String, attempt UInt64',
    engine: `MergeTree PARTITION BY ${byDay('linked')} ORDER BY alias`,
    shardBy: 'sipHash64(alias)',
  },
  {
    // The same links by trace: a trace's aliases are one narrow range beside its trace_index range.
    name: 'trace_aliases',
    columns: 'trace_id String, alias String, linked Int64, joined_by String, attempt UInt64',
    engine: `MergeTree PARTITION BY ${byDay('linked')} ORDER BY (trace_id, alias)`,
    shardBy: 'sipHash64(trace_id)',
  },
  {
    // Metrics derived from each batch per service and minute, summed when read (so a hidden append's
    // figures are left out like its rows). Latency buckets are parallel arrays of index and count.
    name: 'rollups',
    columns: `minute Int64, service String, attempt UInt64, requests UInt64, errors UInt64, lines UInt64, error_lines UInt64,
      traced_lines UInt64, lat_count UInt64, lat_sum Float64, lat_min Float64, lat_max Float64,
      bucket_keys Array(String), bucket_counts Array(UInt64)`,
    engine: `MergeTree PARTITION BY ${byDay('minute')} ORDER BY (minute, service)`,
    shardBy: 'sipHash64(service)',
  },
  {
    // Message tokens, services and hosts seen per day: what wildcards and fuzzy terms expand against.
    name: 'vocabulary',
    columns: 'field UInt8, term String, day Int64',
    engine: 'ReplacingMergeTree PARTITION BY day ORDER BY (field, term)',
    shardBy: 'sipHash64(term)',
  },
  {
    // Committed appends of batches with an ID: the idempotency record.
    name: 'batches',
    columns: 'batch_id String, attempt UInt64, committed Int64',
    engine: `MergeTree PARTITION BY ${byDay('committed')} ORDER BY (batch_id, attempt)`,
    shardBy: 'sipHash64(batch_id)',
  },
  {
    // Appends in progress: +1 when one starts, -1 once it committed; a crashed append stays +1 (invisible).
    name: 'pending',
    columns: 'attempt UInt64, sign Int8, batch_id String, claimed Int64',
    engine: 'CollapsingMergeTree(sign) ORDER BY attempt',
    shardBy: 'intHash64(attempt)',
  },
  {
    // Batch IDs that more than one append worked on at once: reads keep only the lowest committed attempt.
    name: 'contested',
    columns: 'batch_id String, at Int64',
    engine: 'MergeTree ORDER BY batch_id',
    shardBy: 'sipHash64(batch_id)',
  },
];

export const TABLE_NAMES = TABLES.map((t) => t.name);
export type TableName = 'logs' | 'trace_index' | 'spans' | 'aliases' | 'trace_aliases' | 'rollups' | 'vocabulary' | 'batches' | 'pending' | 'contested';

/** Table names as queries use them. */
export class Layout {
  constructor(
    readonly database: string,
    readonly cluster: string | undefined,
  ) {}

  /** The table reads and inserts go to: the Distributed one on a cluster. */
  table(name: TableName): string {
    return `${this.database}.${name}`;
  }

  /** The table that holds the rows on a node: what mutations and partition drops act on. */
  local(name: TableName): string {
    return this.cluster === undefined ? `${this.database}.${name}` : `${this.database}.${name}_local`;
  }

  get sharded(): boolean {
    return this.cluster !== undefined;
  }

  /** `IN` for a subquery over our tables: `GLOBAL IN` on a cluster, so that each shard gets the set once. */
  get inSub(): string {
    return this.cluster === undefined ? 'IN' : 'GLOBAL IN';
  }

  get notInSub(): string {
    return this.cluster === undefined ? 'NOT IN' : 'GLOBAL NOT IN';
  }
}

function createStatements(layout: Layout): Array<(onCluster: string) => string> {
  const db = layout.database;
  const out: Array<(onCluster: string) => string> = [];
  for (const t of TABLES) {
    const local = layout.cluster === undefined ? t.name : `${t.name}_local`;
    out.push((on) => `CREATE TABLE IF NOT EXISTS ${db}.${local}${on} (${t.columns}) ENGINE = ${t.engine}`);
    if (layout.cluster !== undefined) {
      const cluster = layout.cluster;
      out.push((on) => `CREATE TABLE IF NOT EXISTS ${db}.${t.name}${on} AS ${db}.${local} ENGINE = Distributed(${cluster}, ${db}, ${local}, ${t.shardBy})`);
    }
  }
  return out;
}

/** Each migration brings the schema from version - 1 to version; statements must be safe to repeat. */
const MIGRATIONS: Array<{ version: number; statements: (layout: Layout) => Array<(onCluster: string) => string> }> = [{ version: 1, statements: createStatements }];

/** Creates the database and tables, or migrates them to SCHEMA_VERSION; refuses a newer schema. */
export async function migrate(connection: Connection, layout: Layout): Promise<void> {
  const db = layout.database;
  await connection.everywhere((on) => `CREATE DATABASE IF NOT EXISTS ${db}${on}`, `creating database ${db}`);
  await connection.everywhere((on) => `CREATE TABLE IF NOT EXISTS ${db}.schema_version${on} (version UInt32, applied Int64) ENGINE = MergeTree ORDER BY version`, 'creating the schema version table');
  // Each node records its own version (with ON CLUSTER DDL, the node we talk to records it for all).
  const found = await connection.eachNode<{ v: number }>(`SELECT max(version) AS v FROM ${db}.schema_version`, 'reading the schema version');
  const versions = found.map((r) => Number(r.v));
  const newest = Math.max(0, ...versions);
  if (newest > SCHEMA_VERSION) {
    throw new StoreError('STORE_INCOMPATIBLE', `database ${db} has logstitch schema version ${newest}, newer than this logstitch knows (${SCHEMA_VERSION}): upgrade logstitch, or use another database`);
  }
  const current = Math.min(...versions, SCHEMA_VERSION);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements(layout)) await connection.everywhere(statement, `migrating ${db} to schema version ${migration.version}`);
    await connection.eachNode(`INSERT INTO ${db}.schema_version VALUES (${migration.version}, ${Date.now() * 1000})`, 'recording the schema version');
  }
}
