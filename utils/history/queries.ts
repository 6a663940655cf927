import type { IDBPIndex } from 'idb';
import { historyDb, type HistoryDB, type ShareEvent, type SyncState } from './db';
import { defaultTimeZone, localDayNumberer, localDayStarter, type HistoryTotals } from './stats';
import { DAYS_KEY, EVENTS_KEY, totalsFromRecords, type PostedDaysRecord } from './totals';

/** Ids of the items this profile has shared in any way. */
export async function sharedItemIds(): Promise<Set<string>> {
  const d = await historyDb();
  const ids = new Set<string>();
  let cursor = await d.transaction('events').store.index('by_item').openKeyCursor(null, 'nextunique');
  while (cursor) {
    ids.add(cursor.key);
    cursor = await cursor.continue();
  }
  return ids;
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
 * Where those days are missing or of another zone (the browser's zone changed), the events are
 * walked once for the streak and the days stored for the next reads.
 */
export async function readStatsInputs(now: Date, timeZone = defaultTimeZone()): Promise<StatsInputs> {
  const d = await historyDb();
  const records = await d.getAll('totals');
  const totals = totalsFromRecords(records);
  const days = records.find((r): r is PostedDaysRecord => r.kind === 'days');
  if (days && days.timeZone === timeZone) return { totals, postedDays: new Set(days.days) };

  const tx = d.transaction(['events', 'totals'], 'readwrite');
  const postedDays = await streakDays(tx.objectStore('events').index('by_action_at'), now, timeZone);
  const store = tx.objectStore('totals');
  const current = await store.get(DAYS_KEY);
  // Another page may have stored them meanwhile; a record of this zone is never replaced.
  if (current?.kind !== 'days' || current.timeZone !== timeZone)
    await store.put({ k: DAYS_KEY, kind: 'days', timeZone, days: [...postedDays].sort((a, b) => a - b) });
  await tx.done;
  return { totals, postedDays };
}

/**
 * Walks the `posted` events newest first, one step per day: after each one it jumps to the end
 * of the day before, and stops at the first day without a post. A streak of N days costs about
 * N reads whatever the number of events.
 */
async function streakDays(
  index: IDBPIndex<HistoryDB, ('events' | 'totals')[], 'events', 'by_action_at', 'readwrite'>,
  now: Date,
  timeZone: string,
): Promise<Set<number>> {
  const dayOf = localDayNumberer(timeZone);
  const dayStart = localDayStarter(timeZone);
  const today = dayOf(now.getTime());
  const days = new Set<number>();
  let oldest = today + 1;
  let cursor = await index.openKeyCursor(IDBKeyRange.bound(['posted', -Infinity], ['posted', Infinity]), 'prev');
  while (cursor) {
    const at = cursor.key[1];
    const day = dayOf(at);
    const next = dayStart(day) - 1;
    // Days after today (a clock set back) are kept for when today reaches them.
    if (day > today) days.add(day);
    else {
      // The run may end yesterday while today has no post yet.
      const continuesRun = day >= oldest - 1 || (oldest === today + 1 && day === today - 1);
      if (!continuesRun) break;
      days.add(day);
      oldest = Math.min(oldest, day);
    }
    // Where local days do not follow time (a zone moving its clocks back over midnight), step.
    cursor = await (next < at ? cursor.continue(['posted', next]) : cursor.continue());
  }
  return days;
}
