import { defaultTimeZone } from '../time/local-day';
import { historyDb } from './db';
import { itemMarksOf } from './share-state';
import { rebuildStoredTotals } from './totals';

/**
 * Deletes history the user no longer wants. Events still waiting for the tally stay (unless
 * `includePending`), so deleting history never loses a share the agency has not counted.
 */
export async function deleteHistory(opts: { olderThan?: number; includePending?: boolean; timeZone?: string } = {}): Promise<number> {
  const tx = (await historyDb()).transaction(['events', 'totals', 'item_states'], 'readwrite');
  const events = tx.objectStore('events');
  const range = opts.olderThan !== undefined ? IDBKeyRange.upperBound(opts.olderThan, true) : null;
  let cursor = await events.index('by_at').openCursor(range);
  let n = 0;
  while (cursor) {
    if (opts.includePending || cursor.value.sync !== 'pending') {
      await cursor.delete();
      n++;
    }
    cursor = await cursor.continue();
  }
  if (n > 0) {
    const left = await events.getAll();
    await rebuildStoredTotals(tx.objectStore('totals'), left, opts.timeZone ?? defaultTimeZone());
    const states = tx.objectStore('item_states');
    await states.clear();
    await Promise.all(itemMarksOf(left).map((r) => states.put(r)));
  }
  await tx.done;
  return n;
}
