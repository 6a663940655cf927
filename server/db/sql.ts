// The one store interface of the agency server. Every module speaks SQL through it, with `$1`,
// `$2`… placeholders, and runs the same statement on SQLite (a regency, one file, no setup) and
// PostgreSQL (a province or the nation). Where the two dialects differ the caller asks `dialect`.
//
// Portable SQL rules kept by every query in `server/`:
// - times are ISO 8601 UTC strings from `Date.toISOString()` (they sort as text), days `YYYY-MM-DD`;
// - result columns and aliases are snake_case (PostgreSQL folds unquoted names to lower case);
// - no boolean results: `CASE WHEN … THEN 1 ELSE 0 END`; counts and sums are numbers on both.

/** A text array is PostgreSQL only (`= ANY($1::text[])`); SQLite refuses it. */
export type Param = string | number | bigint | boolean | null | Uint8Array | readonly string[];
export type Dialect = 'sqlite' | 'postgres';

export interface Queryable {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** A statement without rows; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly Param[]): Promise<{ changes: number }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /**
   * Runs `body` in one transaction: all of it or none. Writers are serialised (SQLite: BEGIN
   * IMMEDIATE; PostgreSQL: the rows they touch). `body` may run again on PostgreSQL after a
   * serialisation failure or deadlock, so it must not have effects outside the database.
   */
  tx<T>(body: (q: Queryable) => Promise<T>): Promise<T>;
  /** Where the data lives, for logs (never with a password). */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * The database was busy past the short wait the server allows (another process held a lock, or
 * the pool had no free connection): nothing was written; the client should come back.
 */
export class DbBusyError extends Error {
  constructor(message = 'database busy') {
    super(message);
    this.name = 'DbBusyError';
  }
}

/**
 * `$1`-style placeholders → `?`, and which parameter each `?` takes (0-based), for SQLite (which
 * binds `?` by position). String literals, quoted names and comments are left alone. Pure in
 * `sql`, so a caller may keep the answer with the prepared statement.
 */
export function placeholders(sql: string): { sql: string; order: number[] } {
  const order: number[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (/[0-9]/.test(sql[j] ?? '')) j++;
      order.push(Number(sql.slice(i + 1, j)) - 1);
      out += '?';
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, order };
}

/** The parameters in the order `placeholders` found them; every placeholder needs its parameter. */
export function inOrder(order: readonly number[], params: readonly Param[]): Param[] {
  return order.map((n) => {
    if (n < 0 || n >= params.length) throw new Error(`placeholder $${n + 1} has no parameter`);
    return params[n]!;
  });
}

/** `placeholders` and `inOrder` at once. */
export function positional(sql: string, params: readonly Param[]): { sql: string; params: Param[] } {
  const { sql: converted, order } = placeholders(sql);
  return { sql: converted, params: inOrder(order, params) };
}

/** `($1, $2), ($3, $4)…` for a multi-row VALUES list of `rows` × `columns`, numbered from `from`. */
export function valuesList(rows: number, columns: number, from = 1): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) cells.push(`$${from + r * columns + c}`);
    groups.push(`(${cells.join(', ')})`);
  }
  return groups.join(', ');
}

/** `$from, $from+1, …` for an `IN (…)` list of `count` values. */
export function inList(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}
