// Security review (docs/security.md): every runtime message the background takes is checked with
// zod, only our own contexts are heard, a page cannot invent share events, and the main world
// takes one message shape only. The real background entrypoint runs here against WXT's fake
// browser and fake-indexeddb; messages go in through runtime.onMessage like Chrome delivers them.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '@/entrypoints/background';
import { _resetFeedDbForTests, saveFeedState } from '@/utils/feed/cache';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { markSynced } from '@/utils/history/marks';
import { recentEvents } from '@/utils/history/queries';
import { recordShare } from '@/utils/history/record';
import { isInsertRequest, isInsertResult } from '@/utils/insert/bridge';
import { MessageSchema } from '@/utils/messages/table';
import { ItemSchema } from '@/utils/protocol/feed';
import { PLATFORMS } from '@/utils/protocol/platforms';
import { ONE_CLICK_SITES } from '@/utils/sites/registry';

const FEED_URL = 'https://diskominfo.kab-contoh.go.id/siar/feed.json';
/** The first platform one click cannot open a composer for (today WhatsApp, shared by link only). */
const NO_COMPOSER = PLATFORMS.find((p) => p !== 'other' && !ONE_CLICK_SITES.some((s) => s.id === p))!;
const item = ItemSchema.parse({ id: 'apel-asn', title: 'Apel ASN', url: 'https://kab-contoh.go.id/berita/apel' });

type Sender = { id?: string; url?: string; tab?: { id: number }; origin?: string };
const OWN_ID = () => fakeBrowser.runtime.id;
/** An extension page (options, popup): our id, our origin, no tab. */
const page = (): Sender => ({ id: OWN_ID(), url: `chrome-extension://${OWN_ID()}/options.html`, origin: `chrome-extension://${OWN_ID()}` });
/** Our content script on x.com: our id, but a tab and the site's URL. */
const contentScript = (): Sender => ({ id: OWN_ID(), tab: { id: 7 }, url: 'https://x.com/home', origin: 'https://x.com' });

/** Delivers `raw` to the background's onMessage listener as the browser would; its answer. */
async function deliver(raw: unknown, sender: Sender): Promise<unknown> {
  const answers = await fakeBrowser.runtime.onMessage.trigger(raw, sender as Parameters<typeof fakeBrowser.runtime.onMessage.trigger>[1]);
  return answers[0];
}

let tabsCreate: ReturnType<typeof vi.spyOn>;
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
  _resetFeedDbForTests();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  tabsCreate = vi.spyOn(fakeBrowser.tabs, 'create');
  await fakeBrowser.storage.local.set({ settings: { feedUrl: FEED_URL } });
  await saveFeedState({ feedUrl: FEED_URL, items: [item], dropped: 0, fetchedAt: Date.now(), checkedAt: Date.now() });
  (background as { main(): void }).main();
  // Let the background's start-up (alarms, badge, a sync with no enrolment) settle.
  await new Promise((r) => setTimeout(r, 20));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** One synced event (deletable by history/delete) and one pending (never deleted by it). */
async function seedHistory() {
  const synced = await recordShare({ item, feedUrl: FEED_URL, platform: 'x', action: 'posted' });
  await markSynced([synced.id], Date.now());
  await recordShare({ item, feedUrl: FEED_URL, platform: 'x', action: 'inserted' });
  return (await recentEvents(10)).length;
}

// Messages that would do something if they were accepted: delete history, open a tab, sync.
const PRIVILEGED = [
  { type: 'history/delete' },
  { type: 'oneclick/start', itemId: item.id, platform: 'x', variant: 0 },
  { type: 'sync/now' },
  { type: 'settings/changed' },
  { type: 'feed/refresh', force: true },
];

describe('the background hears only our own contexts', () => {
  it('ignores every message from another extension or an unknown sender, with no effect', async () => {
    const before = await seedHistory();
    for (const sender of [{ id: 'hostile-extension-id' }, {}, { id: 'hostile', url: 'https://x.com/', tab: { id: 7 } }]) {
      for (const msg of [...PRIVILEGED, { type: 'share/record', itemId: item.id, platform: 'x', action: 'posted' }]) {
        expect(await deliver(msg, sender)).toBeUndefined();
      }
    }
    expect(tabsCreate).not.toHaveBeenCalled();
    expect(await recentEvents(10)).toHaveLength(before);
  });
});

describe('every runtime message is validated with zod before any handler runs', () => {
  const HOSTILE: [string, unknown][] = [
    ['not an object', 'history/delete'],
    ['null', null],
    ['an array', [{ type: 'history/delete' }]],
    ['no type', { itemId: item.id }],
    ['an unknown type', { type: 'settings/set', feedUrl: 'https://evil.example/feed.json' }],
    ['a prototype key as type', { type: '__proto__' }],
    ['an Object.prototype name as type', { type: 'constructor' }],
    ['feed/refresh without force', { type: 'feed/refresh' }],
    ['feed/refresh with a string for a boolean', { type: 'feed/refresh', force: 'true' }],
    ['share/record with a missing action', { type: 'share/record', itemId: item.id, platform: 'x' }],
    ['share/record with an unknown action', { type: 'share/record', itemId: item.id, platform: 'x', action: 'liked' }],
    ['share/record with an empty item id', { type: 'share/record', itemId: '', platform: 'x', action: 'posted' }],
    ['share/record with a 201-character item id', { type: 'share/record', itemId: 'a'.repeat(201), platform: 'x', action: 'posted' }],
    [
      'share/record with an object for an item id',
      { type: 'share/record', itemId: { toString: 'apel-asn' }, platform: 'x', action: 'posted' },
    ],
    ['share/record with an upper-case platform', { type: 'share/record', itemId: item.id, platform: 'X', action: 'posted' }],
    ['share/record with __proto__ as platform', { type: 'share/record', itemId: item.id, platform: '__proto__', action: 'posted' }],
    ['share/post-url with a javascript: URL', { type: 'share/post-url', eventId: crypto.randomUUID(), postUrl: 'javascript:alert(1)' }],
    [
      'share/post-url with plain http off loopback',
      { type: 'share/post-url', eventId: crypto.randomUUID(), postUrl: 'http://x.com/a/status/1' },
    ],
    [
      'share/post-url with user:password',
      { type: 'share/post-url', eventId: crypto.randomUUID(), postUrl: 'https://u:p@x.com/a/status/1' },
    ],
    [
      'share/post-url with a URL over 2,048 characters',
      { type: 'share/post-url', eventId: crypto.randomUUID(), postUrl: `https://x.com/${'a'.repeat(2040)}` },
    ],
    [
      'share/post-url with an event id that is not a UUID',
      { type: 'share/post-url', eventId: '1 OR 1=1', postUrl: 'https://x.com/a/status/1' },
    ],
    ['oneclick/start on a platform without a composer', { type: 'oneclick/start', itemId: item.id, platform: NO_COMPOSER, variant: 0 }],
    ['oneclick/start with a negative variant', { type: 'oneclick/start', itemId: item.id, platform: 'x', variant: -1 }],
    ['oneclick/start with a fractional variant', { type: 'oneclick/start', itemId: item.id, platform: 'x', variant: 0.5 }],
    ['oneclick/start with a huge variant', { type: 'oneclick/start', itemId: item.id, platform: 'x', variant: 1e9 }],
    ['site/health with an unknown reason', { type: 'site/health', platform: 'x', ok: false, reason: '<img src=x>' }],
    ['panel/items without a platform', { type: 'panel/items' }],
  ];

  it.each(HOSTILE)('refuses %s: bad_message, and no handler runs', async (_name, raw) => {
    const before = await seedHistory();
    expect(MessageSchema.safeParse(raw).success).toBe(false);
    expect(await deliver(raw, page())).toEqual({ ok: false, error: 'bad_message' });
    expect(tabsCreate).not.toHaveBeenCalled();
    expect(await recentEvents(10)).toHaveLength(before);
    expect(warn).toHaveBeenCalledWith('[siar] refused a malformed message', expect.anything());
  });

  it('drops unknown fields: a handler only ever sees the fields of its schema', () => {
    const parsed = MessageSchema.parse({
      type: 'share/record',
      itemId: item.id,
      platform: 'x',
      action: 'posted',
      feedUrl: 'https://evil.example/',
      tabId: 1,
    });
    expect(parsed).toEqual({ type: 'share/record', itemId: item.id, platform: 'x', action: 'posted' });
    const proto = MessageSchema.parse(JSON.parse('{"type":"sync/now","__proto__":{"polluted":1}}'));
    expect(proto).toEqual({ type: 'sync/now' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts the well-formed messages it is meant to', async () => {
    expect(await deliver({ type: 'site/health', platform: 'x', ok: true }, contentScript())).toEqual({ ok: true });
    const panel = (await deliver({ type: 'panel/items', platform: 'x' }, contentScript())) as { items: { id: string }[] };
    expect(panel.items.map((i) => i.id)).toEqual([item.id]);
  });
});

describe('a page cannot invent share events', () => {
  it('records shares only for posts of the current feed', async () => {
    const forged = await deliver({ type: 'share/record', itemId: 'judi-online-777', platform: 'x', action: 'posted' }, contentScript());
    expect(forged).toEqual({ ok: false, error: 'unknown_item' });
    expect(await recentEvents(10)).toHaveLength(0);
    const real = (await deliver({ type: 'share/record', itemId: item.id, platform: 'x', action: 'inserted' }, contentScript())) as {
      ok: boolean;
      eventId: string;
    };
    expect(real.ok).toBe(true);
    expect((await recentEvents(10)).map((e) => [e.id, e.item_id, e.feed_url])).toEqual([[real.eventId, item.id, FEED_URL]]);
  });

  it('a content script names posts, never URLs: the background fetches only pictures of the current feed', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    expect(await deliver({ type: 'image/get', itemId: 'https://intranet.kab-contoh.go.id/' }, contentScript())).toEqual({
      ok: false,
      error: 'no_image',
    });
    expect(await deliver({ type: 'image/get', itemId: item.id }, contentScript())).toEqual({ ok: false, error: 'no_image' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('gives a one-click share only to the tab it was opened for', async () => {
    expect(await deliver({ type: 'oneclick/claim' }, page())).toEqual({});
    expect(await deliver({ type: 'oneclick/claim' }, contentScript())).toEqual({});
  });
});

describe('F6 (fixed): content scripts can send only the messages the composer integration needs', () => {
  // A renderer exploit on x.com or facebook.com runs with our content script's privileges, so
  // the background should take from a sender with a tab only what the content scripts send
  // (panel/items, image/get, share/record, share/post-url, site/*, oneclick/claim|peek|fallback).
  it('refuses history/delete and oneclick/start from a content script', async () => {
    const before = await seedHistory();
    await deliver({ type: 'history/delete' }, contentScript());
    await deliver({ type: 'oneclick/start', itemId: item.id, platform: 'x', variant: 0 }, contentScript());
    expect(await recentEvents(10)).toHaveLength(before);
    expect(tabsCreate).not.toHaveBeenCalled();
  });
});

describe('F9 (fixed): a signed feed vouches for the pictures it names by their hash', () => {
  // The signature covers feed.json's bytes, and so each item's `image` URL, but not the bytes
  // found at that URL later: whoever controls the agency's media host could swap the picture
  // (say, for a gambling banner). Signed feeds carry `_siar.image_sha256` of each picture now.
  it('with a public key set, a picture whose bytes the signed feed does not vouch for is not attached', async () => {
    const key = 'K'.repeat(43);
    const withImage = ItemSchema.parse({ id: 'apel-asn', title: 'Apel ASN', image: 'https://kab-contoh.go.id/media/apel.png' });
    await fakeBrowser.storage.local.set({ settings: { feedUrl: FEED_URL, feedPublicKey: key } });
    await saveFeedState({
      feedUrl: FEED_URL,
      items: [withImage],
      dropped: 0,
      fetchedAt: Date.now(),
      checkedAt: Date.now(),
      verifiedWith: key,
    });
    const swapped = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(swapped, { status: 200, headers: { 'content-type': 'image/png' } }));
    const reply = (await deliver({ type: 'image/get', itemId: withImage.id }, contentScript())) as { ok: boolean };
    expect(reply.ok).toBe(false);
  });

  it('attaches the picture whose bytes match the signed hash, and refuses one that differs', async () => {
    const key = 'K'.repeat(43);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', png)), (b) => b.toString(16).padStart(2, '0')).join('');
    const vouched = ItemSchema.parse({
      id: 'apel-asn',
      title: 'Apel ASN',
      image: 'https://kab-contoh.go.id/media/apel.png',
      _siar: { image_sha256: hex },
    });
    const other = ItemSchema.parse({
      id: 'lain',
      title: 'Lain',
      image: 'https://kab-contoh.go.id/media/lain.png',
      _siar: { image_sha256: 'f'.repeat(64) },
    });
    await fakeBrowser.storage.local.set({ settings: { feedUrl: FEED_URL, feedPublicKey: key } });
    await saveFeedState({
      feedUrl: FEED_URL,
      items: [vouched, other],
      dropped: 0,
      fetchedAt: Date.now(),
      checkedAt: Date.now(),
      verifiedWith: key,
    });
    vi.spyOn(globalThis, 'fetch').mockImplementation(
      async () => new Response(png.slice(), { status: 200, headers: { 'content-type': 'image/png' } }),
    );
    expect(await deliver({ type: 'image/get', itemId: vouched.id }, contentScript())).toMatchObject({ ok: true, type: 'image/png' });
    expect(await deliver({ type: 'image/get', itemId: other.id }, contentScript())).toEqual({ ok: false, error: 'image_mismatch' });
  });
});

describe('the main world takes one message shape: text and picture bytes', () => {
  const ok = { siar: 'insert', id: 'r1', kind: 'draft', target: 't1', text: 'Teks resmi' };
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer;

  it('accepts an insert request of text, or of a picture by a known method', () => {
    expect(isInsertRequest(ok)).toBe(true);
    expect(isInsertRequest({ ...ok, text: undefined, image: { name: 'a.png', type: 'image/png', bytes, method: 'paste' } })).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'insert'],
    ['another tag', { ...ok, siar: 'inserted' }],
    ['an unknown editor kind', { ...ok, kind: 'prosemirror' }],
    ['a number as text', { ...ok, text: 42 }],
    ['a non-string target', { ...ok, target: { toString: () => 'x' } }],
    [
      'picture bytes that are not an ArrayBuffer',
      { ...ok, image: { name: 'a.png', type: 'image/png', bytes: 'iVBORw0', method: 'paste' } },
    ],
    ['an unknown picture method', { ...ok, image: { name: 'a.png', type: 'image/png', bytes, method: 'script' } }],
  ])('refuses %s', (_name, raw) => {
    expect(isInsertRequest(raw)).toBe(false);
  });

  it('reads an answer only with the answer tag, an id and a boolean ok', () => {
    expect(isInsertResult({ siar: 'inserted', id: 'r1', ok: true })).toBe(true);
    expect(isInsertResult({ siar: 'inserted', id: 'r1', ok: 'yes' })).toBe(false);
    expect(isInsertResult({ siar: 'insert', id: 'r1', ok: true })).toBe(false);
  });
});
