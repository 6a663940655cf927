import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentItems } from '@/utils/feed/select';
import { parseFeedJson } from '@/utils/protocol/feed';
import { priorityOf } from '@/utils/protocol/item';
import type { Summary } from '@/utils/protocol/tally';
import { buildDemoFeed } from '../../server/demo/feed';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, startAgency, useFeed } from './support/extension';
import { startFixtureServer, type FixtureServer } from './support/fixture-server';

// Honest per-platform state, in real Chromium with the built extension and the real tally: a post
// is shared on a platform only once posted there; attempts stay attempts; "Sudah saya kirim" is a
// self-reported post, counted apart from the posts the extension saw, here and at the tally.

const NIP = '198503152010012003';
let browser: LaunchedChromium;
let agency: Awaited<ReturnType<typeof startAgency>>;
let fixtures: FixtureServer;
let ext: Page;
/** The member's tally token, to read the summary as the extension does. */
let token: string;

type ChromeGlobal = {
  chrome: {
    action: { getBadgeText(d: object): Promise<string> };
    runtime: { sendMessage(m: object): Promise<{ ok: boolean; error?: string }> };
    storage: { local: { set(v: object): Promise<void> } };
  };
};

function current() {
  const parsed = parseFeedJson(buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() }));
  if (!parsed.ok) throw new Error('demo feed does not parse');
  return currentItems(parsed.feed.items, Date.now());
}

const badge = () => ext.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.action.getBadgeText({}));

async function openPopup(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto(`${browser.extensionBase}/popup.html`);
  await expect.poll(() => page.getByRole('article').count()).toBe(current().length);
  return page;
}

function card(popup: Page, itemId: string): Locator {
  return popup.locator(`article[data-item-id="${itemId}"]`);
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  agency = await startAgency();
  browser = await launchChromium({ extensionDir: CHROME_BUILD, fixturePort: fixtures.port, lang: 'id' });
  if (process.env.SIAR_E2E_DEBUG) {
    browser.context.serviceWorkers()[0]?.on('console', (m) => console.log('[sw]', m.text()));
    browser.context.on('page', (p) => p.on('console', (m) => console.log(`[${p.url()}]`, m.text())));
  }
  ext = await browser.context.newPage();
  await ext.goto(`${browser.extensionBase}/options.html`);
  await useFeed(ext, agency.feedUrl);
  // Enrolled at the real tally the way the options page leaves it (enrolment's own words and
  // steps are tested apart): the token in the extension's storage.
  const res = await fetch(new URL('/v1/enroll', agency.feedUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nip: NIP, name: 'Contoh Pegawai', code: 'KOMINFO-2026' }),
  });
  expect(res.status).toBe(201);
  const enrolled = (await res.json()) as { token: string; member: object };
  token = enrolled.token;
  const member = enrolled.member;
  const tallyUrl = new URL('/', agency.feedUrl).href;
  await ext.evaluate((enrolment) => (globalThis as unknown as ChromeGlobal).chrome.storage.local.set({ enrolment, enrolment$: { v: 1 } }), {
    tallyUrl,
    token,
    member,
    at: Date.now(),
  });
});

afterAll(async () => {
  await browser?.close();
  await agency?.agency.close();
  await fixtures?.close();
});

describe('per-platform share state (Chromium)', () => {
  it('a copy does not clear a Wajib post: it stays on the badge and is shown as a copy, not shared', async () => {
    const urgent = current().filter((i) => priorityOf(i) !== 'normal');
    expect(urgent.length).toBeGreaterThan(0);
    await expect.poll(badge).toBe(String(urgent.length));
    const wajib = current().find((i) => priorityOf(i) === 'mandatory')!;

    const popup = await openPopup();
    const post = card(popup, wajib.id);
    await post.getByRole('button', { name: 'Salin' }).click();
    await popup.getByText('Tersalin — tempelkan ke kotak postingan').waitFor();
    await post.getByText('Di tempat lain: disalin — belum diposting').waitFor();
    expect(await post.getByText('Sudah dibagikan').count()).toBe(0);
    expect(await badge()).toBe(String(urgent.length));
    // Opened again: the state comes from the history, not from the click.
    const again = await openPopup();
    await card(again, wajib.id).getByText('Di tempat lain: disalin — belum diposting').waitFor();
    expect(await card(again, wajib.id).getByText('Sudah dibagikan').count()).toBe(0);
    await again.close();
    await popup.close();
  });

  it('posted on X does not mark Facebook, in the popup and in the composer panels', async () => {
    const item = current().find((i) => priorityOf(i) === 'high') ?? current()[1]!;
    // What the X content script says when Post went out.
    const r = await ext.evaluate(
      (itemId) =>
        (globalThis as unknown as ChromeGlobal).chrome.runtime.sendMessage({
          type: 'share/record',
          itemId,
          platform: 'x',
          action: 'posted',
        }),
      item.id,
    );
    expect(r).toEqual({ ok: true, eventId: expect.any(String) });

    const popup = await openPopup();
    const post = card(popup, item.id);
    await post.getByText('X: sudah diposting').waitFor();
    await post.getByText('Sudah dibagikan').waitFor();
    expect(await post.getByText('Facebook:', { exact: false }).count()).toBe(0);
    await popup.close();

    const title = item.title!;
    const panelItem = async (url: string, open: (p: Page) => Promise<void>) => {
      const page = await browser.context.newPage();
      await page.goto(url);
      await open(page);
      const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
      const li = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
      await li.waitFor();
      return { page, li };
    };
    const onX = await panelItem('https://x.com/home', (p) =>
      p.locator('[data-testid="primaryColumn"]').getByRole('button', { name: 'Sisipkan postingan resmi' }).click(),
    );
    await onX.li.getByText('Sudah dibagikan').waitFor();
    await onX.page.close();
    const onFb = await panelItem('https://www.facebook.com/', async (p) => {
      await p.evaluate(() => (window as unknown as { __fixture: { openComposer(): void } }).__fixture.openComposer());
      await p.locator('[role="dialog"]').getByRole('button', { name: 'Sisipkan postingan resmi' }).click();
    });
    await onFb.li.getByRole('button', { name: 'Sisipkan' }).waitFor();
    expect(await onFb.li.getByText('Sudah dibagikan').count()).toBe(0);
    await onFb.page.close();
  });

  it('"Sudah saya kirim" after WhatsApp is posted, self-reported: counted apart in the stats and at the tally', async () => {
    const wajib = current().find((i) => priorityOf(i) === 'mandatory')!;
    const urgentBefore = Number(await badge());
    const popup = await openPopup();
    const post = card(popup, wajib.id);
    const [tab] = await Promise.all([
      browser.context.waitForEvent('page'),
      post.getByRole('button', { name: 'Bagikan ke WhatsApp' }).click(),
    ]);
    await tab.close();
    await post.getByText('WhatsApp: jendela bagikan dibuka — belum diposting').waitFor();
    await post.getByRole('button', { name: 'Sudah saya kirim' }).click();
    await post.getByText('WhatsApp: Anda nyatakan sudah terkirim').waitFor();
    await post.getByText('Sudah dibagikan').waitFor();
    expect(await post.getByRole('button', { name: 'Sudah saya kirim' }).count()).toBe(0);
    // The copy from the first test can be said to be posted too: its own words.
    await post.getByRole('button', { name: 'Sudah saya posting' }).waitFor();
    // Posted somewhere: off the badge.
    await expect.poll(badge).toBe(urgentBefore - 1 > 0 ? String(urgentBefore - 1) : '');
    await popup.close();

    const events = await readHistory(ext);
    const said = events.filter((e) => (e as { self_reported?: boolean }).self_reported);
    expect(said.map((e) => [e.item_id, e.platform, e.action])).toEqual([[wajib.id, 'whatsapp', 'posted']]);

    // The options page's stats: two posts (X, WhatsApp), one of them said by the user.
    await ext.reload();
    await ext.getByText('Dari jumlah itu, 1 Anda nyatakan sendiri sudah terkirim', { exact: false }).waitFor();

    // At the tally: stored with the flag, and the member's summary keeps it apart.
    const r = await ext.evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.runtime.sendMessage({ type: 'sync/now' }));
    expect(r.ok).toBe(true);
    const rows = await agency.agency.db.all<{ platform: string; action: string; self_reported: number }>(
      'SELECT platform, action, self_reported FROM shares ORDER BY platform, action',
    );
    expect(rows.filter((s) => Number(s.self_reported) === 1).map((s) => [s.platform, s.action])).toEqual([['whatsapp', 'posted']]);
    expect(rows.length).toBe(events.length);
    const summary = (await (
      await fetch(new URL('/v1/me/summary', agency.feedUrl), { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as Summary;
    expect(summary).toMatchObject({ posted: 2, self_reported: 1, by_platform: { x: 1, whatsapp: 1 } });
    // The options page shows the tally's figure apart too.
    await ext.reload();
    await ext.getByText('Dari jumlah itu, 1 Anda nyatakan sendiri', { exact: true }).waitFor();
  });

  it('the whole text that will be posted is readable: "Selengkapnya" opens it from the keyboard; the Facebook hint shows once', async () => {
    const popup = await openPopup();
    const first = popup.getByRole('article').first();
    const text = first.getByLabel('Teks yang dibagikan');
    const more = first.getByRole('button', { name: 'Selengkapnya' });
    // Cut to three lines: the hashtags and the link are below the fold of the preview.
    const clipped = () => text.evaluate((el) => el.scrollHeight > el.clientHeight + 1);
    expect(await clipped()).toBe(true);
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.focus();
    await popup.keyboard.press('Enter');
    await first.getByRole('button', { name: 'Ringkas' }).waitFor();
    expect(await first.getByRole('button', { name: 'Ringkas' }).getAttribute('aria-expanded')).toBe('true');
    expect(await clipped()).toBe(false);
    expect(await popup.getByText('Facebook hanya menerima tautan', { exact: false }).count()).toBe(1);
    // Filters set, then "Reset filter" clears them all.
    await popup.getByRole('combobox', { name: 'Prioritas' }).selectOption('mandatory');
    await popup.getByRole('searchbox', { name: 'Cari postingan' }).fill('bupati');
    await expect.poll(() => popup.getByRole('article').count()).toBe(1);
    await popup.getByRole('button', { name: 'Reset filter' }).click();
    await expect.poll(() => popup.getByRole('article').count()).toBe(current().length);
    expect(await popup.getByRole('searchbox', { name: 'Cari postingan' }).inputValue()).toBe('');
    expect(await popup.getByRole('button', { name: 'Reset filter' }).count()).toBe(0);
    await popup.close();
  });
});
