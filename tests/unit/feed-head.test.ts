import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { _resetFeedDbForTests, feedHead, HEAD_SIZE, loadFeedHeadOf, loadFeedState, pruneFeeds, saveFeedState } from '@/utils/feed/cache';
import type { FeedState } from '@/utils/feed/types';
import { currentItems } from '@/utils/feed/select';
import { ItemSchema } from '@/utils/protocol/feed';

// The popup paints a feed's head (its first current posts) before it reads the whole feed.

const NOW = Date.parse('2026-11-29T03:00:00Z');
const FEED = 'https://pemkab.example/siar/feed.json';

function state(n: number, feedUrl = FEED): FeedState {
  const items = Array.from({ length: n }, (_, i) =>
    ItemSchema.parse({
      id: `pos-${i}`,
      title: `Pos ${i}`,
      date_published: new Date(NOW - i * 3_600_000).toISOString(),
      _siar: {
        priority: i % 7 === 0 ? 'mandatory' : 'normal',
        ...(i % 5 === 0 ? { expires_at: new Date(NOW - 1000).toISOString() } : {}),
      },
    }),
  );
  return { feedUrl, items, dropped: 0, fetchedAt: NOW };
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetFeedDbForTests();
});

describe('feed heads', () => {
  it('hold the first current posts in the popup order, and how many are current', () => {
    const s = state(200);
    const head = feedHead(s, NOW);
    const current = currentItems(s.items, NOW);
    expect(head.items.map((i) => i.id)).toEqual(current.slice(0, HEAD_SIZE).map((i) => i.id));
    expect(head.currentCount).toBe(current.length);
    expect(head.currentCount).toBe(160);
    expect(head.fetchedAt).toBe(NOW);
  });

  it('are saved with their feed, found through a URL still being worked out, and pruned with it', async () => {
    await saveFeedState(state(100), NOW);
    await saveFeedState(state(3, 'https://lain.example/feed.json'), NOW);
    const head = await loadFeedHeadOf(Promise.resolve(FEED));
    expect(head?.items).toHaveLength(HEAD_SIZE);
    expect((await loadFeedState(FEED))?.items).toHaveLength(100);
    expect(await loadFeedHeadOf(Promise.resolve(undefined))).toBeUndefined();
    await pruneFeeds('https://lain.example/feed.json');
    expect(await loadFeedHeadOf(Promise.resolve(FEED))).toBeUndefined();
    expect(await loadFeedState(FEED)).toBeUndefined();
    expect((await loadFeedHeadOf(Promise.resolve('https://lain.example/feed.json')))?.currentCount).toBe(2);
  });

  it('upgrade a v1 cache: its feed stays, with no head until the next save', async () => {
    const v1 = await openDB('siar-feed', 1, { upgrade: (d) => void d.createObjectStore('feeds', { keyPath: 'feedUrl' }) });
    await v1.put('feeds', state(50));
    v1.close();
    expect(await loadFeedHeadOf(Promise.resolve(FEED))).toBeUndefined();
    expect((await loadFeedState(FEED))?.items).toHaveLength(50);
    await saveFeedState(state(50), NOW);
    expect((await loadFeedHeadOf(Promise.resolve(FEED)))?.currentCount).toBe(40);
  });
});
