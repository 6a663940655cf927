import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DbBusyError, positional, type Database, type Param, type Queryable } from './sql';

// SQLite through better-sqlite3: the embedded default. Calls are synchronous underneath, so a
// lock held by another process would stop the whole server while SQLite waits: the wait is kept
// short (BUSY_WAIT_MS) and a busy database becomes DbBusyError, which the router answers 503.

export const BUSY_WAIT_MS = 50;
const STATEMENT_CACHE = 500;

type Statement = BetterSqlite3.Statement;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

function bind(params: readonly Param[]): unknown[] {
  // SQLite has no boolean type; 1 and 0 are what a CHECK or a comparison expects.
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
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
  private readonly cache = new Map<string, { stmt: Statement; reader: boolean }>();

  constructor(readonly raw: BetterSqlite3.Database) {}

  private prepare(sql: string, params: readonly Param[]): { stmt: Statement; args: unknown[] } {
    let entry = this.cache.get(sql);
    const converted = positional(sql, params);
    if (!entry) {
      const stmt = this.raw.prepare(converted.sql);
      entry = { stmt, reader: stmt.reader };
      if (this.cache.size >= STATEMENT_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, entry);
    }
    return { stmt: entry.stmt, args: bind(converted.params) };
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
}

/**
 * One connection. Transactions are queued: while one is open every other call waits for it, so
 * an unrelated request can neither write into it nor read what it has not committed.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly where: string;
  readonly raw: BetterSqlite3.Database;
  private readonly q: SqliteQueries;
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;

  constructor(path: string) {
    if (path !== ':memory:') createPrivately(path);
    this.where = path;
    this.raw = new BetterSqlite3(path, { timeout: BUSY_WAIT_MS });
    try {
      // WAL: readers never wait for a batch being written, and a crash loses at most the last
      // transactions, never the file. NORMAL is durable enough with WAL and much faster.
      this.raw.pragma('journal_mode = WAL');
      this.raw.pragma('synchronous = NORMAL');
      this.raw.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
      this.raw.pragma('foreign_keys = ON');
    } catch (error) {
      this.raw.close();
      throw error;
    }
    this.q = new SqliteQueries(this.raw);
  }

  private async settled(): Promise<void> {
    while (this.inTx) await this.queue.catch(() => undefined);
  }

  async all<T>(sql: string, params?: readonly Param[]): Promise<T[]> {
    if (this.inTx) await this.settled();
    return this.q.allSync<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined> {
    if (this.inTx) await this.settled();
    return this.q.allSync<T>(sql, params)[0];
  }

  async run(sql: string, params?: readonly Param[]): Promise<{ changes: number }> {
    if (this.inTx) await this.settled();
    return this.q.runSync(sql, params);
  }

  async exec(sql: string): Promise<void> {
    if (this.inTx) await this.settled();
    await this.q.exec(sql);
  }

  tx<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        this.inTx = true;
        try {
          this.q.runSync('BEGIN IMMEDIATE');
          try {
            const result = await body(this.q);
            this.q.runSync('COMMIT');
            return result;
          } catch (error) {
            if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
            throw error;
          }
        } finally {
          this.inTx = false;
        }
      });
    this.queue = next;
    return next;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.raw.open) this.raw.close();
  }
}
