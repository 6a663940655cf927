import type { IDBPIndex, IDBPObjectStore, StoreNames } from 'idb';
import { localDayNumberer, localDayStarter } from '../time/local-day';
import { addToTotals, attemptKey, countsAsPost, emptyTotals, pairKey, totalsOf } from './stats';
import type { HistoryDB, HistoryTotals, PostedDaysRecord, ShareEvent, SyncState, TotalsRecord } from './types';

// The `totals` store: the stats' HistoryTotals as small records, kept in step with the `events`
// store in the same transactions, so the options page reads a few hundred records instead of
// every event (100,000 events took 2.7 s to read). Only this file and the
// history writers (record.ts, outbox.ts, the v3 migration) write it.

export const EVENTS_KEY = 'events';
export const DAYS_KEY = 'days';
const pairRecordKey = (itemId: string, platform: string) => `p\u0000${pairKey(itemId, platform)}`;
const attemptRecordKey = (platform: string, agencyId: string, campaign: string) => `a\u0000${attemptKey(platform, agencyId, campaign)}`;
const nameRecordKey = (agencyId: string) => `n\u0000${agencyId}`;

export function totalsToRecords(t: HistoryTotals): TotalsRecord[] {
  const out: TotalsRecord[] = [{ k: EVENTS_KEY, kind: 'events', n: t.events, sync: { ...t.sync } }];
  for (const p of t.pairs.values()) out.push({ k: pairRecordKey(p.item_id, p.platform), kind: 'pair', ...p });
  for (const a of t.attempts.values()) out.push({ k: attemptRecordKey(a.platform, a.agencyId, a.campaign), kind: 'attempts', ...a });
  for (const n of t.names.values()) out.push({ k: nameRecordKey(n.agencyId), kind: 'name', ...n });
  return out;
}

export function totalsFromRecords(records: readonly (TotalsRecord | undefined)[]): HistoryTotals {
  const t = emptyTotals();
  for (const r of records) {
    if (!r) continue;
    switch (r.kind) {
      case 'events':
        t.events = r.n;
        t.sync = { ...r.sync };
        break;
      case 'pair': {
        const { k: _k, kind: _kind, ...p } = r;
        t.pairs.set(pairKey(p.item_id, p.platform), p);
        break;
      }
      case 'attempts': {
        const { k: _k, kind: _kind, ...a } = r;
        t.attempts.set(attemptKey(a.platform, a.agencyId, a.campaign), a);
        break;
      }
      case 'name': {
        const { k: _k, kind: _kind, ...n } = r;
        t.names.set(n.agencyId, n);
        break;
      }
    }
  }
  return t;
}

type TotalsStore = IDBPObjectStore<HistoryDB, StoreNames<HistoryDB>[], 'totals', 'readwrite' | 'versionchange'>;
type PostedIndex = IDBPIndex<HistoryDB, StoreNames<HistoryDB>[], 'events', 'by_action_at', IDBTransactionMode>;

/** The records one event can change. */
function recordKeysOf(e: ShareEvent): string[] {
  const agencyId = e.item?.agencyId ?? '';
  const keys = [
    EVENTS_KEY,
    e.action === 'posted' ? pairRecordKey(e.item_id, e.platform) : attemptRecordKey(e.platform, agencyId, e.item?.campaign ?? ''),
  ];
  if (agencyId) keys.push(nameRecordKey(agencyId));
  return keys;
}

function insertSorted(days: number[], day: number): boolean {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  if (days[lo] === day) return false;
  days.splice(lo, 0, day);
  return true;
}

/**
 * Adds a new event to the stored totals; call in the transaction that added the event to
 * `posted` (its index), after the add. Days with a post stored for another zone (the browser's
 * zone changed) are replaced by this zone's, walked from the events.
 */
export async function addToStoredTotals(store: TotalsStore, posted: PostedIndex, e: ShareEvent, timeZone: string): Promise<void> {
  const keys = recordKeysOf(e);
  const [current, days] = await Promise.all([
    Promise.all(keys.map((k) => store.get(k))),
    e.action === 'posted' ? (store.get(DAYS_KEY) as Promise<PostedDaysRecord | undefined>) : undefined,
  ]);
  const t = addToTotals(totalsFromRecords(current), e);
  const writes: Promise<unknown>[] = totalsToRecords(t).map((r) => store.put(r));
  if (e.action === 'posted' && days?.timeZone !== timeZone) {
    // The run that makes the streak now, this event's day included, is all later streaks need.
    const run = [...(await streakDays(posted, new Date(e.atMs), timeZone))].sort((a, b) => a - b);
    writes.push(store.put({ k: DAYS_KEY, kind: 'days', timeZone, days: run }));
  } else if (days && Number.isFinite(e.atMs) && insertSorted(days.days, localDayNumberer(timeZone)(e.atMs))) {
    writes.push(store.put(days));
  }
  await Promise.all(writes);
}

/**
 * The local days of the run of `posted` events that makes the streak at `now` (and any after
 * `now`). Walks them newest first, one step per day: after each one it jumps to the end of the
 * day before, and stops at the first day without a post. A streak of N days costs about N reads
 * whatever the number of events.
 */
export async function streakDays(index: PostedIndex, now: Date, timeZone: string): Promise<Set<number>> {
  const dayOf = localDayNumberer(timeZone);
  const dayStart = localDayStarter(timeZone);
  const today = dayOf(now.getTime());
  const days = new Set<number>();
  let oldest = today + 1;
  let cursor = await index.openCursor(IDBKeyRange.bound(['posted', -Infinity], ['posted', Infinity]), 'prev');
  while (cursor) {
    const at = cursor.key[1];
    // A post the tally refused makes no day: look at the one before it.
    if (cursor.value.sync === 'rejected') {
      cursor = await cursor.continue();
      continue;
    }
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

/** Moves `n` events from pending to `to` in the stored counts (the outbox marks them). */
export async function moveFromPending(store: TotalsStore, to: SyncState, n: number): Promise<void> {
  if (n === 0) return;
  const r = await store.get(EVENTS_KEY);
  if (r?.kind !== 'events') return;
  r.sync.pending -= n;
  r.sync[to] += n;
  await store.put(r);
}

type EventsStore = IDBPObjectStore<HistoryDB, ('events' | 'totals')[], 'events', 'readwrite'>;

/**
 * Takes events the tally just refused out of what the stats count (their move in the outbox
 * counts is moveFromPending's): an attempt is one fewer; a pair whose first post it was falls to
 * the pair's next counted post, if any; its day leaves the streak unless another counted post
 * was made that day. Call in the transaction that marked them, after the marks were issued.
 * Each record, post and day is read and written once for the whole list (a 500-event reply
 * refused one by one took over a second).
 */
export async function removeRefused(store: TotalsStore, events: EventsStore, refused: readonly ShareEvent[]): Promise<void> {
  const attempts = new Map<string, number>();
  const pairs = new Map<string, { itemId: string; platform: string; ids: Set<string> }>();
  const posted: ShareEvent[] = [];
  for (const e of refused) {
    if (e.action !== 'posted') {
      const k = attemptRecordKey(e.platform, e.item?.agencyId ?? '', e.item?.campaign ?? '');
      attempts.set(k, (attempts.get(k) ?? 0) + 1);
      continue;
    }
    posted.push(e);
    const k = pairRecordKey(e.item_id, e.platform);
    const pair = pairs.get(k) ?? { itemId: e.item_id, platform: e.platform, ids: new Set<string>() };
    pair.ids.add(e.id);
    pairs.set(k, pair);
  }
  const days = posted.length > 0 ? ((await store.get(DAYS_KEY)) as PostedDaysRecord | undefined) : undefined;
  const byItem = new Map<string, Promise<ShareEvent[]>>();
  // The marks were issued before: these reads already see the refused events as rejected.
  const itemEvents = (itemId: string) => {
    let p = byItem.get(itemId);
    if (!p) byItem.set(itemId, (p = events.index('by_item').getAll(itemId)));
    return p;
  };
  const attemptWork = [...attempts].map(async ([k, n]) => {
    const r = await store.get(k);
    if (r?.kind !== 'attempts') return;
    r.n -= n;
    await (r.n > 0 ? store.put(r) : store.delete(k));
  });
  const pairWork = [...pairs].map(async ([k, p]) => {
    const pair = await store.get(k);
    if (pair?.kind !== 'pair' || !p.ids.has(pair.id)) return;
    const others = (await itemEvents(p.itemId)).filter(
      (o) => o.platform === p.platform && o.action === 'posted' && o.sync !== 'rejected' && !p.ids.has(o.id),
    );
    const next = totalsOf(others).pairs.get(pairKey(p.itemId, p.platform));
    await (next ? store.put({ k, kind: 'pair', ...next }) : store.delete(k));
  });
  let dayWork: Promise<unknown> | undefined;
  if (days) {
    const dayOf = localDayNumberer(days.timeZone);
    const start = localDayStarter(days.timeZone);
    const touched = new Set<number>();
    for (const e of posted) if (Number.isFinite(e.atMs)) touched.add(dayOf(e.atMs));
    dayWork = Promise.all(
      [...touched].map(async (day) => {
        if (!days.days.includes(day)) return undefined;
        const range = IDBKeyRange.bound(['posted', start(day)], ['posted', start(day + 1)], false, true);
        const sameDay = await events.index('by_action_at').getAll(range);
        return sameDay.some((o) => o.sync !== 'rejected') ? undefined : day;
      }),
    ).then(async (gone) => {
      const drop = new Set(gone.filter((d): d is number => d !== undefined));
      if (drop.size === 0) return;
      days.days = days.days.filter((d) => !drop.has(d));
      await store.put(days);
    });
  }
  await Promise.all([...attemptWork, ...pairWork, dayWork]);
}

/**
 * Rebuilds the stored totals from `events` (after a deletion, and in the migration). Deleting is
 * rare and a first post may have gone, so a rebuild is simpler and surer than subtracting.
 */
export async function rebuildStoredTotals(store: TotalsStore, events: readonly ShareEvent[], timeZone: string): Promise<void> {
  const dayOf = localDayNumberer(timeZone);
  const days = new Set<number>();
  for (const e of events) if (countsAsPost(e)) days.add(dayOf(e.atMs));
  const records: TotalsRecord[] = [
    ...totalsToRecords(totalsOf(events)),
    { k: DAYS_KEY, kind: 'days', timeZone, days: [...days].sort((a, b) => a - b) },
  ];
  await store.clear();
  await Promise.all(records.map((r) => store.put(r)));
}
