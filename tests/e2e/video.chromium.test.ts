// A post's video, end to end in Chromium: the agency stores MP4s made by ffmpeg, the feed names
// them, and one click puts text and video into X's composers (home, modal, reply, the popup's
// one click) and Facebook's dialog, checked against the feed's SHA-256 before the page gets a
// byte. A wrong hash, a missing file and X's 140-second rule leave the text in, say why in the
// panel, and log it. The popup shows the poster and saves the video ("Unduh video").
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, startAgency, useFeed, type StoredEvent } from './support/extension';
import { FB, X, type FacebookWindow, type XWindow } from './support/fixture-api';
import { startFixtureServer, type FixtureServer } from './support/fixture-server';
import { feedWithVideos, makeVideo, sha256, storeVideo, type StoredVideo } from './support/videos';

let browser: LaunchedChromium;
let agency: Awaited<ReturnType<typeof startAgency>>;
let fixtures: FixtureServer;
let extPage: Page;
let clip: StoredVideo;
let long: StoredVideo;
const logs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

const BUTTON = 'Sisipkan postingan resmi';
const TITLES = {
  ok: 'Video peresmian pasar rakyat',
  mismatch: 'Video yang tertukar',
  missing: 'Video yang hilang',
  long: 'Video kampanye panjang',
} as const;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  agency = await startAgency();
  const base = new URL(agency.feedUrl).origin;
  const [a, b] = await Promise.all([makeVideo(3), makeVideo(150, 1)]);
  cleanups.push(a.remove, b.remove);
  clip = await storeVideo(agency.agency, base, a.file);
  long = await storeVideo(agency.agency, base, b.file);
  agency.feed.body = feedWithVideos(base, [
    { id: 'video-ok', title: TITLES.ok, video: clip },
    { id: 'video-mismatch', title: TITLES.mismatch, video: clip, feedSays: { sha256: 'f'.repeat(64) } },
    { id: 'video-missing', title: TITLES.missing, video: clip, feedSays: { url: `${base}/media/aaaaaaaaaaaaaaaa.mp4` } },
    { id: 'video-long', title: TITLES.long, video: long },
  ]);
  browser = await launchChromium({ extensionDir: CHROME_BUILD, fixturePort: fixtures.port, lang: 'id' });
  browser.context.on('page', (p) => p.on('console', (m) => logs.push(m.text())));
  extPage = await browser.context.newPage();
  await extPage.goto(`${browser.extensionBase}/options.html`);
  await useFeed(extPage, agency.feedUrl);
});

afterAll(async () => {
  await browser?.close();
  await agency?.agency.close();
  await fixtures?.close();
  for (const c of cleanups) await c();
});

async function newEvents(before: StoredEvent[]): Promise<StoredEvent[]> {
  const all = await readHistory(extPage);
  return all.filter((e) => !before.some((b) => b.id === e.id));
}

/** Opens the panel from the composer's button within `scope`, checks the post's poster, and inserts it. */
async function insertVideoPost(page: Page, scope: string, title: string): Promise<{ text: string; panel: Locator }> {
  await page.locator(scope).getByRole('button', { name: BUTTON }).click();
  const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
  const item = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  await item.waitFor();
  // The poster: one image named as a video with its length, and the download button.
  await expect(item.getByRole('img', { name: /^Video, / }).count()).resolves.toBe(1);
  await expect(item.getByRole('button', { name: 'Unduh video' }).count()).resolves.toBe(1);
  const text = (await item.getByLabel('Teks yang dibagikan').textContent())!;
  await item.getByRole('button', { name: 'Sisipkan', exact: true }).click();
  return { text, panel };
}

const xFiles = (page: Page, which: number | string = 0) =>
  page.evaluate((w) => {
    const api = (window as unknown as XWindow).__fixture;
    return api.attachmentFiles(typeof w === 'string' ? document.querySelector<HTMLElement>(w)! : w);
  }, which);

describe('X with a video (Chromium)', () => {
  it('home: text and the checked video go in, Post waits for the upload, posted with its post URL', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://x.com/home');
    const inline = '[data-testid="primaryColumn"]';
    const before = await readHistory(extPage);
    const { text, panel } = await insertVideoPost(page, inline, TITLES.ok);
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.getText(0))).toBe(text);
    expect(text).toContain(TITLES.ok);
    // The page got the whole file: X's stand-in read it and hashed it.
    await expect
      .poll(() => xFiles(page))
      .toEqual([{ name: expect.stringMatching(/\.mp4$/), type: 'video/mp4', size: clip.bytes, sha256: clip.sha256 }]);
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.isPostEnabled(0))).toBe(true);
    expect(logs.some((l) => l.includes('[siar] video attached by'))).toBe(true);

    await page.locator(X.inlinePost).click();
    await page.locator(X.toast).waitFor();
    const posted = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts.at(-1));
    expect(posted?.text).toBe(text);
    expect(posted?.files.map((f) => f.sha256)).toEqual([clip.sha256]);
    await expect
      .poll(async () => (await newEvents(before)).find((e) => e.action === 'posted')?.post_url)
      .toMatch(/^https:\/\/x\.com\/[^/]+\/status\/\d+$/);
    expect((await newEvents(before)).map((e) => [e.item_id, e.action]).sort()).toEqual([
      ['video-ok', 'inserted'],
      ['video-ok', 'posted'],
    ]);
    await page.close();
  });

  it('modal composer and a reply: the video goes in too', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://x.com/home');
    await page.locator(X.sideNavPost).click();
    await insertVideoPost(page, '[role="dialog"]', TITLES.ok);
    await expect.poll(() => xFiles(page, X.dialogEditor)).toEqual([expect.objectContaining({ type: 'video/mp4', sha256: clip.sha256 })]);
    await page.locator(X.modalPost).click();
    await page.locator('[role="dialog"]').waitFor({ state: 'detached' });

    await page.goto('https://x.com/siar_demo/status/123');
    await insertVideoPost(page, 'body', TITLES.ok);
    await expect.poll(() => xFiles(page)).toEqual([expect.objectContaining({ type: 'video/mp4', sha256: clip.sha256 })]);
    await page.close();
  });

  it('one click from the popup: the composer page opens with text and video', async () => {
    const popup = await browser.context.newPage();
    await popup.goto(`${browser.extensionBase}/popup.html`);
    const card = popup.locator('article[data-item-id="video-ok"]');
    await card.waitFor();
    const [tab] = await Promise.all([browser.context.waitForEvent('page'), card.getByRole('button', { name: 'Bagikan ke X' }).click()]);
    await tab.bringToFront();
    await tab.waitForURL('https://x.com/compose/post');
    await expect
      .poll(
        () =>
          tab.evaluate(
            (sel) =>
              document.querySelector(sel)
                ? (window as unknown as XWindow).__fixture.attachmentFiles(document.querySelector<HTMLElement>(sel)!)
                : [],
            X.dialogEditor,
          ),
        {
          timeout: 20_000,
        },
      )
      .toEqual([expect.objectContaining({ type: 'video/mp4', sha256: clip.sha256 })]);
    expect(
      await tab.evaluate((sel) => (window as unknown as XWindow).__fixture.getText(document.querySelector(sel)!), X.dialogEditor),
    ).toContain(TITLES.ok);
    await tab.close();
    await popup.close();
  });

  it('a video whose bytes are not the signed ones: text in, no video, the panel says why, logged', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://x.com/home');
    const { text, panel } = await insertVideoPost(page, '[data-testid="primaryColumn"]', TITLES.mismatch);
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe(
      'Video tidak dilampirkan: isinya tidak sama dengan yang ditandatangani instansi. Teksnya sudah tersisip.',
    );
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.getText(0))).toBe(text);
    expect(await xFiles(page)).toEqual([]);
    expect(logs.some((l) => l.startsWith('[siar] video not attached: mismatch'))).toBe(true);
    await page.close();
  });

  it('longer than 140 s: text and link only, and the panel says why (the video is not even fetched)', async () => {
    const page = await browser.context.newPage();
    const fetched: string[] = [];
    page.on('request', (r) => void (r.url() === long.url && fetched.push(r.url())));
    await page.goto('https://x.com/home');
    const { text, panel } = await insertVideoPost(page, '[data-testid="primaryColumn"]', TITLES.long);
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe(
      'Video lebih dari 140 detik, batas situs ini untuk akun biasa: teks dan tautannya sudah tersisip tanpa video.',
    );
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.getText(0))).toBe(text);
    expect(text).toContain('/berita/video-long');
    expect(await xFiles(page)).toEqual([]);
    expect(fetched).toEqual([]);
    await page.close();
  });
});

describe('Facebook with a video (Chromium)', () => {
  it('dialog: text and the checked video go in; Post → posted', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.facebook.com/');
    await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.openComposer());
    const before = await readHistory(extPage);
    const { panel } = await insertVideoPost(page, FB.dialog, TITLES.ok);
    await panel.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachmentFiles()))
      .toEqual([expect.objectContaining({ type: 'video/mp4', size: clip.bytes, sha256: clip.sha256 })]);
    expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText())).toContain(TITLES.ok);
    await expect.poll(() => page.evaluate(() => (window as unknown as FacebookWindow).__fixture.isPostEnabled())).toBe(true);
    await page.locator(FB.post).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as FacebookWindow).__fixture.dialogOpen())).toBe(false);
    const posted = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.posts.at(-1));
    expect(posted?.files.map((f) => f.sha256)).toEqual([clip.sha256]);
    await expect.poll(async () => (await newEvents(before)).map((e) => e.action).sort()).toEqual(['inserted', 'posted']);
    await page.close();
  });

  it('a video the agency no longer has (404): text in, nothing attached, the panel says so', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.facebook.com/');
    await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.openComposer());
    const { panel } = await insertVideoPost(page, FB.dialog, TITLES.missing);
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe(
      'Video tidak ditemukan di server instansi; teksnya sudah tersisip tanpa video.',
    );
    await expect.poll(() => page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText())).toContain(TITLES.missing);
    expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachments())).toBe(0);
    expect(logs.some((l) => l.startsWith('[siar] video not attached: not_found'))).toBe(true);
    await page.close();
  });
});

describe('"Unduh video" in the composer panel', () => {
  it('saves the checked file from the page of x.com', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://x.com/home');
    await page.locator('[data-testid="primaryColumn"]').getByRole('button', { name: BUTTON }).click();
    const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
    const item = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: TITLES.ok, exact: true }) });
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('button', { name: 'Unduh video' }).click()]);
    const saved = await readFile((await download.path())!);
    expect(sha256(saved)).toBe(clip.sha256);
    // Nothing went into the composer.
    expect(await xFiles(page)).toEqual([]);
    await page.close();
  });
});

describe('the popup', () => {
  it('shows the poster as a video with its length, and "Unduh video" saves the checked file', async () => {
    const popup = await browser.context.newPage();
    await popup.goto(`${browser.extensionBase}/popup.html`);
    const card = popup.locator('article[data-item-id="video-ok"]');
    await card.waitFor();
    expect(await card.getByRole('img', { name: 'Video, 3 detik' }).count()).toBe(1);
    const [download] = await Promise.all([popup.waitForEvent('download'), card.getByRole('button', { name: 'Unduh video' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    const saved = await readFile((await download.path())!);
    expect(saved.length).toBe(clip.bytes);
    expect(sha256(saved)).toBe(clip.sha256);

    // A mismatching video is not saved; the popup says why.
    const bad = popup.locator('article[data-item-id="video-mismatch"]');
    await bad.getByRole('button', { name: 'Unduh video' }).click();
    await popup.getByRole('alert').waitFor();
    expect(await popup.getByRole('alert').textContent()).toBe(
      'Video tidak disimpan: isinya tidak sama dengan yang ditandatangani instansi.',
    );
    await popup.close();
  });
});
