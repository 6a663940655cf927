// The background forgets cached feeds of addresses no longer in force: when the settings (or the
// agency's policy) change, and daily. The real background runs against WXT's fake browser and
// fake-indexeddb.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '@/entrypoints/background';
import { _resetFeedDbForTests, loadFeedHeadOf, loadFeedState, saveFeedState } from '@/utils/feed/cache';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { ItemSchema } from '@/utils/protocol/feed';

const OLD = 'https://lama.kab-contoh.go.id/siar/feed.json';
const NEW = 'https://diskominfo.kab-contoh.go.id/siar/feed.json';
const item = ItemSchema.parse({ id: 'apel-asn', title: 'Apel ASN' });
const page = () => ({ id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/options.html` });

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
  _resetFeedDbForTests();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  // No host permission in the fake browser: a refresh records why and keeps the cached copy.
  vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false);
  for (const feedUrl of [OLD, NEW])
    await saveFeedState({ feedUrl, items: [item], dropped: 0, fetchedAt: Date.now(), checkedAt: Date.now() });
  await fakeBrowser.storage.local.set({ settings: { feedUrl: NEW } });
  (background as { main(): void }).main();
  await new Promise((r) => setTimeout(r, 20));
});
afterEach(() => vi.restoreAllMocks());

describe('the feed cache keeps the feed in force only', () => {
  it('after the settings changed', async () => {
    expect(await loadFeedState(OLD)).toBeDefined();
    await fakeBrowser.runtime.onMessage.trigger({ type: 'settings/changed' }, page() as never);
    expect(await loadFeedState(OLD)).toBeUndefined();
    expect(await loadFeedHeadOf(Promise.resolve(OLD))).toBeUndefined();
    expect((await loadFeedState(NEW))?.items.map((i) => i.id)).toEqual(['apel-asn']);
    expect(await loadFeedHeadOf(Promise.resolve(NEW))).toBeDefined();
  });

  it('daily', async () => {
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'siar-retention', scheduledTime: Date.now() });
    expect(await loadFeedState(OLD)).toBeUndefined();
    expect(await loadFeedState(NEW)).toBeDefined();
  });
});
