import { defaultTimeZone } from '../time/local-day';
import { historyDb } from './db';
import { EVENTS_KEY, streakDays, totalsFromRecords } from './totals';
import { statesFrom, type ShareStates } from './share-state';
import type { HistoryTotals, PostedDaysRecord, ShareEvent, SyncState } from './types';

/**
 * What this profile did with each post on each platform (share-state.ts): posted there, or only
 * tried. One read of one small record per post.
 */
export async function readShareStates(): Promise<ShareStates> {
  return statesFrom(await (await historyDb()).getAll('item_states'));
}

export async function pendingEvents(limit: number): Promise<ShareEvent[]> {
  return (await historyDb()).getAllFromIndex('events', 'by_sync', 'pending', limit);
}

/** From the stored totals: counting the `by_sync` index reads every key (100,000 at times). */
export async function countBySync(): Promise<Record<SyncState, number>> {
  const r = await (await historyDb()).get('totals', EVENTS_KEY);
  return r?.kind === 'events' ? { ...r.sync } : { pending: 0, synced: 0, rejected: 0 };
}

/** Newest first. */
export async function recentEvents(limit: number): Promise<ShareEvent[]> {
  const d = await historyDb();
  const out: ShareEvent[] = [];
  let cursor = await d.transaction('events').store.index('by_at').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

export interface StatsInputs {
  totals: HistoryTotals;
  /** The local days with a `posted` event in the run that makes today's streak. */
  postedDays: Set<number>;
}

/**
 * What statsFromTotals needs: the stored totals, and the days with a post kept beside them.
 * Where those are of another zone (the browser's zone changed; the next share stores the new
 * zone's), the posted events are walked for the streak. Read-only: the history's writers live in
 * the background.
 */
export async function readStatsInputs(now: Date, timeZone = defaultTimeZone()): Promise<StatsInputs> {
  const tx = (await historyDb()).transaction(['events', 'totals']);
  const records = await tx.objectStore('totals').getAll();
  const totals = totalsFromRecords(records);
  const days = records.find((r): r is PostedDaysRecord => r.kind === 'days');
  if (days && days.timeZone === timeZone) return { totals, postedDays: new Set(days.days) };
  return { totals, postedDays: await streakDays(tx.objectStore('events').index('by_action_at'), now, timeZone) };
}
