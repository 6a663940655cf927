import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentItems } from '@/utils/feed/select';
import { parseFeedJson } from '@/utils/protocol/feed';
import { priorityOf } from '@/utils/protocol/item';
import { buildDemoFeed } from '../../server/demo/feed';
import { FIREFOX_BUILD, startAgency, useFeedInFirefox } from './support/extension';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';

// Honest per-platform state in Firefox (MV2, browserAction): a copy keeps a Wajib post on the
// badge and is shown as a copy; a post on X does not mark Facebook; "Sudah saya posting" records
// a self-reported post.

let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;

type BrowserGlobal = {
  browser: {
    browserAction: { getBadgeText(d: object): Promise<string> };
    runtime: { sendMessage(m: object): Promise<{ ok: boolean }> };
  };
};

function current() {
  const parsed = parseFeedJson(buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() }));
  if (!parsed.ok) throw new Error('demo feed does not parse');
  return currentItems(parsed.feed.items, Date.now());
}

async function openPopup(): Promise<Page> {
  const popup = await firefox.openExtensionPage('popup.html');
  await popup.waitForFunction((n: number) => document.querySelectorAll('article').length === n, { timeout: 20_000 }, current().length);
  return popup;
}

const badge = (page: Page) => page.evaluate(() => (globalThis as unknown as BrowserGlobal).browser.browserAction.getBadgeText({}));

/** The card's texts: its state lines and badges, as the user reads them. */
const cardText = (page: Page, itemId: string) =>
  page.$eval(`article[data-item-id="${itemId}"]`, (a) => (a as HTMLElement).innerText.replace(/\s+/g, ' '));

async function clickIn(page: Page, itemId: string, name: string): Promise<void> {
  const buttons = await page.$$(`article[data-item-id="${itemId}"] button`);
  for (const b of buttons) {
    if ((await b.evaluate((el) => el.textContent)) === name) return b.click();
  }
  throw new Error(`no button ${name}`);
}

beforeAll(async () => {
  agency = await startAgency();
  firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, lang: 'id' });
  await useFeedInFirefox(firefox, agency.feedUrl);
});

afterAll(async () => {
  await firefox?.close();
  await agency?.agency.close();
});

describe('per-platform share state (Firefox)', () => {
  it('a copy keeps a Wajib post unshared; posted on X does not mark Facebook; "Sudah saya posting" is self-reported', async () => {
    const urgent = current().filter((i) => priorityOf(i) !== 'normal').length;
    const wajib = current().find((i) => priorityOf(i) === 'mandatory')!;
    // A high-priority post: posted on X, it leaves the badge too.
    const other = current().find((i) => priorityOf(i) === 'high')!;
    const popup = await openPopup();
    await expect.poll(() => badge(popup)).toBe(String(urgent));

    await clickIn(popup, wajib.id, 'Salin');
    await expect.poll(() => cardText(popup, wajib.id)).toContain('Di tempat lain: disalin — belum diposting');
    expect(await cardText(popup, wajib.id)).not.toContain('Sudah dibagikan');
    expect(await badge(popup)).toBe(String(urgent));

    // What the X content script says once Post went out.
    const r = await popup.evaluate(
      (itemId: string) =>
        (globalThis as unknown as BrowserGlobal).browser.runtime.sendMessage({
          type: 'share/record',
          itemId,
          platform: 'x',
          action: 'posted',
        }),
      other.id,
    );
    expect(r.ok).toBe(true);
    await expect.poll(() => badge(popup)).toBe(String(urgent - 1));
    await popup.close();
    const again = await openPopup();
    await expect.poll(() => cardText(again, other.id)).toContain('X: sudah diposting');
    expect(await cardText(again, other.id)).not.toContain('Facebook:');
    // Still a copy after reopening: the state is the history's.
    expect(await cardText(again, wajib.id)).toContain('Di tempat lain: disalin — belum diposting');

    await clickIn(again, wajib.id, 'Sudah saya posting');
    await expect.poll(() => cardText(again, wajib.id)).toContain('Di tempat lain: Anda nyatakan sudah diposting');
    expect(await cardText(again, wajib.id)).toContain('Sudah dibagikan');
    await expect.poll(() => badge(again)).toBe(urgent - 2 > 0 ? String(urgent - 2) : '');
    const said = await again.evaluate(
      () =>
        new Promise<unknown[]>((resolve, reject) => {
          const open = indexedDB.open('siar-history');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('events').objectStore('events').getAll();
            req.onsuccess = () => {
              resolve((req.result as { self_reported?: boolean }[]).filter((e) => e.self_reported));
              open.result.close();
            };
          };
        }),
    );
    expect(said).toMatchObject([{ item_id: wajib.id, platform: 'other', action: 'posted', self_reported: true }]);
    await again.close();
  });
});
