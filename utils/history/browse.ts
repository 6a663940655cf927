import { foldForSearch } from '../format/search';
import type { ShareAction } from '../protocol/tally';
import { historyDb } from './db';
import type { ShareEvent, SyncState } from './types';
import { EVENTS_KEY } from './totals';

// The history table's reads, newest first, over the `by_at` index. Fast at 100,000 rows:
// - a time range alone is the index's own key range: `count()` (or the stored count, for all
//   time) plus one cursor that skips to the page with `advance()` — no record before the page
//   is read;
// - other filters need a look at each record in the range: one cursor pass that keeps only the
//   page's rows and counts the rest for the total.

export interface HistoryFilter {
  platform?: string;
  action?: ShareAction;
  sync?: SyncState;
  /** Words to find in the title, item id, OPD, campaign or post link (case and accents ignored). */
  query?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

export interface HistoryPage {
  rows: ShareEvent[];
  total: number;
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/** The `by_at` key range of `from`/`to`; null for all time. Call only when `from < to`. */
function timeRange(from: number | undefined, to: number | undefined): IDBKeyRange | null {
  if (from !== undefined && to !== undefined) return IDBKeyRange.bound(from, to, false, true);
  if (from !== undefined) return IDBKeyRange.lowerBound(from);
  if (to !== undefined) return IDBKeyRange.upperBound(to, true);
  return null;
}

/** The record test for the filters other than time, or undefined when there are none. */
export function eventMatcher(f: HistoryFilter): ((e: ShareEvent) => boolean) | undefined {
  const words = f.query ? foldForSearch(f.query).split(/\s+/).filter(Boolean) : [];
  if (!f.platform && !f.action && !f.sync && words.length === 0) return undefined;
  return (e) => {
    if (f.platform && e.platform !== f.platform) return false;
    if (f.action && e.action !== f.action) return false;
    if (f.sync && e.sync !== f.sync) return false;
    if (words.length) {
      const hay = foldForSearch([e.item?.title, e.item_id, e.item?.agencyName, e.item?.campaign, e.post_url].filter(Boolean).join('\n'));
      for (const w of words) if (!hay.includes(w)) return false;
    }
    return true;
  };
}

/** Records read at once by the filtered scan. */
export const SCAN_BATCH = 2000;

/**
 * Page `page` (from 0) of the events that pass `filter`, newest first, and how many pass.
 * `signal` stops a filtered scan that is no longer wanted (the user typed on): it then rejects
 * with the signal's reason.
 */
export async function browseHistory(
  filter: HistoryFilter,
  page: number,
  pageSize: number,
  opts: { signal?: AbortSignal } = {},
): Promise<HistoryPage> {
  const size = Math.max(1, Math.floor(pageSize));
  const skip = Math.max(0, Math.floor(page)) * size;
  const from = finite(filter.from);
  const to = finite(filter.to);
  if (from !== undefined && to !== undefined && to <= from) return { rows: [], total: 0 };
  const match = eventMatcher(filter);
  const d = await historyDb();

  if (!match) {
    const tx = d.transaction(['events', 'totals']);
    const index = tx.objectStore('events').index('by_at');
    const keys = timeRange(from, to);
    const rows: ShareEvent[] = [];
    // Counting reads every key in the range (100,000 keys took most of a second): the whole
    // history's count is kept in the totals.
    const stored = keys ? undefined : await tx.objectStore('totals').get(EVENTS_KEY);
    const total = stored?.kind === 'events' ? stored.n : await index.count(keys ?? undefined);
    if (skip >= total) return { rows, total };
    let cursor = await index.openCursor(keys, 'prev');
    if (cursor && skip > 0) cursor = await cursor.advance(skip);
    while (cursor && rows.length < size) {
      rows.push(cursor.value);
      cursor = await cursor.continue();
    }
    return { rows, total };
  }

  // Filtered: one pass over the range, oldest first, in batches of `getAll` — in Chromium about
  // three times faster than a cursor, which pays a round trip per record. The pass counts every
  // match and keeps only the newest `skip + size` of them, of which the page is the oldest `size`.
  // Order is the index's: time, then id; the unfiltered cursor walks the same order backwards.
  const want = skip + size;
  let kept: ShareEvent[] = [];
  let total = 0;
  /** Where the next batch starts, and how many records of that exact time were already read. */
  let at = from;
  let seenAt = 0;
  // One read-only transaction: the pass sees one state of the store.
  const index = d.transaction('events').store.index('by_at');
  for (;;) {
    opts.signal?.throwIfAborted();
    const batch = await index.getAll(timeRange(at, to), SCAN_BATCH + seenAt);
    for (let i = seenAt; i < batch.length; i++) {
      const e = batch[i]!;
      if (!match(e)) continue;
      total++;
      kept.push(e);
      if (kept.length >= 2 * want + SCAN_BATCH) kept = kept.slice(kept.length - want);
    }
    if (batch.length < SCAN_BATCH + seenAt) break;
    // Go on from the last time read, inclusive (ids of one millisecond may run across batches),
    // skipping the records of that time this pass has already seen.
    const last = batch[batch.length - 1]!.atMs;
    let ties = 0;
    for (let i = batch.length - 1; i >= 0 && batch[i]!.atMs === last; i--) ties++;
    // All records of time `last` read so far are in this batch: it began at or before the first.
    seenAt = ties;
    at = last;
  }
  const end = Math.max(0, kept.length - skip);
  const rows = kept.slice(Math.max(0, end - size), end).reverse();
  return { rows, total };
}

/** Every event, oldest first (for the stats and the CSV export). */
export async function allEvents(): Promise<ShareEvent[]> {
  return (await historyDb()).getAllFromIndex('events', 'by_at');
}
