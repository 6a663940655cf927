import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFor } from '@/utils/compose';
import { ItemSchema } from '@/utils/protocol/feed';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { buildDemoFeed } from '../../server/demo/feed';
import type { FixtureApi } from '../fixtures/whatsapp/main';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, type ExtensionGlobal, type StoredEvent } from './support/extension';
import { startFixtureServer, type FixtureServer } from './support/fixture-server';
import { feedWithVideos, makeVideo, storeVideo, type VideoPost } from './support/videos';

// WhatsApp Web, the third composer site, in Chromium against the stand-in built with the real
// Lexical (tests/fixtures/whatsapp): text into a chat, a picture with the text as its caption,
// Send recorded once, a video with the text as its caption, and nothing about the chat anywhere
// in the extension or at the tally.

const BUTTON = 'Sisipkan postingan resmi';
const FOOTER = '#main footer';
const NIP = '198503152010012077';

let browser: LaunchedChromium;
let agency: AgencyServer;
let base: string;
let fixtures: FixtureServer;
let extPage: Page;
/** Every batch of shares that reached the tally, with its request headers, as sent. */
const wire: string[] = [];

const startedAt = Date.now();
/** A post with a video, once a test has stored one. */
let videoPost: VideoPost | undefined;
/** The demo feed, with one of WhatsApp's posts made text-only (and the video post first, once there is one). */
function feed(origin: string) {
  const demo = buildDemoFeed({ base: origin, now: startedAt });
  const forWa = demo.items.filter((i) => !i._siar?.platforms || i._siar.platforms.includes('whatsapp'));
  const textOnly = forWa.find((i) => i.title)!;
  delete textOnly.image;
  if (videoPost) demo.items.unshift((feedWithVideos(origin, [videoPost], startedAt) as typeof demo).items[0]!);
  return demo;
}
let textTitle: string;
let pictureTitle: string;

beforeAll(async () => {
  fixtures = await startFixtureServer();
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

  browser = await launchChromium({ extensionDir: CHROME_BUILD, fixturePort: fixtures.port, lang: 'id' });
  extPage = await browser.context.newPage();
  await extPage.goto(`${browser.extensionBase}/options.html`);
  await extPage.evaluate(
    async ({ feedUrl, tallyUrl, enrolment }) => {
      const chrome = (globalThis as unknown as { chrome: ExtensionGlobal }).chrome;
      await chrome.storage.local.set({ settings: { feedUrl, tallyUrl }, enrolment });
      await chrome.runtime.sendMessage({ type: 'settings/changed' });
    },
    {
      feedUrl: `${base}/feed.json`,
      tallyUrl: `${base}/`,
      enrolment: {
        tallyUrl: `${base}/`,
        token,
        member: { nip: NIP, name: 'Contoh Pegawai', unit: 'Dinas Komunikasi dan Informatika' },
        at: Date.now(),
      },
    },
  );
});

afterAll(async () => {
  await browser?.close();
  await agency?.close();
  await fixtures?.close();
});

async function newEvents(before: StoredEvent[]): Promise<StoredEvent[]> {
  return (await readHistory(extPage)).filter((e) => !before.some((b) => b.id === e.id));
}

/** WhatsApp Web with the chat `name` open and Siar's button beside its message box. */
async function openChat(name: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto('https://web.whatsapp.com/');
  await page.locator('#pane-side').getByText(name, { exact: true }).click();
  await page.locator(FOOTER).getByRole('button', { name: BUTTON }).waitFor();
  return page;
}

/** Opens the panel from the button beside the message box and inserts the post titled `title`. */
async function insert(page: Page, title: string): Promise<string> {
  await page.locator(FOOTER).getByRole('button', { name: BUTTON }).click();
  const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
  const item = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
  const text = (await item.getByLabel('Teks yang dibagikan').textContent())!;
  await item.getByRole('button', { name: 'Sisipkan' }).click();
  await panel.waitFor({ state: 'detached' });
  return text;
}

const fx = <T>(page: Page, fn: (api: FixtureApi) => T) => page.evaluate(`(${fn.toString()})(window.__fixture)`) as Promise<Awaited<T>>;

describe('WhatsApp Web (Lexical) in Chromium', () => {
  it('puts the button beside the message box of an open chat, and nowhere else', async () => {
    const page = await openChat('Grup Humas Kabupaten Contoh');
    // The chat search and the caption box are Lexical too; only the message box gets a button.
    expect(await page.getByRole('button', { name: BUTTON }).count()).toBe(1);
    expect(await page.locator('#side siar-composer').count()).toBe(0);
    // Another chat: the new message box gets it.
    await page.locator('#pane-side').getByText('Budi Santoso', { exact: true }).click();
    await expect.poll(() => fx(page, (f) => f.openChatName())).toBe('Budi Santoso');
    await page.locator(FOOTER).getByRole('button', { name: BUTTON }).waitFor();
    expect(await page.getByRole('button', { name: BUTTON }).count()).toBe(1);
    await page.close();
  });

  it('text into a group chat through Lexical, Send → posted once', async () => {
    const page = await openChat('Grup Humas Kabupaten Contoh');
    const before = await readHistory(extPage);
    const text = await insert(page, textTitle);
    expect(text.length).toBeGreaterThan(20);
    await expect.poll(() => fx(page, (f) => f.getParagraphs().join('\n'))).toBe(text);
    expect(await fx(page, (f) => f.previewOpen())).toBe(false);
    await expect.poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}`)).toEqual(['whatsapp/inserted']);

    await page.locator(FOOTER).getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => fx(page, (f) => f.sent.length)).toBe(1);
    expect(await fx(page, (f) => f.sent[0]!.paragraphs.join('\n'))).toBe(text);
    await expect
      .poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}`).sort())
      .toEqual(['whatsapp/inserted', 'whatsapp/posted']);

    // A message the person types and sends afterwards is theirs: nothing more is recorded.
    await page.locator(`${FOOTER} [contenteditable="true"]`).click();
    await page.keyboard.type('Terima kasih');
    await page.keyboard.press('Enter');
    await expect.poll(() => fx(page, (f) => f.sent.length)).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect((await newEvents(before)).filter((e) => e.action === 'posted')).toHaveLength(1);
    await page.close();
  });

  it('a picture goes through the media preview with the text as its caption; Enter sends it → posted once', async () => {
    const page = await openChat('Budi Santoso');
    const before = await readHistory(extPage);
    const text = await insert(page, pictureTitle);
    await expect.poll(() => fx(page, (f) => f.previewOpen())).toBe(true);
    expect(await fx(page, (f) => f.previewFiles().map((x) => x.type))).toEqual(['image/png']);
    await expect.poll(() => fx(page, (f) => f.getParagraphs('caption').join('\n'))).toBe(text);
    // The message box itself stays empty: the text is the picture's caption.
    expect(await fx(page, (f) => f.getText('composer'))).toBe('');
    await expect.poll(async () => (await newEvents(before)).map((e) => e.action)).toEqual(['inserted']);

    // The caption box has focus; the person presses Enter, as on WhatsApp.
    await page.locator('[aria-label="Add a caption"]').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await expect.poll(() => fx(page, (f) => f.sent.length)).toBe(1);
    const sent = await fx(page, (f) => f.sent[0]!);
    expect(sent.paragraphs.join('\n')).toBe(text);
    expect(sent.files).toHaveLength(1);
    expect(await fx(page, (f) => f.previewOpen())).toBe(false);
    await expect
      .poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}`).sort())
      .toEqual(['whatsapp/inserted', 'whatsapp/posted']);
    await page.close();
  });

  it('a picture attached through the attach menu also gets the caption (the file input, when paste is not taken)', async () => {
    const page = await openChat('Pengumuman ASN Dinas Kominfo');
    // The page swallows synthetic pastes and drops, as a changed site might: the attach menu's input remains.
    await page.evaluate(() => {
      const swallow = (e: Event) => {
        const files = (e as ClipboardEvent).clipboardData?.files ?? (e as DragEvent).dataTransfer?.files;
        if (!e.isTrusted && files && files.length > 0) e.stopImmediatePropagation();
      };
      for (const type of ['paste', 'dragenter', 'dragover', 'drop']) window.addEventListener(type, swallow, true);
    });
    const text = await insert(page, pictureTitle);
    await expect.poll(() => fx(page, (f) => f.previewFiles().length)).toBe(1);
    await expect.poll(() => fx(page, (f) => f.getParagraphs('caption').join('\n'))).toBe(text);
    await page.close();
  });

  it('keeps nothing about the chat: not in the extension storage, IndexedDB, or what reaches the tally', async () => {
    await extPage.evaluate(() => (globalThis as unknown as { chrome: ExtensionGlobal }).chrome.runtime.sendMessage({ type: 'sync/now' }));
    await expect
      .poll(async () => Number((await agency.db.get<{ n: number }>("select count(*) n from shares where platform = 'whatsapp'"))!.n), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(5);
    const stored = await extPage.evaluate(async () => {
      const chrome = globalThis as unknown as {
        chrome: { storage: Record<'local' | 'session' | 'sync', { get(k: null): Promise<unknown> }> };
      };
      const out: Record<string, unknown> = {};
      for (const area of ['local', 'session', 'sync'] as const) out[area] = await chrome.chrome.storage[area].get(null);
      for (const { name } of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open(name!);
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
    const chats = (await (async () => {
      const page = await browser.context.newPage();
      await page.goto('https://web.whatsapp.com/');
      const c = await fx(page, (f) => f.chats);
      await page.close();
      return c;
    })()) as FixtureApi['chats'];
    // What is checked is real: the events are there, with their posts.
    expect(stored).toContain('whatsapp');
    expect(wire.join('\n')).toContain('"platform":"whatsapp"');
    const words = chats.flatMap((c) => [c.name, ...(c.members ? [c.members] : [])]);
    for (const w of words) {
      expect(stored.includes(w), `"${w}" in the extension's storage`).toBe(false);
      expect(wire.join('\n').includes(w), `"${w}" sent to the tally`).toBe(false);
      expect(rows.includes(w), `"${w}" in the tally's rows`).toBe(false);
    }
    // Nothing says what kind of chat it was either.
    for (const kind of ['group', 'person', 'announcement', '"chat']) expect(wire.join('\n').toLowerCase().includes(kind), kind).toBe(false);
  });
});

describe('a video on WhatsApp Web (Chromium)', () => {
  it('goes through the media preview with the text as its caption, its hash checked; Enter sends it → posted once', async () => {
    const made = await makeVideo(3);
    try {
      videoPost = { id: 'video-wa', title: 'Video peresmian pasar rakyat', video: await storeVideo(agency, base, made.file) };
    } finally {
      await made.remove();
    }
    await extPage.evaluate(async () => {
      await (globalThis as unknown as { chrome: ExtensionGlobal }).chrome.runtime.sendMessage({ type: 'feed/refresh', force: true });
    });
    const page = await openChat('Budi Santoso');
    const before = await readHistory(extPage);
    const text = await insert(page, videoPost.title);
    await expect.poll(() => fx(page, (f) => f.previewOpen())).toBe(true);
    expect(await fx(page, (f) => f.previewFiles().map((x) => x.type))).toEqual(['video/mp4']);
    expect(await fx(page, (f) => f.previewFiles()[0]!.size)).toBe(videoPost.video.bytes);
    await expect.poll(() => fx(page, (f) => f.getParagraphs('caption').join('\n'))).toBe(text);
    expect(await fx(page, (f) => f.getText('composer'))).toBe('');
    await expect.poll(async () => (await newEvents(before)).map((e) => e.action)).toEqual(['inserted']);

    await page.locator('[aria-label="Add a caption"]').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await expect.poll(() => fx(page, (f) => f.sent.length)).toBe(1);
    const sent = await fx(page, (f) => f.sent[0]!);
    expect(sent.paragraphs.join('\n')).toBe(text);
    expect(sent.files).toHaveLength(1);
    await expect
      .poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}`).sort())
      .toEqual(['whatsapp/inserted', 'whatsapp/posted']);
    await page.close();
  });
});

describe("the popup's WhatsApp button", () => {
  /** The popup, and its first post that can go to WhatsApp. */
  async function popupPost(): Promise<{ popup: Page; card: ReturnType<Page['locator']>; itemId: string; variants: string[] }> {
    const popup = await browser.context.newPage();
    await popup.goto(`${browser.extensionBase}/popup.html`);
    const card = popup
      .getByRole('article')
      .filter({ has: popup.getByRole('button', { name: 'Bagikan ke WhatsApp' }) })
      .first();
    await card.waitFor();
    const itemId = (await card.getAttribute('data-item-id'))!;
    const item = ItemSchema.parse(feed(base).items.find((i) => i.id === itemId));
    return { popup, card, itemId, variants: Array.from({ length: 5 }, (_, v) => composeFor(item, 'whatsapp', v).text) };
  }

  it('with WhatsApp Web open and logged in, opens its chat picker there with the post; the chat picked gets it', async () => {
    const wa = await browser.context.newPage();
    await wa.goto('https://web.whatsapp.com/');
    await wa.locator('#pane-side').waitFor();
    const before = await readHistory(extPage);
    const pages = browser.context.pages().length;
    const { popup, card, itemId, variants } = await popupPost();
    await card.getByRole('button', { name: 'Bagikan ke WhatsApp' }).click();
    await wa.waitForURL(/^https:\/\/web\.whatsapp\.com\/send\?text=/);
    expect(variants).toContain(new URL(wa.url()).searchParams.get('text'));
    const text = new URL(wa.url()).searchParams.get('text')!;
    const picker = wa.getByRole('dialog', { name: 'Send message to' });
    await picker.getByRole('listitem').filter({ hasText: 'Budi Santoso' }).click();
    await expect.poll(() => fx(wa, (f) => f.getParagraphs().join('\n'))).toBe(text);
    // The tab that was open took it: no new tab, no wa.me.
    expect(browser.context.pages().length).toBe(pages + 1);
    expect(browser.context.pages().some((p) => p.url().startsWith('https://wa.me/'))).toBe(false);
    await expect
      .poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}/${e.item_id}`))
      .toEqual([`whatsapp/intent_opened/${itemId}`]);
    await popup.close();
    await wa.close();
  });

  it('with WhatsApp Web open but logged out, that tab falls back to wa.me, recorded once', async () => {
    await browser.context.addCookies([{ name: 'fixture_logged_out', value: '1', domain: 'web.whatsapp.com', path: '/', secure: true }]);
    try {
      const wa = await browser.context.newPage();
      await wa.goto('https://web.whatsapp.com/');
      await wa.locator('canvas[aria-label*="QR"]').waitFor();
      const before = await readHistory(extPage);
      const { popup, card, itemId, variants } = await popupPost();
      const [request] = await Promise.all([
        browser.context.waitForEvent('request', { predicate: (r) => r.url().startsWith('https://wa.me/'), timeout: 20_000 }),
        card.getByRole('button', { name: 'Bagikan ke WhatsApp' }).click(),
      ]);
      expect(request.frame().page()).toBe(wa);
      expect(variants).toContain(new URL(request.url()).searchParams.get('text'));
      await new Promise((r) => setTimeout(r, 500));
      expect((await newEvents(before)).map((e) => `${e.platform}/${e.action}/${e.item_id}`)).toEqual([`whatsapp/intent_opened/${itemId}`]);
      await popup.close();
      await wa.close();
    } finally {
      await browser.context.clearCookies({ name: 'fixture_logged_out' });
    }
  });

  it('with no WhatsApp Web tab, opens wa.me as before', async () => {
    for (const p of browser.context.pages()) if (p.url().startsWith('https://web.whatsapp.com/')) await p.close();
    const { popup, card } = await popupPost();
    const [request] = await Promise.all([
      browser.context.waitForEvent('request', { predicate: (r) => r.url().startsWith('https://wa.me/') }),
      card.getByRole('button', { name: 'Bagikan ke WhatsApp' }).click(),
    ]);
    expect(request.url()).toMatch(/^https:\/\/wa\.me\/\?text=/);
    await request.frame().page().close();
    await popup.close();
  });
});

describe('site health in the options page, for WhatsApp Web as for X and Facebook', () => {
  it('shows when an insert last verified on WhatsApp Web, and an insert the message box did not take', async () => {
    const page = await openChat('Budi Santoso');
    // The page swallows every synthetic paste and input before Lexical sees it, as a changed
    // WhatsApp Web might (the X test's way of making an editor that does not take the insert).
    await page.evaluate(() => {
      for (const type of ['paste', 'beforeinput', 'drop'])
        window.addEventListener(
          type,
          (e) => {
            if (!e.isTrusted) e.stopImmediatePropagation();
          },
          true,
        );
      document.execCommand = () => false;
    });
    const before = await readHistory(extPage);
    await page.locator(FOOTER).getByRole('button', { name: BUTTON }).click();
    const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
    const item = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: textTitle }) });
    await item.getByRole('button', { name: 'Sisipkan' }).click();
    await panel.getByText('Tersalin — tempelkan ke kotak postingan').waitFor({ timeout: 20_000 });
    expect(await fx(page, (f) => f.getParagraphs().join(''))).toBe('');
    await expect.poll(async () => (await newEvents(before)).map((e) => `${e.platform}/${e.action}`)).toEqual(['whatsapp/copied']);
    await page.close();

    const options = await browser.context.newPage();
    await options.goto(`${browser.extensionBase}/options.html`);
    await options.getByText('Lanjutan', { exact: true }).click();
    // The inserts above verified; this one did not, and is the last.
    const line = options.locator('.site-health li').filter({ hasText: /^WhatsApp: / });
    await expect
      .poll(() => line.textContent())
      .toMatch(/^WhatsApp: terakhir berhasil menyisipkan .* · WhatsApp: gagal .* — isinya tidak masuk ke kotak postingan$/);
    expect(await line.getAttribute('class')).toBe('status-error');
    await options.close();
  });
});
