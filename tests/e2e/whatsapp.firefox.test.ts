import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { buildDemoFeed } from '../../server/demo/feed';
import type { FixtureApi } from '../fixtures/whatsapp/main';
import { FIREFOX_BUILD, type ExtensionGlobal, type StoredEvent } from './support/extension';
import { startConnectProxy, startFixtureServer, type ConnectProxy, type FixtureServer } from './support/fixture-server';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';
import { feedWithVideos, makeVideo, storeVideo, type VideoPost } from './support/videos';

// WhatsApp Web in Firefox, against the stand-in built with the real Lexical: text into a chat, a
// picture and a video with the text as their caption, Send recorded once, nothing about the chat
// kept or sent.

const BUTTON = 'Sisipkan postingan resmi';
const NIP = '198503152010012078';

let firefox: LaunchedFirefox;
let agency: AgencyServer;
let base: string;
let fixtures: FixtureServer;
let proxy: ConnectProxy;
let extPage: Page;
const wire: string[] = [];
const startedAt = Date.now();

/** A post with a video, once a test has stored one. */
let videoPost: VideoPost | undefined;
function feed(origin: string) {
  const demo = buildDemoFeed({ base: origin, now: startedAt });
  const textOnly = demo.items.find((i) => i.title && (!i._siar?.platforms || i._siar.platforms.includes('whatsapp')))!;
  delete textOnly.image;
  if (videoPost) demo.items.unshift((feedWithVideos(origin, [videoPost], startedAt) as typeof demo).items[0]!);
  return demo;
}
let textTitle: string;
let pictureTitle: string;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  proxy = await startConnectProxy(fixtures.port);
  agency = await createAgencyServer({
    quiet: true,
    demo: true,
    now: startedAt,
    feed: ({ base: origin }) => feed(origin),
    faults: ({ req, shares }) => {
      wire.push(JSON.stringify({ headers: req.headers, url: req.url, shares }));
      return 'ok';
    },
  });
  base = (await agency.listen(0)).base;
  const items = feed(base).items.filter((i) => !i._siar?.platforms || i._siar.platforms.includes('whatsapp'));
  textTitle = items.find((i) => !i.image)!.title!;
  pictureTitle = items.find((i) => i.image)!.title!;
  const res = await fetch(`${base.replace('localhost', '127.0.0.1')}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nip: NIP, name: 'Contoh Pegawai', unit: 'Dinas Komunikasi dan Informatika', code: 'KOMINFO-2026' }),
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };

  firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, proxyPort: proxy.port, lang: 'id' });
  extPage = await firefox.openExtensionPage('options.html');
  await extPage.evaluate(
    async (feedUrl: string, tallyUrl: string, enrolment: object) => {
      const ext = (globalThis as unknown as { browser: ExtensionGlobal }).browser;
      await ext.storage.local.set({ settings: { feedUrl, tallyUrl }, enrolment });
      await ext.runtime.sendMessage({ type: 'settings/changed' });
    },
    `${base}/feed.json`,
    `${base}/`,
    { tallyUrl: `${base}/`, token, member: { nip: NIP, name: 'Contoh Pegawai', unit: 'Dinas Komunikasi dan Informatika' }, at: Date.now() },
  );
});

afterAll(async () => {
  await firefox?.close();
  await proxy?.close();
  await fixtures?.close();
  await agency?.close();
});

function readHistory(): Promise<StoredEvent[]> {
  return extPage.evaluate(
    () =>
      new Promise<StoredEvent[]>((resolve, reject) => {
        const open = indexedDB.open('siar-history');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('events')) return resolve([]);
          const req = db.transaction('events').objectStore('events').getAll();
          req.onsuccess = () => {
            resolve(req.result as StoredEvent[]);
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

async function actionsSince(before: StoredEvent[]): Promise<string[]> {
  return (await readHistory())
    .filter((e) => !before.some((b) => b.id === e.id))
    .map((e) => `${e.platform}/${e.action}`)
    .sort();
}

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const fx = <T>(page: Page, fn: (api: FixtureApi) => T) => page.evaluate(`(${fn.toString()})(window.__fixture)`) as Promise<Awaited<T>>;

async function openChat(name: string): Promise<Page> {
  const page = await firefox.newPage();
  await page.goto('https://web.whatsapp.com/');
  await page.waitForSelector('#pane-side');
  await page.evaluate((n: string) => (window as unknown as { __fixture: FixtureApi }).__fixture.openChat(n), name);
  await page.waitForFunction(
    (label: string) =>
      [...document.querySelectorAll('#main footer siar-composer')].some((h) =>
        h.shadowRoot?.querySelector(`button[aria-label="${label}"]`),
      ),
    { timeout: 20_000 },
    BUTTON,
  );
  return page;
}

/** Clicks our button (a real click, in its open shadow root), then "Sisipkan" on the post titled `title`. */
async function insert(page: Page, title: string): Promise<string> {
  const button = await page.evaluateHandle((label: string) => {
    const host = document.querySelector('#main footer siar-composer')!;
    return host.shadowRoot!.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)!;
  }, BUTTON);
  await (button.asElement() as ElementHandle<Element>).click();
  const findItem = (t: string) =>
    [...document.querySelectorAll('siar-composer')]
      .flatMap((h) => [...(h.shadowRoot?.querySelectorAll('.panel-item') ?? [])])
      .find((el) => el.querySelector('h3, h2, h4')?.textContent === t) ?? null;
  await page.waitForFunction(findItem, { timeout: 20_000 }, title);
  const item = (await page.evaluateHandle(findItem, title)) as ElementHandle<Element>;
  const text = await item.evaluate((el: Element) => el.querySelector('.preview')!.textContent!);
  const insertButton = await item.evaluateHandle((el: Element) => el.querySelector<HTMLButtonElement>('button.insert')!);
  await (insertButton.asElement() as ElementHandle<Element>).click();
  return text;
}

describe('WhatsApp Web (Lexical) in Firefox', () => {
  it('text into a chat, Send → posted once', async () => {
    const page = await openChat('Grup Humas Kabupaten Contoh');
    const before = await readHistory();
    const text = await insert(page, textTitle);
    await until(async () => (await fx(page, (f) => f.getParagraphs().join('\n'))) === text, 'the text in the message box');
    await until(async () => (await actionsSince(before)).join() === 'whatsapp/inserted', 'inserted');
    await page.click('#main footer button[aria-label="Send"]');
    await until(async () => (await fx(page, (f) => f.sent.length)) === 1, 'the message sent');
    await until(async () => (await actionsSince(before)).join() === 'whatsapp/inserted,whatsapp/posted', 'posted');
    // The person's own next message records nothing.
    await page.click('#main footer [contenteditable="true"]');
    await page.keyboard.type('Terima kasih');
    await page.keyboard.press('Enter');
    await until(async () => (await fx(page, (f) => f.sent.length)) === 2, 'the second message sent');
    await new Promise((r) => setTimeout(r, 500));
    expect(await actionsSince(before)).toEqual(['whatsapp/inserted', 'whatsapp/posted']);
    await page.close();
  });

  it('a picture with the text as its caption, sent from the media preview → posted once', async () => {
    const page = await openChat('Budi Santoso');
    const before = await readHistory();
    const text = await insert(page, pictureTitle);
    await until(async () => (await fx(page, (f) => f.getParagraphs('caption').join('\n'))) === text, 'the caption');
    expect(await fx(page, (f) => f.previewFiles().map((x) => x.type))).toEqual(['image/png']);
    expect(await fx(page, (f) => f.getText('composer'))).toBe('');
    await page.click('.media-drawer [aria-label="Send"]');
    await until(async () => (await fx(page, (f) => f.sent.length)) === 1, 'the picture sent');
    const sent = await fx(page, (f) => f.sent[0]!);
    expect(sent.files).toHaveLength(1);
    expect(sent.paragraphs.join('\n')).toBe(text);
    await until(async () => (await actionsSince(before)).join() === 'whatsapp/inserted,whatsapp/posted', 'posted');
    await page.close();
  });

  it('a video with the text as its caption (its bytes through the background, hash checked) → posted once', async () => {
    const made = await makeVideo(3);
    try {
      videoPost = { id: 'video-wa', title: 'Video peresmian pasar rakyat', video: await storeVideo(agency, base, made.file) };
    } finally {
      await made.remove();
    }
    await extPage.evaluate(() =>
      (globalThis as unknown as { browser: ExtensionGlobal }).browser.runtime.sendMessage({ type: 'feed/refresh', force: true }),
    );
    const page = await openChat('Budi Santoso');
    const before = await readHistory();
    const text = await insert(page, videoPost.title);
    await until(async () => (await fx(page, (f) => f.getParagraphs('caption').join('\n'))) === text, 'the caption');
    expect(await fx(page, (f) => f.previewFiles().map((x) => x.type))).toEqual(['video/mp4']);
    expect(await fx(page, (f) => f.previewFiles()[0]!.size)).toBe(videoPost.video.bytes);
    await page.click('.media-drawer [aria-label="Send"]');
    await until(async () => (await fx(page, (f) => f.sent.length)) === 1, 'the video sent');
    expect((await fx(page, (f) => f.sent[0]!)).paragraphs.join('\n')).toBe(text);
    await until(async () => (await actionsSince(before)).join() === 'whatsapp/inserted,whatsapp/posted', 'posted');
    await page.close();
  });

  it('keeps nothing about the chat: not in the extension storage, IndexedDB, or what reaches the tally', async () => {
    await extPage.evaluate(() => (globalThis as unknown as { browser: ExtensionGlobal }).browser.runtime.sendMessage({ type: 'sync/now' }));
    await until(
      async () => Number((await agency.db.get<{ n: number }>("select count(*) n from shares where platform = 'whatsapp'"))!.n) >= 4,
      'the events at the tally',
      30_000,
    );
    const stored = await extPage.evaluate(async () => {
      const ext = (globalThis as unknown as { browser: { storage: Record<string, { get(k: null): Promise<unknown> }> } }).browser;
      const out: Record<string, unknown> = {};
      for (const area of ['local', 'session', 'sync']) out[area] = await ext.storage[area]!.get(null);
      for (const name of ['siar-history', 'siar-feed']) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open(name);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        for (const store of db.objectStoreNames)
          out[`${name}/${store}`] = await new Promise((resolve, reject) => {
            const r = db.transaction(store).objectStore(store).getAll();
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
        db.close();
      }
      return JSON.stringify(out);
    });
    const rows = JSON.stringify(await agency.db.all('select * from shares'));
    const page = await firefox.newPage();
    await page.goto('https://web.whatsapp.com/');
    await page.waitForSelector('#pane-side');
    const chats = await fx(page, (f) => f.chats);
    await page.close();
    expect(stored).toContain('whatsapp');
    expect(wire.join('\n')).toContain('"platform":"whatsapp"');
    for (const w of chats.flatMap((c) => [c.name, ...(c.members ? [c.members] : [])])) {
      expect(stored.includes(w), `"${w}" in the extension's storage`).toBe(false);
      expect(wire.join('\n').includes(w), `"${w}" sent to the tally`).toBe(false);
      expect(rows.includes(w), `"${w}" in the tally's rows`).toBe(false);
    }
  });
});
