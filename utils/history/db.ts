import type { IDBPDatabase } from 'idb';
import { openMigrated, type Migration } from '../idb/migrations';
import { defaultTimeZone } from '../time/local-day';
import { itemMarksOf } from './share-state';
import { rebuildStoredTotals } from './totals';
import type { HistoryDB } from './types';

// The local share history, which is also the outbox that a sync drains to the agency tally.
// This folder is the only code that opens the `siar-history` database.

export const DB_NAME = 'siar-history';

/** Index = version - 1 (utils/idb/migrations.ts). */
export const MIGRATIONS: Migration<HistoryDB>[] = [
  // v1: the outbox: events by id, an index to find unsynced ones, and one by time.
  (d) => {
    const s = d.createObjectStore('events', { keyPath: 'id' });
    s.createIndex('by_sync', 'sync');
    s.createIndex('by_at', 'atMs');
  },
  // v2: "already shared" badges look events up by item.
  (_d, tx) => {
    tx.objectStore('events').createIndex('by_item', 'item_id');
  },
  // v3: stats from stored totals, and the streak from the days of `posted` events, instead of
  // reading every event (100,000 took 2.7 s). Histories made before are folded in once, here.
  async (d, tx) => {
    const events = tx.objectStore('events');
    events.createIndex('by_action_at', ['action', 'atMs']);
    d.createObjectStore('totals', { keyPath: 'k' });
    await rebuildStoredTotals(tx.objectStore('totals'), await events.getAll(), defaultTimeZone());
  },
  // v4: "shared" is per platform and only once posted there; attempts are shown as attempts. The
  // popup reads one small record per post instead of walking the events.
  async (d, tx) => {
    d.createObjectStore('item_states', { keyPath: 'item_id' });
    const states = tx.objectStore('item_states');
    await Promise.all(itemMarksOf(await tx.objectStore('events').getAll()).map((r) => states.put(r)));
  },
];

export const DB_VERSION = MIGRATIONS.length;

export function openHistoryDb(version = DB_VERSION, name = DB_NAME, blocking?: () => void): Promise<IDBPDatabase<HistoryDB>> {
  return openMigrated(name, MIGRATIONS, { version, blocking });
}

let dbPromise: Promise<IDBPDatabase<HistoryDB>> | undefined;

export function historyDb(): Promise<IDBPDatabase<HistoryDB>> {
  dbPromise ??= openHistoryDb(DB_VERSION, DB_NAME, () => {
    // Another context wants a newer version: let it have the database.
    void dbPromise?.then((d) => d.close());
    dbPromise = undefined;
  });
  return dbPromise;
}

export function _resetHistoryDbForTests(): void {
  dbPromise = undefined;
}
