import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ShareAction } from '../protocol/tally';
import { defaultTimeZone } from './stats';
import { rebuildStoredTotals, type TotalsRecord } from './totals';

// The local share history, which is also the outbox that a sync drains to the agency tally.
// This folder is the only code that opens the `siar-history` database.

export type SyncState = 'pending' | 'synced' | 'rejected';

export interface ShareEvent {
  /** UUID made when the event happened: the tally's idempotency key. */
  id: string;
  item_id: string;
  feed_url: string;
  platform: string;
  action: ShareAction;
  /** RFC 3339 with the user's local offset, as sent to the tally. */
  at: string;
  post_url?: string;
  /** `at` in epoch ms, for ordering and day buckets. */
  atMs: number;
  sync: SyncState;
  syncedAt?: number;
  rejectReason?: string;
  /** What the item was when shared, for stats after it left the feed. Never sent. */
  item?: { title?: string; agencyId?: string; agencyName?: string; campaign?: string; priority?: string };
}

export interface HistoryDB extends DBSchema {
  events: {
    key: string;
    value: ShareEvent;
    indexes: { by_sync: SyncState; by_at: number; by_item: string; by_action_at: [string, number] };
  };
  /** The stats' running totals (totals.ts), so stats never read every event. */
  totals: {
    key: string;
    value: TotalsRecord;
  };
}

export const DB_NAME = 'siar-history';

type UpgradeTx = IDBPTransaction<HistoryDB, StoreNames<HistoryDB>[], 'versionchange'>;

/**
 * Migrations, index = version - 1. Never edit a shipped one: add the next. Each runs inside the
 * upgrade transaction, so a failure leaves the old version intact.
 */
export const MIGRATIONS: ((d: IDBPDatabase<HistoryDB>, tx: UpgradeTx) => void | Promise<void>)[] = [
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
];

export const DB_VERSION = MIGRATIONS.length;

export function openHistoryDb(version = DB_VERSION, name = DB_NAME): Promise<IDBPDatabase<HistoryDB>> {
  return openDB<HistoryDB>(name, version, {
    async upgrade(d, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) await MIGRATIONS[v]!(d, tx);
    },
  });
}

let dbPromise: Promise<IDBPDatabase<HistoryDB>> | undefined;

export function historyDb(): Promise<IDBPDatabase<HistoryDB>> {
  if (!dbPromise) {
    dbPromise = openHistoryDb();
    void dbPromise.then((d) => {
      d.addEventListener('versionchange', () => {
        d.close();
        dbPromise = undefined;
      });
    });
  }
  return dbPromise;
}

export function _resetHistoryDbForTests(): void {
  dbPromise = undefined;
}
