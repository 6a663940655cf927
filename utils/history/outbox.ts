import { historyDb, type ShareEvent } from './db';

// The outbox side of the history: only the sync marks events, and only from tally replies.

/** Marks events the tally answered `accepted` or `duplicate`: they are counted there, once. */
export async function markSynced(ids: readonly string[], at: number): Promise<number> {
  return update(ids, (e) => {
    e.sync = 'synced';
    e.syncedAt = at;
  });
}

/**
 * Changes the pending events among `ids` in one transaction. All reads are issued at once, then
 * all writes: IndexedDB runs them in order, and not waiting for each one between them makes a
 * 500-event batch several times faster.
 */
async function update(ids: readonly string[], change: (e: ShareEvent, i: number) => void): Promise<number> {
  const tx = (await historyDb()).transaction('events', 'readwrite');
  const found = await Promise.all(ids.map((id) => tx.store.get(id)));
  const writes: Promise<unknown>[] = [];
  found.forEach((e, i) => {
    if (!e || e.sync !== 'pending') return;
    change(e, i);
    writes.push(tx.store.put(e));
  });
  await Promise.all([...writes, tx.done]);
  return writes.length;
}

/** Marks events the tally refused: kept with the reason, shown, never sent again. */
export async function markRejected(rejected: readonly { id: string; reason: string }[], at: number): Promise<number> {
  return update(
    rejected.map((r) => r.id),
    (e, i) => {
      e.sync = 'rejected';
      e.syncedAt = at;
      e.rejectReason = rejected[i]!.reason.slice(0, 500);
    },
  );
}

/**
 * Deletes history the user no longer wants. Events still waiting for the tally stay (unless
 * `includePending`), so deleting history never loses a share the agency has not counted.
 */
export async function deleteHistory(opts: { olderThan?: number; includePending?: boolean } = {}): Promise<number> {
  const tx = (await historyDb()).transaction('events', 'readwrite');
  const range = opts.olderThan !== undefined ? IDBKeyRange.upperBound(opts.olderThan, true) : null;
  let cursor = await tx.store.index('by_at').openCursor(range);
  let n = 0;
  while (cursor) {
    if (opts.includePending || cursor.value.sync !== 'pending') {
      await cursor.delete();
      n++;
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  return n;
}
