// The worker thread of the SQLite store: a writer (appends, grouped into one commit when they queue up,
// and retention), a reader (queries), or the checkpointer (copies the WAL into the database file, off the
// writer's path), answering requests by ID.
import { parentPort, workerData } from 'node:worker_threads';
import type { RetentionPolicy } from '../types.js';
import type { EncodedBatch } from './encode.js';
import { pause, runRead, serializeError, type EngineOptions, type ReadOp } from './engine.js';
import { Reader } from './reader.js';
import { Retention } from './retention.js';
import { openDatabase, type Db } from './schema.js';
import { Writer } from './writer.js';

/** At most this many batches share one commit, so no reply waits behind an unbounded group. */
const MAX_GROUP = 64;
/** How often the checkpointer looks for committed WAL frames to copy. */
const CHECKPOINT_EVERY_MS = 100;

interface Request {
  id: number;
  op: string;
  args: unknown[];
}

const port = parentPort!;
const { role, options } = workerData as { role: 'writer' | 'reader' | 'checkpointer'; options: EngineOptions };

const reply = (id: number, value: unknown) => port.postMessage({ id, ok: true, value });
const replyError = (id: number, error: unknown) => port.postMessage({ id, ok: false, error: serializeError(error) });

let db: Db | undefined;
try {
  db = openDatabase(options, role, true);
  port.postMessage({ ready: true });
} catch (error) {
  // Nothing listens on the port after this: the thread ends once the message is out.
  port.postMessage({ ready: false, error: serializeError(error) });
  port.close();
}

if (db !== undefined) {
  if (role === 'writer') serveWriter(db);
  else if (role === 'reader') serveReader(db);
  else serveCheckpoints(db);
}

function serveWriter(db: Db): void {
  const writer = new Writer(db);
  const retention = new Retention(db, options.batchIdTtlUs);
  const queue: Request[] = [];
  let scheduled = false;
  let chain: Promise<unknown> = Promise.resolve();

  const flush = () => {
    scheduled = false;
    const group = queue.splice(0, MAX_GROUP);
    try {
      const results = writer.appendGroup(group.map((r) => r.args[0] as EncodedBatch));
      group.forEach((request, i) => (results[i] instanceof Error ? replyError(request.id, results[i]) : reply(request.id, results[i])));
    } catch (error) {
      for (const request of group) replyError(request.id, error);
    }
    if (queue.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  port.on('message', (request: Request) => {
    switch (request.op) {
      case 'append':
        queue.push(request);
        schedule();
        return;
      case 'retention':
        chain = chain
          .then(() => retention.apply(request.args[0] as RetentionPolicy, pause))
          .then((value) => reply(request.id, value), (error: unknown) => replyError(request.id, error));
        return;
      case 'close':
        chain = chain.then(async () => {
          while (queue.length > 0 || scheduled) await pause();
          db.close();
          reply(request.id, undefined);
          port.close();
        });
        return;
      default:
        replyError(request.id, new Error(`the writer has no operation ${request.op}`));
    }
  });
}

function serveReader(db: Db): void {
  const reader = new Reader(db);
  port.on('message', (request: Request) => {
    if (request.op === 'close') {
      db.close();
      reply(request.id, undefined);
      port.close();
      return;
    }
    try {
      reply(request.id, runRead(reader, request.op as ReadOp, request.args));
    } catch (error) {
      replyError(request.id, error);
    }
  });
}

function serveCheckpoints(db: Db): void {
  // PASSIVE: copies what is committed and no reader still needs, without ever making the writer wait.
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const timer = setInterval(() => {
    try {
      checkpoint.all();
    } catch {
      // Busy or interrupted: the next round, or the writer's own backstop checkpoint, catches up.
    }
  }, CHECKPOINT_EVERY_MS);
  port.on('message', (request: Request) => {
    if (request.op !== 'close') return replyError(request.id, new Error(`the checkpointer has no operation ${request.op}`));
    clearInterval(timer);
    db.close();
    reply(request.id, undefined);
    port.close();
  });
}
