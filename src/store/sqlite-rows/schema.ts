// The SQLite schema: logs keyed by time, a contentless full-text index, spans, aliases, batches.

/**
 * Row IDs follow record time: ms since the epoch × 1024 + a sequence, so "newest first", time ranges
 * and cursors are ranges of the primary key, and FTS5 can walk matches newest first (rowid DESC)
 * and stop after a page. 1024 × ms stays below 2^53 until the year 2248.
 */
export const ID_SLOTS = 1024;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  observed INTEGER,
  trace_id TEXT,
  span_id TEXT,
  trace_flags INTEGER,
  severity INTEGER NOT NULL,
  severity_text TEXT,
  service TEXT,
  host TEXT,
  body TEXT NOT NULL,
  attrs TEXT,
  aliases TEXT,
  parse_error TEXT
);
CREATE INDEX IF NOT EXISTS logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS logs_service ON logs(service, id);
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(body, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS logs_vocab USING fts5vocab(logs_fts, 'row');
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status TEXT NOT NULL,
  service TEXT,
  attrs TEXT,
  origin TEXT,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS spans_start ON spans(start);
CREATE TABLE IF NOT EXISTS aliases (
  alias TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (alias, trace_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_trace ON aliases(trace_id);
CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS service_stats (
  service TEXT PRIMARY KEY,
  logs INTEGER NOT NULL DEFAULT 0,
  spans INTEGER NOT NULL DEFAULT 0,
  error_logs INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (host TEXT PRIMARY KEY) WITHOUT ROWID;
`;
