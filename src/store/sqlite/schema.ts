// The database file: where it lives, how it is opened (WAL, pragmas), and the tables it holds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

export const DB_FILE = 'logstitch.db';
export const SCHEMA_VERSION = 3;

export interface ConnectionOptions {
  dataDir: string;
  /**
   * `normal` (default): a commit is in the WAL when append() resolves and survives the process being
   * killed, but the last commits can be lost if the machine loses power. `full`: the WAL is synced to
   * disk at every commit, which survives power loss and costs an fsync per commit (group commit shares it).
   */
  synchronous?: 'normal' | 'full';
  /** SQLite page cache of the writer and of the reader, MiB each (default 32); the OS caches the rest of the file. */
  cacheMiB?: number;
}

export type Db = Database.Database;

/** The page size of a new database. */
export const PAGE_BYTES = 16_384;

// Derived metrics per service, per minute (period 1) and per hour (period 60), added to as batches
// arrive; \`minute\` is the period's start (µs); latency is a JSON histogram. Hours keep long ranges'
// percentiles cheap to read.
const ROLLUPS = `
CREATE TABLE rollups (
  period INTEGER NOT NULL, minute INTEGER NOT NULL, service INTEGER NOT NULL, requests INTEGER NOT NULL,
  errors INTEGER NOT NULL, lines INTEGER NOT NULL, error_lines INTEGER NOT NULL, traced_lines INTEGER NOT NULL,
  latency TEXT NOT NULL, PRIMARY KEY (period, minute, service)
) WITHOUT ROWID;
`;

const TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
-- Service and host names (kind 1 service, 2 host); 0 stands for "none".
CREATE TABLE names (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, name TEXT NOT NULL, UNIQUE (kind, name));
-- One row per block of log records; key = ms of the newest record × 2048 + sequence (newest first = key order).
-- services and hosts: the name IDs the block's rows refer to by index, comma-separated.
CREATE TABLE blocks (
  key INTEGER PRIMARY KEY, services TEXT NOT NULL, hosts TEXT NOT NULL,
  rows INTEGER NOT NULL, errors INTEGER NOT NULL, min_time INTEGER NOT NULL, max_time INTEGER NOT NULL
);
-- Per block and service: what retention subtracts from the service's counts, and where its oldest rows are.
CREATE TABLE block_services (
  key INTEGER NOT NULL, service INTEGER NOT NULL, rows INTEGER NOT NULL, errors INTEGER NOT NULL,
  min_time INTEGER NOT NULL, max_time INTEGER NOT NULL, PRIMARY KEY (key, service)
) WITHOUT ROWID;
CREATE INDEX block_services_service ON block_services (service, key);
-- cols: the rows' column section; bodies and extras: their texts one after another; texts: severity texts (JSON).
CREATE TABLE block_data (key INTEGER PRIMARY KEY, cols BLOB NOT NULL, bodies TEXT NOT NULL, extras TEXT NOT NULL, texts TEXT NOT NULL);
-- Per block: its message tokens and marker terms (service, host, levels, trace-ID prefixes). An LSM index:
-- appends stay cheap however many distinct trace IDs arrive.
CREATE VIRTUAL TABLE block_terms USING fts5 (terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
CREATE VIRTUAL TABLE block_vocab USING fts5vocab (block_terms, 'row');
-- Spans in arrival order (appends touch only the end of the table). They are found by trace through
-- chunks — the spans one batch brought — each with an FTS5 document of its trace markers.
CREATE TABLE spans (
  key INTEGER PRIMARY KEY, trace BLOB NOT NULL, span BLOB NOT NULL, parent BLOB, name TEXT NOT NULL,
  kind INTEGER NOT NULL, start INTEGER NOT NULL, duration INTEGER NOT NULL, status INTEGER NOT NULL,
  service INTEGER NOT NULL, origin INTEGER NOT NULL, rank INTEGER NOT NULL, attrs TEXT
);
CREATE INDEX spans_start ON spans (start);
CREATE INDEX spans_service ON spans (service, start);
CREATE TABLE span_chunks (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL, max_start INTEGER NOT NULL);
CREATE INDEX span_chunks_start ON span_chunks (max_start);
CREATE VIRTUAL TABLE span_terms USING fts5 (terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
CREATE TABLE aliases (alias TEXT NOT NULL, trace BLOB NOT NULL, linked INTEGER NOT NULL, joined_by TEXT, PRIMARY KEY (alias, trace)) WITHOUT ROWID;
CREATE INDEX aliases_trace ON aliases (trace);
CREATE INDEX aliases_linked ON aliases (linked);
CREATE TABLE batch_ids (id TEXT PRIMARY KEY, time INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX batch_ids_time ON batch_ids (time);
-- Per service (0 = records without one): counts kept as batches arrive and as retention deletes.
CREATE TABLE service_stats (
  service INTEGER PRIMARY KEY, logs INTEGER NOT NULL DEFAULT 0, error_logs INTEGER NOT NULL DEFAULT 0,
  spans INTEGER NOT NULL DEFAULT 0, first_seen INTEGER, last_seen INTEGER
);
${ROLLUPS}`;

/**
 * Opens (creating when new) the store's database in dataDir, as the writer (creates the schema), a reader
 * (queries only) or the checkpointer (copies the WAL into the database file, so the writer need not).
 */
export function openDatabase(options: ConnectionOptions, role: 'writer' | 'reader' | 'checkpointer', backgroundCheckpoints = false): Db {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(join(options.dataDir, DB_FILE));
  try {
    // Both must precede the first table; no-ops on an existing database. A block's row (~30 KB of columns,
    // bodies and extras) spans 2 pages of 16 KiB instead of 8 of 4 KiB: a trace lookup reads ~25% faster.
    db.pragma(`page_size = ${PAGE_BYTES}`);
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`cache_size = -${Math.round((role === 'checkpointer' ? 2 : (options.cacheMiB ?? 32)) * 1024)}`);
    db.pragma('temp_store = MEMORY');
    db.pragma('busy_timeout = 10000');
    if (role === 'writer') {
      // A checkpoint copies the WAL into the database file and syncs it: the slowest thing a commit can
      // do. With a checkpointer thread the writer checkpoints only as a backstop, past 64 MiB of WAL.
      db.pragma(`wal_autocheckpoint = ${backgroundCheckpoints ? 16384 : 4096}`);
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      ensureSchema(db);
    } else if (role === 'reader') {
      db.pragma('query_only = 1');
      checkVersion(db);
    } else {
      db.pragma('wal_autocheckpoint = 0');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function ensureSchema(db: Db): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'meta'").get() !== undefined;
  if (!exists) {
    db.transaction(() => {
      db.exec(TABLES);
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?), ('aliases', 0)").run(SCHEMA_VERSION);
    }).immediate();
  }
  migrate(db);
  checkVersion(db);
}

/** Brings an older database up to this schema, in one transaction. */
function migrate(db: Db): void {
  const version = (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: number } | undefined)?.value;
  if (version === 2) {
    db.transaction(() => {
      db.exec('ALTER TABLE aliases ADD COLUMN joined_by TEXT');
      db.exec(ROLLUPS);
      db.prepare("UPDATE meta SET value = 3 WHERE key = 'schema'").run();
    }).immediate();
  }
}

function checkVersion(db: Db): void {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: number } | undefined;
  if (row?.value !== SCHEMA_VERSION) {
    throw new StoreError('STORE_INCOMPATIBLE', `the database in this data directory has schema ${String(row?.value ?? 'unknown')}, this logstitch reads schema ${SCHEMA_VERSION}: use a data directory of its own or the matching logstitch version`);
  }
}
