// A post's video in Firefox: the fixture pages' CSP (connect-src 'self', as x.com's and
// facebook.com's) blocks a content script's fetch of the agency's media, so the background reads
// the video and hands its pieces over a port as bytes. One click puts text and the checked video
// into X's home composer and Facebook's dialog, and both are posted; a wrong hash, a missing file
// and X's 140-second rule leave the text in and say why.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_BUILD, startAgency, useFeedInFirefox } from './support/extension';
import { FB, X, type FacebookWindow, type XWindow } from './support/fixture-api';
import { startConnectProxy, startFixtureServer, type ConnectProxy, type FixtureServer } from './support/fixture-server';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';
import { feedWithVideos, makeVideo, sha256, storeVideo, type StoredVideo } from './support/videos';

let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;
let fixtures: FixtureServer;
let proxy: ConnectProxy;
let clip: StoredVideo;
let downloads: string;
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
  proxy = await startConnectProxy(fixtures.port);
  agency = await startAgency();
  const base = new URL(agency.feedUrl).origin;
  const a = await makeVideo(3);
  cleanups.push(a.remove);
  clip = await storeVideo(agency.agency, base, a.file);
  agency.feed.body = feedWithVideos(base, [
    { id: 'video-ok', title: TITLES.ok, video: clip },
    { id: 'video-mismatch', title: TITLES.mismatch, video: clip, feedSays: { sha256: 'f'.repeat(64) } },
    { id: 'video-missing', title: TITLES.missing, video: clip, feedSays: { url: `${base}/media/aaaaaaaaaaaaaaaa.mp4` } },
    // The length is what the feed says; the extension never reads the file of a video X refuses.
    { id: 'video-long', title: TITLES.long, video: clip, feedSays: { seconds: 150 } },
  ]);
  downloads = await mkdtemp(path.join(tmpdir(), 'siar-ff-downloads-'));
  cleanups.push(() => rm(downloads, { recursive: true, force: true }));
  firefox = await launchFirefox({
    extensionDir: FIREFOX_BUILD,
    proxyPort: proxy.port,
    lang: 'id',
    // Saves go to a folder of the test's, without asking.
    extraPrefs: {
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.alwaysOpenPanel': false,
    },
  });
  await useFeedInFirefox(firefox, agency.feedUrl);
});

afterAll(async () => {
  await firefox?.close();
  await proxy?.close();
  await fixtures?.close();
  await agency?.agency.close();
  for (const c of cleanups) await c();
});

async function open(url: string): Promise<Page> {
  const page = await firefox.newPage();
  page.on('console', (m) => logs.push(m.text()));
  await page.goto(url);
  return page;
}

/** The panel's list item of `title`, inside our shadow roots. */
const ITEM = (title: string) =>
  [...document.querySelectorAll('siar-composer')]
    .flatMap((h) => [...(h.shadowRoot?.querySelectorAll('.panel-item') ?? [])])
    .find((li) => li.querySelector('h3')?.textContent === title) ?? null;

/** Our button within `scope`, then "Sisipkan" on the post titled `title`; real (trusted) clicks. */
async function insertVideoPost(page: Page, scope: string, title: string): Promise<string> {
  const findButton = (sc: string, name: string) =>
    [...document.querySelectorAll(`${sc} siar-composer`)]
      .map((h) => h.shadowRoot?.querySelector<HTMLButtonElement>(`button[aria-label="${name}"]`))
      .find(Boolean) ?? null;
  await page.waitForFunction(findButton, { timeout: 20_000 }, scope, BUTTON);
  const button = await page.evaluateHandle(findButton, scope, BUTTON);
  await (button.asElement() as ElementHandle<Element>).click();
  await page.waitForFunction(ITEM, { timeout: 20_000 }, title);
  const item = (await page.evaluateHandle(ITEM, title)) as ElementHandle<Element>;
  const poster = await item.evaluate((el) => el.querySelector('.video-poster')?.getAttribute('aria-label'));
  expect(poster).toMatch(/^Video, (\d+ menit )?\d+ detik$/);
  const text = await item.evaluate((el) => el.querySelector('.preview')!.textContent!);
  const insert = await item.evaluateHandle((el) => el.querySelector<HTMLButtonElement>('button.insert')!);
  await (insert.asElement() as ElementHandle<Element>).click();
  return text;
}

/** The panel's notice, once shown. */
async function noticeOf(page: Page): Promise<string> {
  const find = () =>
    [...document.querySelectorAll('siar-composer')].map((h) => h.shadowRoot?.querySelector('[role="alert"]')?.textContent).find(Boolean) ??
    null;
  await page.waitForFunction(find, { timeout: 20_000 });
  return (await page.evaluate(find))!;
}

describe('Firefox composers with a video', () => {
  it('X home: text and the checked video go in (read by the background), Post → posted', async () => {
    const page = await open('https://x.com/home');
    const text = await insertVideoPost(page, '[data-testid="primaryColumn"]', TITLES.ok);
    await page.waitForFunction((t: string) => (window as unknown as XWindow).__fixture.getText(0) === t, { timeout: 20_000 }, text);
    await page.waitForFunction(
      (h: string) => (window as unknown as XWindow).__fixture.attachmentFiles(0)[0]?.sha256 === h,
      { timeout: 20_000 },
      clip.sha256,
    );
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachmentFiles(0))).toEqual([
      { name: expect.stringMatching(/\.mp4$/), type: 'video/mp4', size: clip.bytes, sha256: clip.sha256 },
    ]);
    await page.waitForFunction(() => (window as unknown as XWindow).__fixture.isPostEnabled(0), { timeout: 20_000 });
    await page.click(X.inlinePost);
    await page.waitForSelector(X.toast);
    const posted = await page.evaluate(() => (window as unknown as XWindow).__fixture.posts.at(-1));
    expect(posted?.text).toBe(text);
    expect(posted?.files.map((f) => f.sha256)).toEqual([clip.sha256]);
    await page.close();
  });

  it('Facebook dialog: text and the checked video go in, Post closes the dialog', async () => {
    const page = await open('https://www.facebook.com/');
    await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.openComposer());
    await insertVideoPost(page, FB.dialog, TITLES.ok);
    await page.waitForFunction(
      (h: string) => (window as unknown as FacebookWindow).__fixture.attachmentFiles()[0]?.sha256 === h,
      { timeout: 20_000 },
      clip.sha256,
    );
    expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.getText())).toContain(TITLES.ok);
    await page.waitForFunction(() => (window as unknown as FacebookWindow).__fixture.isPostEnabled(), { timeout: 20_000 });
    await page.$eval(FB.post, (el) => (el as HTMLElement).click());
    await page.waitForFunction(() => !(window as unknown as FacebookWindow).__fixture.dialogOpen(), { timeout: 20_000 });
    const posted = await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.posts.at(-1));
    expect(posted?.files.map((f) => f.sha256)).toEqual([clip.sha256]);
    await page.close();
  });

  it('bytes that are not the signed ones: text in, nothing attached, said and logged', async () => {
    const page = await open('https://x.com/home');
    const text = await insertVideoPost(page, '[data-testid="primaryColumn"]', TITLES.mismatch);
    expect(await noticeOf(page)).toBe(
      'Video tidak dilampirkan: isinya tidak sama dengan yang ditandatangani instansi. Teksnya sudah tersisip.',
    );
    await page.waitForFunction((t: string) => (window as unknown as XWindow).__fixture.getText(0) === t, { timeout: 20_000 }, text);
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments(0))).toBe(0);
    expect(logs.some((l) => l.startsWith('[siar] video not attached: mismatch'))).toBe(true);
    await page.close();
  });

  it('a video the agency no longer has (404): text in, nothing attached, said', async () => {
    const page = await open('https://www.facebook.com/');
    await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.openComposer());
    await insertVideoPost(page, FB.dialog, TITLES.missing);
    expect(await noticeOf(page)).toBe('Video tidak ditemukan di server instansi; teksnya sudah tersisip tanpa video.');
    await page.waitForFunction(() => (window as unknown as FacebookWindow).__fixture.getText().includes('Video yang hilang'), {
      timeout: 20_000,
    });
    expect(await page.evaluate(() => (window as unknown as FacebookWindow).__fixture.attachments())).toBe(0);
    await page.close();
  });

  it('longer than 140 s on X: text and link only, and the panel says why', async () => {
    const page = await open('https://x.com/home');
    const text = await insertVideoPost(page, '[data-testid="primaryColumn"]', TITLES.long);
    expect(await noticeOf(page)).toBe(
      'Video lebih dari 140 detik, batas situs ini untuk akun biasa: teks dan tautannya sudah tersisip tanpa video.',
    );
    await page.waitForFunction((t: string) => (window as unknown as XWindow).__fixture.getText(0) === t, { timeout: 20_000 }, text);
    expect(text).toContain('/berita/video-long');
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments(0))).toBe(0);
    await page.close();
  });

  it('"Unduh video" in the panel saves the checked file (read by the background)', async () => {
    const page = await open('https://x.com/home');
    const findButton = () =>
      [...document.querySelectorAll('[data-testid="primaryColumn"] siar-composer')]
        .map((h) => h.shadowRoot?.querySelector<HTMLButtonElement>('button[aria-label="Sisipkan postingan resmi"]'))
        .find(Boolean) ?? null;
    await page.waitForFunction(findButton, { timeout: 20_000 });
    await ((await page.evaluateHandle(findButton)).asElement() as ElementHandle<Element>).click();
    await page.waitForFunction(ITEM, { timeout: 20_000 }, TITLES.ok);
    const item = (await page.evaluateHandle(ITEM, TITLES.ok)) as ElementHandle<Element>;
    const save = await item.evaluateHandle((el) => el.querySelector<HTMLButtonElement>('button.download-video')!);
    await (save.asElement() as ElementHandle<Element>).click();
    let saved: string | undefined;
    for (let i = 0; i < 100 && !saved; i++) {
      saved = (await readdir(downloads)).find((f) => f.endsWith('.mp4'));
      if (!saved) await new Promise((r) => setTimeout(r, 200));
    }
    expect(saved).toBeDefined();
    expect(sha256(await readFile(path.join(downloads, saved!)))).toBe(clip.sha256);
    expect(await page.evaluate(() => (window as unknown as XWindow).__fixture.attachments(0))).toBe(0);
    await page.close();
  });
});
