import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { composeFor } from '@/utils/compose';
import { ItemSchema, parseFeedJson } from '@/utils/protocol/feed';
import { currentItems } from '@/utils/feed/select';
import { launchChromium, grantClipboard, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, ROOT, startAgency, useFeed } from './support/extension';
import { buildDemoFeed } from '../../server/demo/feed';

let browser: LaunchedChromium;
let agency: Awaited<ReturnType<typeof startAgency>>;
let popup: Page;

async function openPopup(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto(`${browser.extensionBase}/popup.html`);
  await page.getByRole('heading', { name: 'Postingan resmi' }).waitFor();
  return page;
}

function demoItems() {
  const parsed = parseFeedJson(buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() }));
  if (!parsed.ok) throw new Error('demo feed does not parse');
  return parsed.feed.items;
}

beforeAll(async () => {
  agency = await startAgency();
  browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id' });
  // Extension origins cannot be granted permissions: the clipboard is read from the agency's page.
  await grantClipboard(browser.context, new URL(agency.feedUrl).origin);
  const setup = await browser.context.newPage();
  await setup.goto(`${browser.extensionBase}/options.html`);
  await useFeed(setup, agency.feedUrl);
  await setup.close();
});

afterAll(async () => {
  await browser?.close();
  await agency?.agency.close();
});

beforeEach(async () => {
  // Every test starts from the demo feed, freshly fetched.
  agency.feed.body = undefined;
  popup = await openPopup();
  await popup.getByRole('button', { name: 'Muat ulang' }).click();
  const expected = currentItems(demoItems(), Date.now()).length;
  await expect.poll(() => popup.getByRole('article').count()).toBe(expected);
  await expect.poll(() => popup.getByRole('button', { name: 'Muat ulang' }).isEnabled()).toBe(true);
});

describe('popup (Chromium, Indonesian UI)', () => {
  it('lists the current posts, mandatory first, expired hidden', async () => {
    const items = demoItems();
    const current = currentItems(items, Date.now());
    const expired = items.filter((i) => !current.includes(i));
    expect(expired.length).toBeGreaterThan(0);

    const articles = popup.getByRole('article');
    await expect.poll(() => articles.count()).toBe(current.length);
    const titles = await popup.locator('article h2').allTextContents();
    expect(titles).toEqual(current.map((i) => i.title));
    for (const e of expired) expect(titles).not.toContain(e.title);
    // The mandatory post leads, with its badge.
    await expect.poll(() => articles.first().getByText('Wajib', { exact: true }).count()).toBe(1);
    expect(current[0]!._siar?.priority).toBe('mandatory');
    // Buttons carry the exact UI words.
    await popup.getByRole('button', { name: 'Bagikan ke X' }).first().waitFor();
    await popup.getByRole('button', { name: 'Bagikan ke WhatsApp' }).first().waitFor();
    await popup.getByRole('button', { name: 'Salin' }).first().waitFor();

    // Search and filters narrow the list.
    await popup.getByRole('searchbox', { name: 'Cari postingan' }).fill('posyandu');
    await expect.poll(() => articles.count()).toBe(current.filter((i) => JSON.stringify(i).toLowerCase().includes('posyandu')).length);
    await popup.getByRole('searchbox', { name: 'Cari postingan' }).fill('');
    await popup.getByRole('combobox', { name: 'Prioritas' }).selectOption('mandatory');
    await expect.poll(() => articles.count()).toBe(1);

    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    await popup.getByRole('combobox', { name: 'Prioritas' }).selectOption('');
    await popup.screenshot({ path: path.join(ROOT, 'docs/popup.png') });
  });

  it('Copy fills the clipboard with the composed text and records a share event', async () => {
    const before = await readHistory(popup);
    const first = popup.getByRole('article').first();
    const itemId = await first.getAttribute('data-item-id');
    const preview = await first.getByLabel('Teks yang dibagikan').textContent();
    await first.getByRole('button', { name: 'Salin' }).click();
    await popup.getByText('Tersalin — tempelkan ke kotak postingan').waitFor();
    const reader = await browser.context.newPage();
    await reader.goto(new URL('/berita/', agency.feedUrl).href).catch(() => {});
    await reader.bringToFront();
    const clip = await reader.evaluate(() => navigator.clipboard.readText());
    await reader.close();
    await popup.bringToFront();
    expect(clip).toBe(preview);
    const item = demoItems().find((i) => i.id === itemId)!;
    // The preview is one of the item's composed variants.
    const variants = Array.from({ length: 5 }, (_, v) => composeFor(item, 'default', v).text);
    expect(variants).toContain(clip);

    const after = await readHistory(popup);
    expect(after.length).toBe(before.length + 1);
    const event = after.find((e) => !before.some((b) => b.id === e.id))!;
    expect(event).toMatchObject({ item_id: itemId, action: 'copied', platform: 'other', sync: 'pending' });
    // A copy is an attempt: shown as such, never as shared (the user may say it was posted).
    await first.getByText('Di tempat lain: disalin — belum diposting').waitFor();
    await first.getByRole('button', { name: 'Sudah saya posting' }).waitFor();
    expect(await first.getByText('Sudah dibagikan').count()).toBe(0);
  });

  it('pages a long feed 30 at a time, first painted from the head of the cache', async () => {
    const now = Date.now();
    const demo = buildDemoFeed({ base: new URL(agency.feedUrl).origin, now });
    const items = Array.from({ length: 75 }, (_, i) => {
      const t = demo.items[i % demo.items.length]!;
      const { expires_at: _gone, ...siar } = t._siar ?? {};
      return {
        ...t,
        id: `${t.id}-${i}`,
        title: `${t.title} (${i + 1})`,
        date_published: new Date(now - i * 60_000).toISOString(),
        _siar: siar,
      };
    });
    agency.feed.body = { ...demo, items };
    const parsed = parseFeedJson(agency.feed.body);
    if (!parsed.ok) throw new Error('feed does not parse');
    const order = currentItems(parsed.feed.items, now).map((i) => i.title);
    expect(order).toHaveLength(75);

    const titles = () => popup.locator('article h2').allTextContents();
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await expect.poll(titles).toEqual(order.slice(0, 30));
    await popup.getByRole('button', { name: 'Tampilkan 30 lagi' }).click();
    await expect.poll(titles).toEqual(order.slice(0, 60));
    await popup.getByRole('button', { name: 'Tampilkan 15 lagi' }).click();
    await expect.poll(titles).toEqual(order);

    // Opened again: the first page comes from the stored head (40 posts), the rest after it.
    const again = await openPopup();
    try {
      await expect.poll(() => again.locator('article h2').allTextContents()).toEqual(order.slice(0, 30));
      await again.getByRole('button', { name: 'Tampilkan 30 lagi' }).click();
      await expect.poll(() => again.locator('article h2').allTextContents()).toEqual(order.slice(0, 60));
      await again.getByRole('searchbox', { name: 'Cari postingan' }).fill('(75)');
      await expect.poll(() => again.locator('article h2').allTextContents()).toEqual([order[74]]);
    } finally {
      await again.close();
    }
  });

  it('shows hostile feed strings as text, never as markup', async () => {
    agency.feed.body = {
      version: 'https://jsonfeed.org/version/1.1',
      title: '<b>Feed</b>',
      items: [
        {
          id: 'hostile',
          title: '<img src=x onerror="window.__pwned=1">Judul',
          summary: '<script>window.__pwned=2</script>',
          url: 'https://pemkab.example/a',
          _siar: {
            agency: { id: 'o', name: '<a href="javascript:alert(1)">OPD</a>' },
            captions: { default: '<svg onload="window.__pwned=3">' },
          },
        },
      ],
    };
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    const title = popup.locator('article h2');
    await expect.poll(() => title.textContent()).toBe('<img src=x onerror="window.__pwned=1">Judul');
    await popup.locator('article').getByText('<a href="javascript:alert(1)">OPD</a>').waitFor();
    await popup.locator('article').getByText('<svg onload="window.__pwned=3">', { exact: false }).waitFor();
    expect(await popup.locator('article img[src="x"], article script, article svg[onload], article a[href^="javascript"]').count()).toBe(0);
    expect(await popup.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('keeps the last good posts through a broken feed and says why', async () => {
    const articles = popup.getByRole('article');
    const count = await articles.count();
    expect(count).toBeGreaterThan(1);

    agency.feed.body = '<html>Situs ini sedang diretas</html>';
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await popup.getByText('Feed rusak: isinya bukan JSON').waitFor();
    await popup.getByText('Postingan terakhir tetap ada di sini; postingan baru akan masuk begitu feed pulih.', { exact: false }).waitFor();
    expect(await articles.count()).toBe(count);

    agency.feed.body = { version: 'https://jsonfeed.org/version/1.1', title: 't', items: [{ id: 1 }, { nope: true }] };
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await popup.getByText('Feed tidak berisi satu pun postingan yang sah').waitFor();
    expect(await articles.count()).toBe(count);

    // A new popup (offline copy from IndexedDB) still lists them and still says why.
    const again = await openPopup();
    await expect.poll(() => again.getByRole('article').count()).toBe(count);
    await again.getByText('Feed tidak berisi satu pun postingan yang sah').waitFor();
    await again.close();

    // Good again: the error goes away; one bad item among good ones is skipped and counted.
    const good = buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() });
    agency.feed.body = { ...good, items: [...good.items, { id: 'bad', url: 'javascript:alert(1)' }] };
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await popup.getByText('1 postingan tidak valid dilewati').waitFor();
    expect(await popup.getByText('Feed tidak berisi satu pun postingan yang sah').count()).toBe(0);
  });

  it('Share on WhatsApp opens wa.me with the composed text', async () => {
    const first = popup.getByRole('article').first();
    const itemId = (await first.getAttribute('data-item-id'))!;
    const item = ItemSchema.parse(demoItems().find((i) => i.id === itemId));
    // No network here: the request the new tab makes is the evidence.
    const [request] = await Promise.all([
      browser.context.waitForEvent('request', { predicate: (r) => r.url().startsWith('https://wa.me/') }),
      first.getByRole('button', { name: 'Bagikan ke WhatsApp' }).click(),
    ]);
    expect(request.url()).toMatch(/^https:\/\/wa\.me\/\?text=/);
    const text = new URL(request.url()).searchParams.get('text');
    const variants = Array.from({ length: 5 }, (_, v) => composeFor(item, 'whatsapp', v).text);
    expect(variants).toContain(text);
    await request.frame().page().close();
    const events = await readHistory(popup);
    expect(events.some((e) => e.item_id === itemId && e.platform === 'whatsapp' && e.action === 'intent_opened')).toBe(true);
  });
});
