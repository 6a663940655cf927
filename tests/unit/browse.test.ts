import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { allEvents, browseHistory, SCAN_BATCH } from '@/utils/history/browse';
import { _resetHistoryDbForTests, historyDb } from '@/utils/history/db';
import type { ShareEvent } from '@/utils/history/types';
import { makeShareEvent } from '@/utils/history/record';
import { rebuildStoredTotals } from '@/utils/history/totals';
import { ItemSchema } from '@/utils/protocol/feed';
import { SHARE_ACTIONS } from '@/utils/protocol/tally';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
});

const feedUrl = 'https://pemkab.example/siar/feed.json';
const T0 = Date.parse('2026-11-01T00:00:00Z');
const MIN = 60_000;

const items = [
  ItemSchema.parse({ id: 'panen', title: 'Panen raya di Desa Sukamaju', _siar: { agency: { id: 'distan', name: 'Dinas Pertanian' } } }),
  ItemSchema.parse({
    id: 'vaksin',
    title: 'Vaksinasi gratis',
    _siar: { agency: { id: 'dinkes', name: 'Dinas Kesehatan' }, campaign: 'sehat' },
  }),
  ItemSchema.parse({ id: 'kafe', title: 'Festival kopi Café Lokal' }),
];
const platforms = ['x', 'facebook', 'whatsapp'];

/** Event i happens at T0 + i minutes: a higher i is newer. */
function events(n: number): ShareEvent[] {
  return Array.from({ length: n }, (_, i) =>
    makeShareEvent(
      { item: items[i % 3]!, feedUrl, platform: platforms[i % 3]!, action: SHARE_ACTIONS[i % 4]! },
      new Date(T0 + i * MIN),
      `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    ),
  );
}

async function store(list: ShareEvent[]): Promise<void> {
  const tx = (await historyDb()).transaction(['events', 'totals'], 'readwrite');
  const events = tx.objectStore('events');
  // Shuffled: the order comes from the index, not from the writes.
  const shuffled = [...list].sort((a, b) => ((a.atMs * 7919) % 101) - ((b.atMs * 7919) % 101));
  await Promise.all(shuffled.map((e) => events.put(e)));
  // As the history's writers do: the totals hold the count of every event.
  await rebuildStoredTotals(tx.objectStore('totals'), await events.getAll(), 'UTC');
  await tx.done;
}

const idx = (e: ShareEvent) => (e.atMs - T0) / MIN;

describe('browseHistory without filters', () => {
  it('pages newest first, with the total', async () => {
    await store(events(120));
    const p0 = await browseHistory({}, 0, 50);
    expect(p0.total).toBe(120);
    expect(p0.rows.map(idx)).toEqual(Array.from({ length: 50 }, (_, i) => 119 - i));
    const p1 = await browseHistory({}, 1, 50);
    expect(p1.rows.map(idx)).toEqual(Array.from({ length: 50 }, (_, i) => 69 - i));
  });

  it('gives a short last page and an empty page past the end', async () => {
    await store(events(120));
    const last = await browseHistory({}, 2, 50);
    expect(last).toMatchObject({ total: 120 });
    expect(last.rows.map(idx)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    expect(await browseHistory({}, 3, 50)).toEqual({ rows: [], total: 120 });
  });

  it('is empty with no history', async () => {
    expect(await browseHistory({}, 0, 50)).toEqual({ rows: [], total: 0 });
    expect(await browseHistory({ platform: 'x' }, 0, 50)).toEqual({ rows: [], total: 0 });
  });

  it('keeps events of the same millisecond in a stable order, each on exactly one page', async () => {
    const list = events(30).map((e, i) => ({ ...e, atMs: T0 + Math.floor(i / 4) * MIN }));
    await store(list);
    const seen: string[] = [];
    for (let page = 0; page < 5; page++) seen.push(...(await browseHistory({}, page, 7)).rows.map((e) => e.id));
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    const times = seen.map((id) => list.find((e) => e.id === id)!.atMs);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The filtered scan walks the same order.
    const filtered = await browseHistory({ query: 'a' }, 0, 30);
    expect(filtered.rows.map((e) => e.id)).toEqual(seen);
  });

  it('takes a time range from the index (from inclusive, to exclusive)', async () => {
    await store(events(120));
    const r = await browseHistory({ from: T0 + 10 * MIN, to: T0 + 40 * MIN }, 0, 25);
    expect(r.total).toBe(30);
    expect(r.rows.map(idx)).toEqual(Array.from({ length: 25 }, (_, i) => 39 - i));
    const r2 = await browseHistory({ from: T0 + 10 * MIN, to: T0 + 40 * MIN }, 1, 25);
    expect(r2.rows.map(idx)).toEqual([14, 13, 12, 11, 10]);
    expect((await browseHistory({ from: T0 + 100 * MIN }, 0, 50)).total).toBe(20);
    expect((await browseHistory({ to: T0 + 100 * MIN }, 0, 50)).total).toBe(100);
    expect(await browseHistory({ from: T0 + 50 * MIN, to: T0 + 50 * MIN }, 0, 50)).toEqual({ rows: [], total: 0 });
  });
});

describe('browseHistory with filters', () => {
  it('counts every match for the total and returns only the page', async () => {
    await store(events(120));
    const x = await browseHistory({ platform: 'x' }, 0, 15);
    expect(x.total).toBe(40);
    expect(x.rows).toHaveLength(15);
    expect(x.rows.every((e) => e.platform === 'x')).toBe(true);
    expect(x.rows.map(idx)).toEqual(Array.from({ length: 15 }, (_, i) => 117 - 3 * i));
    const xLast = await browseHistory({ platform: 'x' }, 2, 15);
    expect(xLast.total).toBe(40);
    expect(xLast.rows.map(idx)).toEqual(Array.from({ length: 10 }, (_, i) => 27 - 3 * i));
    expect((await browseHistory({ platform: 'x' }, 3, 15)).rows).toEqual([]);
  });

  it('filters by action, sync state and both with platform', async () => {
    await store(events(120));
    expect((await browseHistory({ action: 'posted' }, 0, 50)).total).toBe(30);
    // i ≡ 1 (mod 4) and i ≡ 1 (mod 3): i ≡ 1 (mod 12).
    const both = await browseHistory({ action: 'posted', platform: 'facebook' }, 0, 50);
    expect(both.total).toBe(10);
    expect(both.rows.map(idx)).toEqual([109, 97, 85, 73, 61, 49, 37, 25, 13, 1]);
    expect((await browseHistory({ sync: 'pending' }, 0, 50)).total).toBe(120);
    expect((await browseHistory({ sync: 'synced' }, 0, 50)).total).toBe(0);
  });

  it('searches title, OPD and campaign, ignoring case and accents, all words', async () => {
    await store(events(120));
    expect((await browseHistory({ query: 'PANEN' }, 0, 50)).total).toBe(40);
    expect((await browseHistory({ query: 'kesehatan' }, 0, 50)).total).toBe(40);
    expect((await browseHistory({ query: 'sehat' }, 0, 50)).total).toBe(40);
    expect((await browseHistory({ query: 'cafe' }, 0, 50)).total).toBe(40);
    expect((await browseHistory({ query: 'panen sukamaju' }, 0, 50)).total).toBe(40);
    expect((await browseHistory({ query: 'panen vaksin' }, 0, 50)).total).toBe(0);
    expect((await browseHistory({ query: '   ' }, 0, 50)).total).toBe(120);
  });

  it('combines a filter with a time range', async () => {
    await store(events(120));
    const r = await browseHistory({ platform: 'x', from: T0 + 60 * MIN }, 0, 50);
    expect(r.total).toBe(20);
    expect(r.rows.at(-1)!.atMs).toBe(T0 + 60 * MIN);
  });
});

describe('browseHistory: the filtered scan in batches', () => {
  it('walks runs of equal times across batch boundaries without losing or repeating a record', async () => {
    // 2,000 events of one millisecond (a whole batch), then runs of 700 crossing the boundaries.
    const n = SCAN_BATCH * 2 + 500;
    const list = events(n).map((e, i) => ({ ...e, atMs: T0 + (i < SCAN_BATCH ? 0 : Math.floor(i / 700)) * MIN }));
    await store(list);
    const newestFirst = (await allEvents()).reverse(); // the index's order, backwards
    const scanned = await browseHistory({ query: 'a' }, 0, n); // every title has an "a"
    expect(scanned.total).toBe(n);
    expect(scanned.rows.map((e) => e.id)).toEqual(newestFirst.map((e) => e.id));
    expect(new Set(scanned.rows.map((e) => e.id)).size).toBe(n);
    for (const page of [0, 13, 44, 45]) {
      const a = await browseHistory({}, page, 100);
      const b = await browseHistory({ query: 'a' }, page, 100);
      expect(
        b.rows.map((e) => e.id),
        `page ${page}`,
      ).toEqual(a.rows.map((e) => e.id));
    }
    expect((await browseHistory({ platform: 'x' }, 0, 10)).total).toBe(list.filter((e) => e.platform === 'x').length);
  });

  it('stops when its signal is aborted', async () => {
    await store(events(10));
    const ac = new AbortController();
    ac.abort(new Error('typed on'));
    await expect(browseHistory({ platform: 'x' }, 0, 10, { signal: ac.signal })).rejects.toThrow('typed on');
  });
});

describe('allEvents', () => {
  it('returns every event, oldest first', async () => {
    await store(events(25));
    const all = await allEvents();
    expect(all.map(idx)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });
});

describe('browseHistory at scale', () => {
  it('reads a page of 10,000 events', async () => {
    const many = events(10_000);
    await store(many);
    let t0 = performance.now();
    const page = await browseHistory({}, 150, 50);
    const plain = performance.now() - t0;
    t0 = performance.now();
    const filtered = await browseHistory({ platform: 'x' }, 3, 50);
    const scan = performance.now() - t0;
    console.log(`browseHistory on 10,000 (fake-indexeddb): page 150 ${plain.toFixed(0)} ms, filtered ${scan.toFixed(0)} ms`);
    expect(page.total).toBe(10_000);
    expect(page.rows.map(idx)).toEqual(Array.from({ length: 50 }, (_, i) => 10_000 - 1 - 7500 - i));
    expect(filtered.total).toBe(3334);
  });
});
