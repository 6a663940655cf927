// The history's shapes: what the `siar-history` database stores (events, and the stats' totals
// beside them) and the totals the stats fold events into. Apart from the modules that store, fold
// and read them (db.ts, totals.ts, stats.ts, queries.ts), which then depend on these, not on
// each other.
import type { DBSchema } from 'idb';
import type { ShareAction } from '../protocol/tally';
import type { ItemMarks } from './share-state';

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
  /** A `posted` the user said they did (WhatsApp, a copy), where the extension cannot see the send. */
  self_reported?: true;
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
  /** Per post, what was done on each platform (share-state.ts): the popup reads it whole. */
  item_states: {
    key: string;
    value: ItemMarks;
  };
}

/**
 * What the stats need from a history, kept small enough to store and update share by share
 * (utils/history/totals.ts keeps it in IndexedDB, so the options page never reads every event).
 * Folding is order-free: the same events in any order give the same totals.
 */
export interface HistoryTotals {
  events: number;
  /** Events by outbox state (for the settings' sync line, not the stats). */
  sync: Record<SyncState, number>;
  /** `item_id \0 platform` → the pair's first `posted` event (earliest; ties: smallest id). */
  pairs: Map<string, PairFirst>;
  /** `platform \0 OPD \0 campaign` → how many attempts (non-`posted` events). */
  attempts: Map<string, AttemptCount>;
  /** OPD id → its newest name (newest event; ties: the greater name). */
  names: Map<string, AgencyName>;
}
export interface PairFirst {
  item_id: string;
  platform: string;
  atMs: number;
  id: string;
  agencyId: string;
  campaign: string;
  /** Every `posted` of the pair was self-reported (absent: seen; stored before self-reports). */
  self?: boolean;
}
export interface AttemptCount {
  platform: string;
  agencyId: string;
  campaign: string;
  n: number;
}
export interface AgencyName {
  agencyId: string;
  name: string;
  at: number;
}

export interface PostedDaysRecord {
  k: 'days';
  kind: 'days';
  /** The zone the days are local to: the browser's when they were stored. */
  timeZone: string;
  /**
   * Local days with a `posted` event, ascending. At least the run that made the streak when the
   * record was made, and every day posted on since: enough for every later streak.
   */
  days: number[];
}

export type TotalsRecord =
  | { k: 'events'; kind: 'events'; n: number; sync: Record<SyncState, number> }
  | ({ k: string; kind: 'pair' } & PairFirst)
  | ({ k: string; kind: 'attempts' } & AttemptCount)
  | ({ k: string; kind: 'name' } & AgencyName)
  | PostedDaysRecord;
