import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FeedMeta, FeedProblem, Item } from '../protocol/feed';
import type { FetchError, Validators } from './fetch';

// The feed cache: the one module that owns the `siar-feed` database. The background writes it;
// the popup and the composer panel only read it, so they work offline.

export type FeedError =
  | FetchError
  | { code: 'invalid'; problem: FeedProblem }
  /** A public key is set, and the feed has no signature, or one that does not verify. */
  | { code: 'unsigned' }
  | { code: 'bad_signature' };

export interface FeedState {
  feedUrl: string;
  meta?: FeedMeta;
  items: Item[];
  /** Items of the last good copy that broke the schema. */
  dropped: number;
  /** Last time the agency answered with a good feed or 304. */
  fetchedAt?: number;
  /** Last attempt, good or bad. */
  checkedAt?: number;
  validators?: Validators;
  lastError?: FeedError & { at: number };
  /** The public key the stored copy was verified with, when a key was set. */
  verifiedWith?: string;
}

interface FeedDB extends DBSchema {
  feeds: { key: string; value: FeedState };
}

const DB_NAME = 'siar-feed';
let dbPromise: Promise<IDBPDatabase<FeedDB>> | undefined;

function db(): Promise<IDBPDatabase<FeedDB>> {
  dbPromise ??= openDB<FeedDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('feeds', { keyPath: 'feedUrl' });
    },
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
 * The cached state of the feed `url` resolves to, read while the URL is still being worked out
 * (settings and policy): the popup's first paint waits on both. The cache holds one feed but
 * for a moment after the user changes it (pruneFeeds), so reading them all costs nothing more.
 */
export async function loadFeedStateOf(url: Promise<string | undefined>): Promise<FeedState | undefined> {
  const [u, all] = await Promise.all([url, db().then((d) => d.getAll('feeds'))]);
  return u ? all.find((s) => s.feedUrl === u) : undefined;
}

export async function saveFeedState(state: FeedState): Promise<void> {
  await (await db()).put('feeds', state);
}

/** Forgets cached feeds other than `keepUrl` (after the user changes the feed URL). */
export async function pruneFeeds(keepUrl: string): Promise<void> {
  const d = await db();
  for (const key of await d.getAllKeys('feeds')) if (key !== keepUrl) await d.delete('feeds', key);
}

/** For tests: drop the connection so a fresh fake database can be used. */
export function _resetFeedDbForTests(): void {
  dbPromise = undefined;
}
