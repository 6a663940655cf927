import pg from 'pg';
import { DbBusyError, type Database, type Param, type Queryable } from './sql';

// PostgreSQL through node-postgres (`pg`): for a province or the nation, any number of server
// processes on one database. Types are read the way the SQLite side gives them, so one query
// gives the same rows on both: 64-bit integers and numeric sums as numbers, dates as text.

/** How the server's connections name themselves (an export looks for the others by it). */
export const PG_APPLICATION_NAME = 'siar-server';

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

/** Retried transparently: another transaction won a race on the same rows (no effect kept). */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export interface PostgresOptions {
  /** Connections per server process; default 10. */
  max?: number;
  /** How long a request may wait for a free connection before the server answers 503. */
  acquireTimeoutMs?: number;
  /** Server-side cap on any one statement (a runaway query must not hold a connection). */
  statementTimeoutMs?: number;
}

function bind(params: readonly Param[]): unknown[] {
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
}

function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

/** Statements seen this often are prepared by name on each connection (parsed and planned once there). */
const PREPARE_AFTER_USES = 2;
/** At most this many names, for statements no longer than this: each costs memory in every backend. */
const MAX_PREPARED = 128;
const MAX_PREPARED_CHARS = 4096;
const MAX_COUNTED = 1024;

/**
 * Names for the statements that come back, so PostgreSQL parses and plans them once per
 * connection rather than on every call: planning the token's join took longer than running it
 * (0.2 ms a request at 1,500 requests a second). Statements whose text varies with a batch's size
 * are named only for the sizes that keep coming back, and never past the caps.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly uses = new Map<string, number>();

  nameOf(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known !== undefined || sql.length > MAX_PREPARED_CHARS || this.names.size >= MAX_PREPARED) return known;
    const uses = (this.uses.get(sql) ?? 0) + 1;
    if (uses < PREPARE_AFTER_USES) {
      if (this.uses.size >= MAX_COUNTED) this.uses.clear();
      this.uses.set(sql, uses);
      return undefined;
    }
    this.uses.delete(sql);
    const name = `siar_${this.names.size + 1}`;
    this.names.set(sql, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}

class ClientQueries implements Queryable {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly names: StatementNames,
  ) {}

  private query(sql: string, params: readonly Param[]) {
    const name = this.names.nameOf(sql);
    return this.client.query({ text: sql, values: bind(params), types, ...(name ? { name } : {}) });
  }

  async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
}

/** `postgres://user:secret@host/db` → `postgres://user@host/db`, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.href;
  } catch {
    return 'postgres://…';
  }
}

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  readonly where: string;
  readonly pool: pg.Pool;
  readonly names = new StatementNames();

  constructor(url: string, options: PostgresOptions = {}) {
    this.where = redactUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.acquireTimeoutMs ?? 2000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: PG_APPLICATION_NAME,
    });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    this.pool.on('error', (error) => console.error('siar-server: idle database connection failed:', error.message));
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      if (isPoolTimeout(error)) throw new DbBusyError('no free database connection');
      throw error;
    }
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      // A connection-level failure must not go back to the pool.
      if (error instanceof Error && !(error as { code?: string }).code) broken = error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  all<T>(sql: string, params?: readonly Param[]): Promise<T[]> {
    return this.withClient((client) => new ClientQueries(client, this.names).all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined> {
    return this.withClient((client) => new ClientQueries(client, this.names).get<T>(sql, params));
  }

  run(sql: string, params?: readonly Param[]): Promise<{ changes: number }> {
    return this.withClient((client) => new ClientQueries(client, this.names).run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.withClient((client) => new ClientQueries(client, this.names).exec(sql));
  }

  tx<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      for (let attempt = 1; ; attempt++) {
        await client.query('BEGIN');
        try {
          const result = await body(new ClientQueries(client, this.names));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (error as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
          throw error;
        }
      }
    });
  }

  /** A client of its own for work that streams (COPY), returned to the pool when done. */
  async session<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(work);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
