import { migrate } from './migrations';
import { PostgresDatabase, type PostgresOptions } from './postgres';
import type { Database } from './sql';
import { SqliteDatabase } from './sqlite';

export type { Database, Queryable } from './sql';

/** Whether `location` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the agency's database — a SQLite file (or `:memory:`), or PostgreSQL when given a
 * `postgres://` URL — and brings its schema up to date.
 */
export async function openDatabase(location: string, options: PostgresOptions = {}): Promise<Database> {
  const db = isPostgresUrl(location) ? new PostgresDatabase(location, options) : new SqliteDatabase(location);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
