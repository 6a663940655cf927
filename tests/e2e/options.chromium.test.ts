import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFeed } from '../../server/demo/feed';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, ROOT, startAgency } from './support/extension';
import { hoursAround, hoursAway, newMandatoryPost } from './support/notify';

// The ASN's first days, in a real Chromium with the built extension: the welcome page once, the
// options page with their own figures first and the technical settings folded last, the popup's
// two ways in, and a notification for a new mandatory post only in working hours.

let dir: string;
let profile: string;
let browser: LaunchedChromium;
let agency: Awaited<ReturnType<typeof startAgency>>;

interface Ext {
  chrome: {
    storage: { local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } };
    runtime: { sendMessage(m: object): Promise<unknown> };
    notifications?: { getAll(): Promise<Record<string, boolean>>; clear(id: string): Promise<boolean> };
    permissions: { contains(p: object): Promise<boolean> };
  };
}

async function welcomePages(context: BrowserContext): Promise<Page[]> {
  return context.pages().filter((p) => p.url().endsWith('/welcome.html'));
}

async function open(file: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${browser.extensionBase}/${file}`);
  return page;
}

/** Settings as the options page stores them, then a refresh of the feed they name. */
async function settings(page: Page, s: object): Promise<void> {
  await page.evaluate(async (v) => {
    const ext = (globalThis as unknown as Ext).chrome;
    await ext.storage.local.set({ settings: v });
    await ext.runtime.sendMessage({ type: 'settings/changed' });
  }, s);
}

async function refreshFeed(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as Ext).chrome.runtime.sendMessage({ type: 'feed/refresh', force: true }));
}

async function shownNotifications(page: Page): Promise<string[]> {
  return page.evaluate(async () => Object.keys((await (globalThis as unknown as Ext).chrome.notifications?.getAll()) ?? {}));
}

/**
 * The same build with `notifications` granted at install (moved from optional to required in a
 * private copy): Chromium's prompt for an optional permission cannot be answered from a test.
 */
async function relaunchWithNotifications(): Promise<void> {
  await browser.close();
  const copy = path.join(dir, 'chrome-mv3-notify');
  cpSync(CHROME_BUILD, copy, { recursive: true });
  const manifestPath = path.join(copy, 'manifest.json');
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { permissions: string[]; optional_permissions?: string[] };
  expect(m.optional_permissions).toContain('notifications');
  m.permissions.push('notifications');
  m.optional_permissions = m.optional_permissions!.filter((p) => p !== 'notifications');
  writeFileSync(manifestPath, JSON.stringify(m));
  browser = await launchChromium({ extensionDir: copy, lang: 'id' });
  const setup = await open('options.html');
  await settings(setup, { feedUrl: agency.feedUrl });
  await setup.close();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siar-options-'));
  profile = path.join(dir, 'profile');
  agency = await startAgency();
  browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id', userDataDir: profile });
});

afterAll(async () => {
  await browser?.close();
  await agency?.agency.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('welcome, options and notifications (Chromium, Indonesian UI)', () => {
  it('opens the welcome page on install: what Siar is, pinning, enrolling, what leaves the browser', async () => {
    await expect.poll(async () => (await welcomePages(browser.context)).length, { timeout: 15_000 }).toBe(1);
    const welcome = (await welcomePages(browser.context))[0]!;
    await welcome.getByRole('heading', { name: 'Selamat datang di Siar' }).waitFor();
    const headings = await welcome.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings).toEqual([
      'Apa itu Siar',
      '1. Sematkan ikon Siar',
      '2. Daftar ke rekap instansi',
      'Apa yang keluar dari peramban Anda, dan kapan',
    ]);
    await welcome.getByText('klik pin di samping Siar', { exact: false }).waitFor();
    await welcome.getByText('NIP, nama lengkap, unit kerja, dan kode pendaftaran', { exact: false }).waitFor();
    await welcome.getByText('hanya jenis masalahnya', { exact: false }).waitFor();
    await welcome.setViewportSize({ width: 900, height: 1100 });
    await welcome.screenshot({ path: path.join(ROOT, 'docs/welcome.png'), fullPage: true });

    // "Daftar sekarang" opens the options page at enrolment.
    const [options] = await Promise.all([
      browser.context.waitForEvent('page'),
      welcome.getByRole('button', { name: 'Daftar sekarang' }).click(),
    ]);
    await options.waitForURL(/options\.html#enrol$/);
    await options.getByRole('heading', { name: 'Pendaftaran ke rekap instansi' }).waitFor();
    await options.close();
    await welcome.close();
  });

  it('opens it once: not again when the browser starts again, but on request from the options page', async () => {
    await browser.close();
    browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id', userDataDir: profile });
    const options = await open('options.html');
    await options.getByRole('heading', { name: 'Statistik saya' }).waitFor();
    expect(await welcomePages(browser.context)).toHaveLength(0);

    const [again] = await Promise.all([
      browser.context.waitForEvent('page'),
      options.getByRole('button', { name: 'Tampilkan halaman sambutan lagi' }).click(),
    ]);
    await again.getByRole('heading', { name: 'Selamat datang di Siar' }).waitFor();
    await again.close();
    await options.close();
  });

  it('options: my stats first, then enrolment and sync, technical settings last and folded', async () => {
    const options = await open('options.html');
    await settings(options, { feedUrl: agency.feedUrl });
    await options.reload();
    await options.getByRole('heading', { name: 'Statistik saya' }).waitFor();
    const order = await options.locator('main > section > h2, main > details > summary h2').allTextContents();
    expect(order).toEqual([
      'Statistik saya',
      'Riwayat',
      'Pendaftaran ke rekap instansi',
      'Sinkronisasi',
      'Notifikasi',
      'Bantuan',
      'Lanjutan',
    ]);
    // Inside "Statistik saya": figures, chart, breakdowns, history.
    const stats = options.locator('#stats');
    await stats.getByText('Diposting', { exact: true }).first().waitFor();
    await stats.getByRole('table', { name: 'Per platform' }).waitFor();
    await stats.getByRole('table', { name: 'Riwayat berbagi' }).waitFor();

    // Folded: the addresses and the key are there, but not shown until "Lanjutan" is opened.
    const feedField = options.getByLabel('Alamat feed');
    expect(await options.locator('details#advanced').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await feedField.isVisible()).toBe(false);
    await options.getByText('Lanjutan', { exact: true }).click();
    await feedField.waitFor({ state: 'visible' });
    expect(await options.getByLabel('Kunci publik feed').isVisible()).toBe(true);
    await options.getByRole('heading', { name: 'Tombol Siar di tiap situs' }).waitFor();
    // Keyboard: the fold is a real disclosure (summary), closed and opened with Enter.
    await options.locator('details#advanced > summary').focus();
    await options.keyboard.press('Enter');
    expect(await feedField.isVisible()).toBe(false);

    // A few shares, so the picture shows figures.
    await options.evaluate(async () => {
      const ext = (globalThis as unknown as Ext).chrome;
      for (const [platform, action] of [
        ['x', 'posted'],
        ['facebook', 'posted'],
        ['whatsapp', 'intent_opened'],
      ]) {
        await ext.runtime.sendMessage({ type: 'share/record', itemId: 'kab-contoh-stunting-turun-posyandu', platform, action });
      }
    });
    await options.reload();
    await options.getByRole('heading', { name: 'Statistik saya' }).waitFor();
    await options.getByRole('cell', { name: 'WhatsApp' }).first().waitFor();
    await options.setViewportSize({ width: 1100, height: 1500 });
    await options.evaluate(() => scrollTo(0, 0));
    await options.screenshot({ path: path.join(ROOT, 'docs/options.png') });
    await options.close();
  });

  it('the popup links to my stats and to enrolment, opening the options page there', async () => {
    const popup = await open('popup.html');
    const nav = popup.getByRole('navigation');
    await nav.getByRole('link', { name: 'Statistik saya' }).waitFor();
    const [stats] = await Promise.all([browser.context.waitForEvent('page'), nav.getByRole('link', { name: 'Statistik saya' }).click()]);
    await stats.waitForURL(/options\.html#stats$/);
    await stats.close();

    const popup2 = popup.isClosed() ? await open('popup.html') : popup;
    const [enrol] = await Promise.all([
      browser.context.waitForEvent('page'),
      popup2.getByRole('navigation').getByRole('link', { name: 'Pendaftaran' }).click(),
    ]);
    await enrol.waitForURL(/options\.html#enrol$/);
    // The enrolment section is brought into view once the page is drawn.
    await expect
      .poll(
        () =>
          enrol
            .locator('#enrol')
            .evaluate((e) => scrollY > 0 && e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().top < innerHeight / 3),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await enrol.close();
    if (!popup2.isClosed()) await popup2.close();
  });

  it('offers notifications with the reason; without the permission a new mandatory post changes nothing else', async () => {
    const options = await open('options.html#notifications');
    const why = options.getByText('Siar dapat memberi tahu Anda saat instansi menerbitkan postingan wajib baru', { exact: false });
    await why.waitFor();
    await options.getByText('Notifikasi tidak aktif.').waitFor();
    const ask = options.getByRole('button', { name: 'Izinkan notifikasi' });
    // The button is described by the sentence that says why.
    expect(await ask.getAttribute('aria-describedby')).toBe(await why.getAttribute('id'));
    // Chromium's permission prompt cannot be answered from a test; the answer is the browser's.

    // Never granted: a new mandatory post still reaches the popup and the badge, with no notification.
    await settings(options, { feedUrl: agency.feedUrl, workHours: hoursAround(Date.now()), timeZone: 'UTC' });
    await refreshFeed(options);
    const base = new URL(agency.feedUrl).origin;
    const post = newMandatoryPost(base, 'rapat-koordinasi', 'Rapat koordinasi pagi');
    const demo = buildDemoFeed({ base, now: Date.now() });
    agency.feed.body = { ...demo, items: [post, ...demo.items] };
    await refreshFeed(options);
    const popup = await open('popup.html');
    await popup.locator(`article[data-item-id="${post.id}"]`).waitFor();
    expect(await options.evaluate(() => typeof (globalThis as unknown as Ext).chrome.notifications)).toBe('undefined');
    await popup.close();
    await options.close();
    agency.feed.body = undefined;
  });

  it('with the permission granted, the options page says notifications are on', async () => {
    await relaunchWithNotifications();
    const options = await open('options.html#notifications');
    await options.getByText('Notifikasi aktif: satu untuk setiap postingan wajib baru, pada jam kerja.').waitFor();
    await options.getByRole('button', { name: 'Matikan notifikasi' }).waitFor();
    await options.close();
  });

  it('a new mandatory post: one notification in working hours, never twice; none outside them', async () => {
    const page = await open('options.html');
    const now = Date.now();
    // The working hours are put around the real clock (in UTC), then away from it.
    await settings(page, { feedUrl: agency.feedUrl, workHours: hoursAround(now), timeZone: 'UTC' });
    await refreshFeed(page);
    // The posts there at the start are not "new": nothing is shown for them.
    expect(await shownNotifications(page)).toEqual([]);

    const base = new URL(agency.feedUrl).origin;
    const first = newMandatoryPost(base, 'apel-pagi', 'Apel pagi serentak Senin');
    const demo = buildDemoFeed({ base, now });
    agency.feed.body = { ...demo, items: [first, ...demo.items] };
    await refreshFeed(page);
    await expect.poll(() => shownNotifications(page), { timeout: 10_000 }).toEqual([`siar-post:${first.id}`]);

    // Cleared by the user, the feed refreshed again: not shown a second time.
    await page.evaluate((id) => (globalThis as unknown as Ext).chrome.notifications!.clear(id), `siar-post:${first.id}`);
    await refreshFeed(page);
    await refreshFeed(page);
    expect(await shownNotifications(page)).toEqual([]);

    // Outside working hours: the next new mandatory post is not notified (now or later).
    await settings(page, { feedUrl: agency.feedUrl, workHours: hoursAway(Date.now()), timeZone: 'UTC' });
    const second = newMandatoryPost(base, 'kerja-bakti', 'Kerja bakti Jumat bersih');
    agency.feed.body = { ...demo, items: [second, first, ...demo.items] };
    await refreshFeed(page);
    const seen = await page.evaluate(async () => (await (globalThis as unknown as Ext).chrome.storage.local.get('notified')).notified);
    expect((seen as { seen: string[] }).seen).toContain(second.id);
    expect(await shownNotifications(page)).toEqual([]);
    await page.close();
  });

  it("a notification's post opens in the popup page, in view and focused", async () => {
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 420, height: 600 });
    await popup.goto(`${browser.extensionBase}/popup.html?item=kab-contoh-kerja-bakti`);
    const card = popup.locator('article[data-item-id="kab-contoh-kerja-bakti"]');
    await expect.poll(() => card.evaluate((e) => document.activeElement === e), { timeout: 10_000 }).toBe(true);
    await popup.close();
  });

  it('feed problems: calm words for the person, and a report (kind only) to the tally', async () => {
    agency.feed.body = '<html>Situs ini sedang diretas</html>';
    const options = await open('options.html');
    // Twice: a refresh already under way when the feed broke answers the first call.
    await refreshFeed(options);
    await refreshFeed(options);
    // The report reaches the tally on its own time: the page says so once it has.
    await expect
      .poll(async () => (await agency.agency.db.all<{ kind: string }>('SELECT kind FROM feed_reports')).map((r) => r.kind))
      .toContain('invalid');
    await options.reload();
    const notice = options.locator('.feed-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toBe(
      'Feed rusak: isinya bukan JSON. Postingan terakhir tetap ada di sini; postingan baru akan masuk begitu feed pulih. Instansi Anda sudah diberi tahu.',
    );
    expect(await options.getByText('dibobol', { exact: false }).count()).toBe(0);
    const rows = await agency.agency.db.all<{ reporter: string; kind: string }>('SELECT reporter, kind FROM feed_reports');
    expect(rows.map((r) => r.kind)).toContain('invalid');
    // A random id of the day, nothing that names the person.
    for (const r of rows) expect(r.reporter).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // At most one report of a kind per period: refreshing again sends no second "invalid".
    const at = await agency.agency.db.all<{ at: string }>("SELECT at FROM feed_reports WHERE kind = 'invalid'");
    await refreshFeed(options);
    expect(await agency.agency.db.all<{ at: string }>("SELECT at FROM feed_reports WHERE kind = 'invalid'")).toEqual(at);
    agency.feed.body = undefined;
    await options.close();
  });
});
