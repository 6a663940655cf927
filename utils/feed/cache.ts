import type { DBSchema, IDBPDatabase } from 'idb';
import { openMigrated, type Migration } from '../idb/migrations';
import { currentItems } from './select';
import type { FeedHead, FeedState } from './types';

// The feed cache: the one module that owns the `siar-feed` database. The background writes it;
// the popup and the composer panel only read it, so they work offline. Each feed is stored
// whole, and as a head of its first posts for the popup's first paint.

/** Posts kept in a head: the popup's first page, with room for some to expire. */
export const HEAD_SIZE = 40;

interface FeedDB extends DBSchema {
  feeds: { key: string; value: FeedState };
  heads: { key: string; value: FeedHead };
}

const DB_NAME = 'siar-feed';
let dbPromise: Promise<IDBPDatabase<FeedDB>> | undefined;

/** Index = version - 1 (utils/idb/migrations.ts). */
const MIGRATIONS: Migration<FeedDB>[] = [
  // v1: each feed whole, by its URL.
  (d) => {
    d.createObjectStore('feeds', { keyPath: 'feedUrl' });
  },
  // v2: heads. Feeds cached before have none until their next save; the popup then reads the
  // whole feed.
  (d) => {
    d.createObjectStore('heads', { keyPath: 'feedUrl' });
  },
];

function db(): Promise<IDBPDatabase<FeedDB>> {
  dbPromise ??= openMigrated(DB_NAME, MIGRATIONS, {
    blocking() {
      // Another context wants a newer version: let it have the database.
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

export async function loadFeedState(feedUrl: string): Promise<FeedState | undefined> {
  return (await db()).get('feeds', feedUrl);
}

/**
 * The head of the feed `url` resolves to, read while the URL is still being worked out (settings
 * and policy): the popup's first paint waits on both. The cache holds one feed but for a moment
 * after the user changes it (pruneFeeds), so reading every head costs nothing more.
 */
export async function loadFeedHeadOf(url: Promise<string | undefined>): Promise<FeedHead | undefined> {
  const [u, all] = await Promise.all([url, db().then((d) => d.getAll('heads'))]);
  return u ? all.find((s) => s.feedUrl === u) : undefined;
}

export function feedHead(state: FeedState, now: number): FeedHead {
  const current = currentItems(state.items, now);
  return { ...state, items: current.slice(0, HEAD_SIZE), currentCount: current.length };
}

export async function saveFeedState(state: FeedState, now = Date.now()): Promise<void> {
  const tx = (await db()).transaction(['feeds', 'heads'], 'readwrite');
  await Promise.all([tx.objectStore('feeds').put(state), tx.objectStore('heads').put(feedHead(state, now)), tx.done]);
}

/** Forgets cached feeds other than `keepUrl` (after the user changes the feed URL). */
export async function pruneFeeds(keepUrl: string): Promise<void> {
  const tx = (await db()).transaction(['feeds', 'heads'], 'readwrite');
  for (const store of [tx.objectStore('feeds'), tx.objectStore('heads')])
    for (const key of await store.getAllKeys()) if (key !== keepUrl) await store.delete(key);
  await tx.done;
}

/** For tests: drop the connection so a fresh fake database can be used. */
export function _resetFeedDbForTests(): void {
  dbPromise = undefined;
}
