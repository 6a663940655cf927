import { historyDb } from './db';

// The outbox side of the history: only the sync marks events, and only from tally replies.

/** Marks events the tally answered `accepted` or `duplicate`: they are counted there, once. */
export async function markSynced(ids: readonly string[], at: number): Promise<number> {
  const tx = (await historyDb()).transaction('events', 'readwrite');
  let n = 0;
  for (const id of ids) {
    const e = await tx.store.get(id);
    if (!e || e.sync !== 'pending') continue;
    e.sync = 'synced';
    e.syncedAt = at;
    await tx.store.put(e);
    n++;
  }
  await tx.done;
  return n;
}

/** Marks events the tally refused: kept with the reason, shown, never sent again. */
export async function markRejected(rejected: readonly { id: string; reason: string }[], at: number): Promise<number> {
  const tx = (await historyDb()).transaction('events', 'readwrite');
  let n = 0;
  for (const r of rejected) {
    const e = await tx.store.get(r.id);
    if (!e || e.sync !== 'pending') continue;
    e.sync = 'rejected';
    e.syncedAt = at;
    e.rejectReason = r.reason.slice(0, 500);
    await tx.store.put(e);
    n++;
  }
  await tx.done;
  return n;
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
