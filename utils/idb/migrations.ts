import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

// How each of our IndexedDB databases changes shape: a list of migrations, index = version - 1,
// each run inside the upgrade transaction (so a failure leaves the old version intact). Never
// edit a shipped one: add the next.

export type Migration<S extends DBSchema> = (
  d: IDBPDatabase<S>,
  tx: IDBPTransaction<S, StoreNames<S>[], 'versionchange'>,
) => void | Promise<void>;

export interface OpenOptions {
  /** The version to open; default the last migration's. Tests open older ones. */
  version?: number;
  /** Another context wants a newer version: close this connection and let it. */
  blocking?: () => void;
}

/** Opens `name`, running the migrations it has not had yet, in order. */
export function openMigrated<S extends DBSchema>(
  name: string,
  migrations: readonly Migration<S>[],
  opts: OpenOptions = {},
): Promise<IDBPDatabase<S>> {
  const version = opts.version ?? migrations.length;
  return openDB<S>(name, version, {
    async upgrade(d, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) await migrations[v]!(d, tx);
    },
    blocking: opts.blocking,
  });
}
