import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFeed } from '../../server/demo/feed';
import { FIREFOX_BUILD, startAgency } from './support/extension';
import { GECKO_ID, launchFirefox, type LaunchedFirefox } from './support/firefox';
import { hoursAround, hoursAway, newMandatoryPost } from './support/notify';

// The same as options.chromium.test.ts, in a real Firefox: the welcome page on install, the options
// page's order and fold under the agency's managed settings, and notifications for new mandatory
// posts once, in working hours only.
//
// Firefox reads an extension's managed storage from a native manifest of type "storage" in
// ~/.mozilla/managed-storage/<id>.json (where no policies.json names it): the browser runs with a
// HOME of its own, so no other Firefox on this machine sees this policy.

let dir: string;
let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;
let managed: Record<string, string>;

interface Ext {
  browser: {
    storage: { local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } };
    runtime: { sendMessage(m: object): Promise<unknown> };
    notifications?: { getAll(): Promise<Record<string, unknown>>; clear(id: string): Promise<boolean> };
    permissions: { contains(p: object): Promise<boolean> };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeout = 15_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await sleep(200);
  }
}

async function settings(page: Page, s: object): Promise<void> {
  await page.evaluate(async (v: object) => {
    const ext = (globalThis as unknown as Ext).browser;
    await ext.storage.local.set({ settings: v });
    await ext.runtime.sendMessage({ type: 'settings/changed' });
  }, s);
}

async function refreshFeed(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as Ext).browser.runtime.sendMessage({ type: 'feed/refresh', force: true }));
}

async function shownNotifications(page: Page): Promise<string[]> {
  return page.evaluate(async () => Object.keys((await (globalThis as unknown as Ext).browser.notifications?.getAll()) ?? {}));
}

/**
 * The notifications made since the page started listening, one entry per notification: each is
 * heard as onShown (with a desktop) or onClosed (headless closes it at once), or both.
 */
async function notified(page: Page): Promise<string[]> {
  const events = await page.evaluate(() => (globalThis as unknown as { events: [string, string][] }).events);
  const of = (name: string) => events.filter((e) => e[0] === name).map((e) => e[1]);
  const shown = of('onShown');
  const closed = of('onClosed');
  return shown.length >= closed.length ? shown : closed;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siar-options-ff-'));
  agency = await startAgency();
  // The agency fixes the tally; the feed address and the working hours stay the user's (the
  // hours set by policy are shown in policy.chromium.test.ts).
  managed = { tallyUrl: `${new URL(agency.feedUrl).origin}/` };
  const storageDir = path.join(dir, 'home/.mozilla/managed-storage');
  mkdirSync(storageDir, { recursive: true });
  writeFileSync(
    path.join(storageDir, `${GECKO_ID}.json`),
    JSON.stringify({ name: GECKO_ID, description: 'Siar (e2e)', type: 'storage', data: managed }),
  );
  firefox = await launchFirefox({
    extensionDir: FIREFOX_BUILD,
    lang: 'id',
    env: { HOME: path.join(dir, 'home') },
    // Optional permissions are granted without the doorhanger a test cannot answer.
    extraPrefs: { 'extensions.webextOptionalPermissionPrompts': false },
  });
});

afterAll(async () => {
  await firefox?.close();
  await agency?.agency.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('welcome, options and notifications (Firefox, Indonesian UI)', () => {
  it('opens the welcome page on install, once', async () => {
    // BiDi may still name an add-on page about:blank: ask each page where it is.
    const welcomes = async () => {
      const out: Page[] = [];
      for (const p of await firefox.browser.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.endsWith('/welcome.html')) out.push(p);
      }
      return out;
    };
    const pages = await until(welcomes, (p) => p.length > 0);
    expect(pages).toHaveLength(1);
    const welcome = pages[0]!;
    await welcome.waitForFunction(() => document.querySelector('h1')?.textContent === 'Selamat datang di Siar', { timeout: 15_000 });
    const h2 = await welcome.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    expect(h2).toEqual([
      'Apa itu Siar',
      '1. Sematkan ikon Siar',
      '2. Daftar ke rekap instansi',
      'Apa yang keluar dari peramban Anda, dan kapan',
    ]);
    // Firefox's own way to pin.
    expect(await welcome.$eval('main', (m) => m.textContent)).toContain('Sematkan ke Bilah Alat');
    await welcome.close();
    // Opening Siar's other pages does not bring it back: it was opened once, on install.
    const options = await firefox.openExtensionPage('options.html');
    await sleep(500);
    expect(await welcomes()).toHaveLength(0);
    await options.close();
  });

  it("options: stats first, technical settings last and folded, the agency's settings hidden", async () => {
    const options = await firefox.openExtensionPage('options.html');
    await settings(options, { feedUrl: agency.feedUrl });
    await options.close();
    const page = await firefox.openExtensionPage('options.html');
    await page.waitForSelector('#stats h2');
    const order = await page.$$eval('main > section > h2, main > details > summary h2', (hs) => hs.map((h) => h.textContent));
    expect(order).toEqual([
      'Statistik saya',
      'Riwayat',
      'Pendaftaran ke rekap instansi',
      'Sinkronisasi',
      'Notifikasi',
      'Bantuan',
      'Lanjutan',
    ]);
    expect(await page.$eval('details#advanced', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    // Folded: the feed field exists but is not rendered until opened.
    expect(await page.$eval('#f-feedUrl', (e) => e.checkVisibility())).toBe(false);
    await page.click('details#advanced > summary');
    await page.waitForFunction(() => document.querySelector('#f-feedUrl')?.checkVisibility() === true, { timeout: 10_000 });
    // The tally is the agency's: not a field, named instead.
    expect(await page.$('#f-tallyUrl')).toBeNull();
    expect(await page.$eval('#advanced-policy', (e) => e.textContent)).toBe('Diatur oleh instansi Anda (kebijakan): Alamat rekap.');
    // The working hours are the user's here: offered.
    expect(await page.$$eval('#notifications input[type="time"]', (i) => i.length)).toBe(2);
    await page.close();
  });

  it('asks for notifications with the reason, then one for a new mandatory post in working hours, none outside', async () => {
    const page = await firefox.openExtensionPage('options.html#notifications');
    await page.waitForFunction(() => document.body.textContent?.includes('Notifikasi tidak aktif.'), { timeout: 15_000 });
    expect(await page.$eval('#notify-why', (e) => e.textContent)).toContain(
      'Siar dapat memberi tahu Anda saat instansi menerbitkan postingan wajib baru',
    );
    const [ask] = await page.$$('xpath/.//button[normalize-space()="Izinkan notifikasi"]');
    await ask!.click();
    await page.waitForFunction(() => document.body.textContent?.includes('Notifikasi aktif'), { timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as unknown as Ext).browser.permissions.contains({ permissions: ['notifications'] }))).toBe(
      true,
    );
    await page.close();

    // The clock is the real one; the working hours are put around it (UTC), then away from it.
    const t = await firefox.openExtensionPage('options.html');
    const base = new URL(agency.feedUrl).origin;
    const demo = buildDemoFeed({ base, now: Date.now() });
    await settings(t, { feedUrl: agency.feedUrl, workHours: hoursAround(Date.now()), timeZone: 'UTC' });
    await refreshFeed(t);
    expect(await shownNotifications(t)).toEqual([]);

    await t.evaluate(() => {
      const g = globalThis as unknown as {
        events: unknown[];
        browser: { notifications: Record<string, { addListener(f: (...a: unknown[]) => void): void }> };
      };
      g.events = [];
      for (const name of ['onShown', 'onClosed', 'onClicked'])
        g.browser.notifications[name]?.addListener((...a) => g.events.push([name, ...a]));
    });
    const first = newMandatoryPost(base, 'apel-pagi', 'Apel pagi serentak Senin');
    agency.feed.body = { ...demo, items: [first, ...demo.items] };
    await refreshFeed(t);
    // Headless Firefox hands the notification to its alert service, which closes it at once: the
    // add-on hears onClosed for it (onShown never comes without a desktop). Either proves it was made.
    expect(
      await until(
        () => notified(t),
        (v) => v.length > 0,
      ),
    ).toEqual([`siar-post:${first.id}`]);
    await sleep(500);
    expect(await notified(t)).toEqual([`siar-post:${first.id}`]);

    await settings(t, { feedUrl: agency.feedUrl, workHours: hoursAway(Date.now()), timeZone: 'UTC' });
    const second = newMandatoryPost(base, 'kerja-bakti', 'Kerja bakti Jumat bersih');
    agency.feed.body = { ...demo, items: [second, first, ...demo.items] };
    await refreshFeed(t);
    const memory = await t.evaluate(async () => (await (globalThis as unknown as Ext).browser.storage.local.get('notified')).notified);
    expect((memory as { seen: string[] }).seen).toContain(second.id);
    await sleep(500);
    expect(await notified(t)).toEqual([`siar-post:${first.id}`]);
    agency.feed.body = undefined;
    await t.close();
  });
});
