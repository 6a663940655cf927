import { historyDb } from './db';
import type { ShareEvent, SyncState } from './types';
import { moveFromPending, removeRefused } from './totals';

// The outbox's marks on the history: only the sync marks events, and only from tally replies.

/** Marks events the tally answered `accepted` or `duplicate`: they are counted there, once. */
export async function markSynced(ids: readonly string[], at: number): Promise<number> {
  return update(ids, 'synced', (e) => {
    e.syncedAt = at;
  });
}

/**
 * Changes the pending events among `ids` in one transaction. All reads are issued at once, then
 * all writes: IndexedDB runs them in order, and not waiting for each one between them makes a
 * 500-event batch several times faster.
 */
async function update(
  ids: readonly string[],
  to: Exclude<SyncState, 'pending'>,
  change: (e: ShareEvent, i: number) => void,
): Promise<number> {
  const tx = (await historyDb()).transaction(['events', 'totals'], 'readwrite');
  const events = tx.objectStore('events');
  const found = await Promise.all(ids.map((id) => events.get(id)));
  const writes: Promise<unknown>[] = [];
  // An id twice in one batch is one event.
  const seen = new Set<string>();
  const changed: ShareEvent[] = [];
  found.forEach((e, i) => {
    if (!e || e.sync !== 'pending' || seen.has(e.id)) return;
    seen.add(e.id);
    change(e, i);
    e.sync = to;
    changed.push(e);
    writes.push(events.put(e));
  });
  const totals = tx.objectStore('totals');
  await Promise.all([
    ...writes,
    moveFromPending(totals, to, writes.length),
    to === 'rejected' ? removeRefused(totals, events, changed) : undefined,
    tx.done,
  ]);
  return writes.length;
}

/** Marks events the tally refused: kept with the reason, shown, never sent again. */
export async function markRejected(rejected: readonly { id: string; reason: string }[], at: number): Promise<number> {
  return update(
    rejected.map((r) => r.id),
    'rejected',
    (e, i) => {
      e.syncedAt = at;
      e.rejectReason = rejected[i]!.reason.slice(0, 500);
    },
  );
}
