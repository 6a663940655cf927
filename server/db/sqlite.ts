import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { DbBusyError, inOrder, placeholders, type Database, type Param, type Queryable } from './sql';

// SQLite through better-sqlite3: the embedded default. Calls are synchronous underneath, so a
// lock held by another process would stop the thread that waits (the writer's, or the event loop
// for a read): the wait is kept short (BUSY_WAIT_MS) and a busy database becomes DbBusyError,
// which the router answers 503.
//
// Under heavy ingest the request path must never pay for more than its own statements:
// - writes run on a thread of their own (`WriterThread`), so the event loop never waits while
//   SQLite reads a 10-million-event file's index pages for a write;
// - plain reads (SELECT outside a transaction) go to a second, read-only connection, which in WAL
//   mode sees the last commit and never waits for the writer or the queue of transactions;
// - the writer never checkpoints (`wal_autocheckpoint=0`): a job copies the WAL into the file
//   with a PASSIVE checkpoint on a worker thread, off the event loop (see `checkpoint`);
// - queued transactions give the event loop a turn between them (setImmediate).

export const BUSY_WAIT_MS = 50;
/**
 * Prepared statements kept per connection. Each holds its compiled program (a 250-row INSERT is
 * tens of kilobytes), so the cache is small: the hot statements are few, and a miss costs one
 * prepare (tens of microseconds).
 */
const STATEMENT_CACHE = 64;
/** Page cache per connection (KiB): bounded, and the file's pages stay in the OS cache anyway. */
const CACHE_KIB = 8192;
/** The writer thread's young generation (V8), MB. */
const WRITER_YOUNG_MB = 4;
/** The WAL file is cut back to this after a checkpoint lets it restart. */
export const WAL_KEEP_BYTES = 67_108_864;
/** Past this, the checkpoint also empties the WAL file (TRUNCATE), in the write queue's turn. */
export const WAL_LIMIT_BYTES = 512 * 1024 * 1024;
/** PASSIVE passes at most before the held step, and the growth during one that is small enough. */
const CATCH_UP_PASSES = 3;
const CATCH_UP_FRAMES = 2048;
const READS = /^\s*SELECT\b/i;

type Statement = BetterSqlite3.Statement;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

function bind(params: readonly Param[]): unknown[] {
  // SQLite has no boolean type; 1 and 0 are what a CHECK or a comparison expects.
  return params.map((p) => {
    if (Array.isArray(p)) throw new TypeError('SQLite takes no array parameters');
    return typeof p === 'boolean' ? (p ? 1 : 0) : p;
  });
}

/**
 * Creates the file (and its WAL and shared-memory companions) readable by the server's user only:
 * the database holds NIPs, names and share histories (personal data under UU PDP 27/2022).
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
}

class SqliteQueries implements Queryable {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, { stmt: Statement; reader: boolean; order: number[] }>();

  constructor(
    readonly raw: BetterSqlite3.Database,
    private readonly cacheSize = STATEMENT_CACHE,
  ) {}

  private prepare(sql: string, params: readonly Param[]): { stmt: Statement; args: unknown[] } {
    let entry = this.cache.get(sql);
    if (!entry) {
      // Converted once per statement, not per call: a 100-row INSERT is kilobytes of SQL.
      const converted = placeholders(sql);
      const stmt = this.raw.prepare(converted.sql);
      entry = { stmt, reader: stmt.reader, order: converted.order };
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, entry);
    }
    return { stmt: entry.stmt, args: bind(inOrder(entry.order, params)) };
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (isBusy(error)) throw new DbBusyError();
      throw error;
    }
  }

  allSync<T>(sql: string, params: readonly Param[] = []): T[] {
    return this.guard(() => {
      const { stmt, args } = this.prepare(sql, params);
      return (stmt.reader ? stmt.all(...args) : (stmt.run(...args), [])) as T[];
    });
  }

  runSync(sql: string, params: readonly Param[] = []): { changes: number } {
    return this.guard(() => {
      const { stmt, args } = this.prepare(sql, params);
      // A statement with RETURNING is a reader to better-sqlite3; its rows are not wanted here.
      if (stmt.reader) return { changes: stmt.all(...args).length };
      return { changes: stmt.run(...args).changes };
    });
  }

  async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return this.allSync<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return this.allSync<T>(sql, params)[0];
  }

  async run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    return this.runSync(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.guard(() => this.raw.exec(sql));
  }

  /** Rolls back the open transaction, if one is open. */
  async rollback(): Promise<void> {
    if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
  }
}

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  /** The WAL file's size after the checkpoint. */
  walBytes: number;
  mode: 'PASSIVE' | 'TRUNCATE';
}

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, fdatasyncSync, openSync } = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.waitMs });
// Closing any descriptor of the file drops every POSIX lock this process holds on it, SQLite's
// included: SqliteDatabase.close() closes this thread last, after every connection.
const file = openSync(workerData.path, 'r');
let copied = { log: 0, checkpointed: 0 };
parentPort.on('message', ({ id, mode, waitMs, flush }) => {
  if (mode === 'close') {
    db.close();
    closeSync(file);
    return parentPort.postMessage({ id, out: null });
  }
  try {
    db.pragma('busy_timeout = ' + waitMs);
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    // Only when this pass copied pages (the counts start over with the WAL): an idle server
    // does not ask the disk to flush every second.
    if (flush && r.checkpointed > 0 && (r.log !== copied.log || r.checkpointed !== copied.checkpointed)) fdatasyncSync(file);
    copied = { log: r.log, checkpointed: r.checkpointed };
    parentPort.postMessage({ id, out: { busy: r.busy, log: r.log, checkpointed: r.checkpointed } });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/**
 * Calls to one of this file's worker threads. The thread answers each message, in the order they
 * were sent, with `{ id, out }` or `{ id, error: { message, code } }`; a busy database becomes
 * DbBusyError, as it does on this thread.
 */
class ThreadCalls {
  private readonly pending = new Map<number, { resolve: (out: unknown) => void; reject: (e: Error) => void }>();
  private next = 0;
  /** Set once the thread has stopped: every later call fails at once instead of waiting forever. */
  failed?: Error;

  constructor(
    private readonly worker: Worker,
    name: string,
  ) {
    worker.on('message', (m: { id: number; out?: unknown; error?: { message: string; code?: string } }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (!m.error) return p.resolve(m.out);
      if (isBusy(m.error)) return p.reject(new DbBusyError());
      p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    });
    const gone = (error: Error) => {
      this.failed ??= error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', gone);
    worker.on('exit', () => gone(new Error(`the SQLite ${name} thread has stopped`)));
  }

  call<T>(message: object): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (out: unknown) => void, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  /** Sends `last` (the thread closes its connection), then stops the thread. */
  async close(last: object): Promise<void> {
    if (!this.failed) await this.call(last).catch(() => undefined);
    await this.worker.terminate();
  }
}

/**
 * A connection of its own on a worker thread that checkpoints the WAL when asked: copying pages
 * and syncing the file happen there, never on the event loop that answers requests.
 */
class Checkpointer {
  private readonly thread: ThreadCalls;

  constructor(path: string) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { module, path, waitMs: BUSY_WAIT_MS } });
    worker.unref();
    this.thread = new ThreadCalls(worker, 'checkpoint');
  }

  get failed(): Error | undefined {
    return this.thread.failed;
  }

  /**
   * `flush`: then write the file's copied pages to disk (fdatasync), still on the thread. SQLite
   * syncs the file only when a checkpoint copies every frame, which is the step held in the write
   * queue: flushed here first, that sync has only the last few frames' pages left to write.
   * `waitMs`: how long a TRUNCATE may wait for readers and writers (PASSIVE never waits).
   */
  request(
    mode: 'PASSIVE' | 'TRUNCATE',
    flush = false,
    waitMs = BUSY_WAIT_MS,
  ): Promise<{ busy: number; log: number; checkpointed: number }> {
    return this.thread.call({ mode, flush, waitMs });
  }

  close(): Promise<void> {
    return this.thread.close({ mode: 'close' });
  }
}

/** The writing connection's settings, on whichever thread holds it. */
const WRITER_PRAGMAS = [
  // WAL: readers never wait for a batch being written, and a crash loses at most the last
  // transactions, never the file. NORMAL is durable enough with WAL and much faster.
  'journal_mode = WAL',
  'synchronous = NORMAL',
  `busy_timeout = ${BUSY_WAIT_MS}`,
  'foreign_keys = ON',
  // The checkpoint job does this off the request path; a writer never does it on commit.
  'wal_autocheckpoint = 0',
  `journal_size_limit = ${WAL_KEEP_BYTES}`,
  `cache_size = -${CACHE_KIB}`,
  'mmap_size = 0',
];

const WRITER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db;
let opened;
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.waitMs });
  for (const p of workerData.pragmas) db.pragma(p);
} catch (error) {
  opened = error;
}
const cache = new Map();
function statement(sql) {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (cache.size >= workerData.cacheSize) cache.delete(cache.keys().next().value);
    cache.set(sql, s);
  }
  return s;
}
function blobs(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Uint8Array && !Buffer.isBuffer(a)) args[i] = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  }
  return args;
}
// Set when an error ended the open transaction inside SQLite (RAISE(ROLLBACK), I/O, out of
// memory): statements already sent behind the failed one (a transaction may send several without
// waiting) would otherwise run outside any transaction and stay. Cleared by the server's rollback.
let aborted = false;
parentPort.on('message', (m) => {
  const inTx = Boolean(db && db.inTransaction);
  try {
    if (opened) throw opened;
    if (aborted && m.op !== 'rollback' && m.op !== 'drain' && m.op !== 'close') {
      throw new Error('not run: the transaction was rolled back by an earlier error');
    }
    let out;
    if (m.op === 'exec') db.exec(m.sql);
    else if (m.op === 'rollback') { aborted = false; if (db.inTransaction) db.exec('ROLLBACK'); }
    else if (m.op === 'pragma') out = db.pragma(m.sql, { simple: true });
    else if (m.op === 'drain') out = null;
    else if (m.op === 'close') { db.close(); parentPort.postMessage({ id: m.id }); parentPort.close(); return; }
    else {
      const s = statement(m.sql);
      const args = blobs(m.args);
      // A statement with RETURNING is a reader to better-sqlite3.
      if (m.op === 'all') out = s.reader ? s.all(...args) : (s.run(...args), []);
      else out = s.reader ? s.all(...args).length : s.run(...args).changes;
    }
    parentPort.postMessage({ id: m.id, out });
  } catch (error) {
    // Not after a failed rollback: the transaction is over then, and nothing would clear the flag.
    if (inTx && !db.inTransaction && m.op !== 'rollback') aborted = true;
    parentPort.postMessage({ id: m.id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** Rows from the writer thread: BLOBs arrive as Uint8Array, and the server reads them as Buffers. */
function withBuffers<T>(rows: Record<string, unknown>[]): T[] {
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }
  return rows as T[];
}

/**
 * The writing connection on a thread of its own. better-sqlite3 runs each statement to its end
 * on the calling thread; on a 10-million-event file a group of single events spends a third of
 * a millisecond an event in SQLite (reading index pages the cache does not hold), and on the
 * event loop that was half of it, so every request waited behind the writer's pages. Here the
 * event loop only sends statements and takes their answers, as it does with PostgreSQL.
 * Statements run in the order they are sent (one message queue), so the transaction queue's
 * order holds as before.
 */
class WriterThread implements Queryable {
  readonly dialect = 'sqlite' as const;
  private readonly thread: ThreadCalls;
  private readonly converted = new Map<string, { sql: string; order: number[] }>();

  constructor(path: string) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WRITER_WORKER, {
      eval: true,
      workerData: { module, path, waitMs: BUSY_WAIT_MS, pragmas: WRITER_PRAGMAS, cacheSize: STATEMENT_CACHE },
      // What it holds lives briefly (a statement's parameters and rows): a small young
      // generation is collected often and cheaply, where V8's default grew to ~16 MB under ingest.
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_MB },
    });
    this.thread = new ThreadCalls(worker, 'writer');
  }

  private send<T>(op: string, sql: string, args?: unknown[]): Promise<T> {
    return this.thread.call<T>({ op, sql, args });
  }

  private statement(sql: string, params: readonly Param[]): [string, unknown[]] {
    let c = this.converted.get(sql);
    if (!c) {
      c = placeholders(sql);
      if (this.converted.size >= STATEMENT_CACHE) this.converted.delete(this.converted.keys().next().value!);
      this.converted.set(sql, c);
    }
    return [c.sql, bind(inOrder(c.order, params))];
  }

  async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return withBuffers<T>(await this.send<Record<string, unknown>[]>('all', ...this.statement(sql, params)));
  }

  async get<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    return { changes: await this.send<number>('run', ...this.statement(sql, params)) };
  }

  async exec(sql: string): Promise<void> {
    await this.send('exec', sql);
  }

  /** Rolls back the open transaction, if one is open. */
  async rollback(): Promise<void> {
    await this.send('rollback', '');
  }

  /** Resolves once every statement sent before it has run (one message queue, in order). */
  async drain(): Promise<void> {
    await this.send('drain', '');
  }

  /** Why the thread stopped, once it has: every write fails from then on. */
  get stopped(): Error | undefined {
    return this.thread.failed;
  }

  /** A pragma's value on the writing connection (`pragma('wal_autocheckpoint')`). */
  pragma(name: string): Promise<unknown> {
    return this.send('pragma', name);
  }

  close(): Promise<void> {
    return this.thread.close({ op: 'close', sql: '' });
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Transactions run back to back for at most this long before the event loop gets a turn. */
const TURN_AFTER_MS = 4;

/**
 * One writing connection (plus a read-only one for plain reads). Transactions are queued: while
 * one is open every other write waits for it, so an unrelated request can neither write into it
 * nor read what it has not committed.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly where: string;
  /**
   * A connection on the event loop's thread, for settings and bulk loads made while the server
   * is not running (the bench's generator). The server writes through `writer`.
   */
  readonly raw: BetterSqlite3.Database;
  /** The writing connection: on a thread of its own for a file, this thread for `:memory:`. */
  private readonly writer: SqliteQueries | WriterThread;
  /** Plain reads outside transactions; absent for `:memory:` (a second connection is another database). */
  private readonly reader?: SqliteQueries;
  private checkpointer?: Checkpointer;
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;
  private lastTurn = 0;
  /** Calls waiting for the open transaction to end (not for the whole queue behind it). */
  private idle: (() => void)[] = [];

  private pageSize?: number;

  constructor(
    path: string,
    private readonly walLimitBytes = WAL_LIMIT_BYTES,
    private readonly restartBytes = WAL_KEEP_BYTES,
  ) {
    if (path !== ':memory:') createPrivately(path);
    this.where = path;
    this.raw = new BetterSqlite3(path, { timeout: BUSY_WAIT_MS });
    let reader: BetterSqlite3.Database | undefined;
    try {
      for (const pragma of WRITER_PRAGMAS) this.raw.pragma(pragma);
      if (path !== ':memory:') {
        reader = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: BUSY_WAIT_MS });
        reader.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
        reader.pragma(`cache_size = -${CACHE_KIB}`);
        reader.pragma('mmap_size = 0');
      }
    } catch (error) {
      reader?.close();
      this.raw.close();
      throw error;
    }
    this.writer = path === ':memory:' ? new SqliteQueries(this.raw) : new WriterThread(path);
    if (reader) this.reader = new SqliteQueries(reader);
  }

  private async settled(): Promise<void> {
    while (this.inTx) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** The read-only connection for a plain SELECT, else the writer once no transaction is open. */
  private async pick(sql: string): Promise<Queryable> {
    if (this.reader && READS.test(sql)) return this.reader;
    if (this.inTx) await this.settled();
    return this.writer;
  }

  async all<T>(sql: string, params?: readonly Param[]): Promise<T[]> {
    return (await this.pick(sql)).all<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined> {
    return (await this.pick(sql)).get<T>(sql, params);
  }

  async run(sql: string, params?: readonly Param[]): Promise<{ changes: number }> {
    if (this.inTx) await this.settled();
    return this.writer.run(sql, params);
  }

  async exec(sql: string): Promise<void> {
    if (this.inTx) await this.settled();
    await this.writer.exec(sql);
  }

  /**
   * Why the writing thread has stopped, if it has. Reads go on answering on their own
   * connection, so a health check must ask this too: the server can then only refuse writes.
   */
  writerStopped(): Error | undefined {
    return this.writer instanceof WriterThread ? this.writer.stopped : undefined;
  }

  /** A pragma's value as the writing connection has it. */
  async writerPragma(name: string): Promise<unknown> {
    return this.writer instanceof WriterThread ? this.writer.pragma(name) : this.raw.pragma(name, { simple: true });
  }

  tx<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        // A turn of the event loop between transactions once they have had it for a few
        // milliseconds: requests that arrived meanwhile are read, without a turn (a whole poll of
        // the sockets) for every small transaction. Calls waiting for the last transaction run
        // before the next one starts in any case (see `finally`).
        if (performance.now() - this.lastTurn >= TURN_AFTER_MS) {
          await turn();
          this.lastTurn = performance.now();
        }
        this.inTx = true;
        try {
          await this.writer.run('BEGIN IMMEDIATE');
          try {
            const result = await body(this.writer);
            await this.writer.run('COMMIT');
            return result;
          } catch (error) {
            await this.writer.rollback();
            throw error;
          }
        } finally {
          this.inTx = false;
          const waiting = this.idle;
          this.idle = [];
          for (const resume of waiting) resume();
        }
      });
    this.queue = next;
    return next;
  }

  /**
   * Runs `work` in the queue's turn, as a transaction would, with no writer of this process in
   * it: queued transactions and plain writes wait for it (asynchronously) instead of meeting a
   * lock held elsewhere and being answered 503.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        this.inTx = true;
        try {
          return await work();
        } finally {
          this.inTx = false;
          const waiting = this.idle;
          this.idle = [];
          for (const resume of waiting) resume();
        }
      });
    this.queue = next;
    return next;
  }

  /**
   * Copies the WAL into the database file on a worker thread, off the event loop.
   *
   * A PASSIVE checkpoint never waits for anyone, but under steady ingest it never lets the WAL
   * start over either: the writer appends while it copies, and SQLite restarts the WAL only when a
   * writer begins with every frame copied. So once the WAL holds more than `restartBytes`, the
   * job catches up with PASSIVE passes while writes go on, then copies the last few frames in the
   * write queue's turn (writes wait a few milliseconds, in the queue; if writes outran the copy,
   * not this time), and the next write starts the WAL over (and cuts the file back to WAL_KEEP_BYTES). Past `walLimitBytes` the last step
   * is a TRUNCATE, which also empties the file. Neither ever holds SQLite's write lock while a
   * writer of this process wants it: a checkpoint outside the queue that took it (TRUNCATE waits
   * for readers while holding it) answered every write in the meantime 503 after BUSY_WAIT_MS.
   * A reader outside the server (a backup) that keeps the WAL in use only makes the job try
   * again a second later. A no-op for `:memory:`.
   */
  async checkpoint(): Promise<CheckpointResult> {
    if (this.where === ':memory:') return { log: 0, checkpointed: 0, walBytes: 0, mode: 'PASSIVE' };
    // A thread that stopped (it could not open the file, say) is replaced at the next run: the
    // writer never checkpoints, so without this job the WAL would grow without end.
    if (this.checkpointer?.failed) this.checkpointer = undefined;
    const checkpointer = (this.checkpointer ??= new Checkpointer(this.where));
    const walBytes = () => {
      try {
        return statSync(`${this.where}-wal`).size;
      } catch {
        return 0;
      }
    };
    this.pageSize ??= Number(this.raw.pragma('page_size', { simple: true }));
    let r = await checkpointer.request('PASSIVE', true);
    if (r.log * this.pageSize <= this.restartBytes && walBytes() <= this.walLimitBytes) {
      return { log: r.log, checkpointed: r.checkpointed, walBytes: walBytes(), mode: 'PASSIVE' };
    }
    // Catch up while writes go on, so that what is left for the held step is small.
    let caughtUp = false;
    for (let pass = 0; pass < CATCH_UP_PASSES && !caughtUp; pass++) {
      const before = r.log;
      r = await checkpointer.request('PASSIVE', true);
      caughtUp = r.log - before <= CATCH_UP_FRAMES;
    }
    const mode: CheckpointResult['mode'] = walBytes() > this.walLimitBytes ? 'TRUNCATE' : 'PASSIVE';
    // Writes outran the copy (a flood on a busy machine): holding them for what is left would
    // cost more than a larger WAL; the next run tries again, and past the limit it holds anyway.
    if (!caughtUp && mode === 'PASSIVE') {
      return { log: r.log, checkpointed: r.checkpointed, walBytes: walBytes(), mode };
    }
    r = await this.exclusive(async () => {
      // A plain write sent before the queue's turn may still be waiting on the writer thread; a
      // TRUNCATE taking the lock under it would make it busy (a 503).
      if (this.writer instanceof WriterThread) await this.writer.drain();
      return checkpointer.request(mode);
    });
    return { log: r.log, checkpointed: r.checkpointed, walBytes: walBytes(), mode };
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.writer instanceof WriterThread) await this.writer.close();
    if (this.reader?.raw.open) this.reader.raw.close();
    if (this.raw.open) this.raw.close();
    // Last: its plain descriptor of the file, once closed, would drop the others' locks.
    await this.checkpointer?.close();
  }
}
