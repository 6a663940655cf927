// The feed cache's shapes: what `siar-feed` stores per feed, and why a refresh failed. Apart from
// the cache (cache.ts), the refresh step and the selection for the UI, which all name them.
import type { FeedMeta, FeedProblem, Item } from '../protocol/feed';
import type { FetchError, Validators } from './fetch';

export type FeedError =
  | FetchError
  | { code: 'invalid'; problem: FeedProblem }
  /** A public key is set, and the feed has no signature, or one that does not verify. */
  | { code: 'unsigned' }
  | { code: 'bad_signature' }
  /** A signed feed older than the verified copy held (a replay): refused. */
  | { code: 'replayed' };

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

/**
 * A feed's state with only its first current posts, in the popup's order: the popup paints these
 * without reading (and deserialising) the whole feed, then reads the rest.
 */
export interface FeedHead extends FeedState {
  /** How many posts were current when the head was made. */
  currentCount: number;
}
