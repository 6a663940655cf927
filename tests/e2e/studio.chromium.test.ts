import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { makePng } from '../../server/demo/png';
import { DEMO_ACCOUNTS } from '../../server/demo/seed';
import { isoToLocal } from '../../server/studio/web/time';
import { parseFeedText } from '../../utils/protocol/feed';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, readHistory, type ExtensionGlobal } from './support/extension';
import { X, type XWindow } from './support/fixture-api';
import { startFixtureServer, type FixtureServer } from './support/fixture-server';

// The studio in real Chromium (Indonesian UI, the page's own script under its CSP): an editor
// drafts a post with a picture and watches the live preview follow her typing, an approver sends
// it back, the editor fixes it, the approver approves and publishes it, and it is in feed.json.
// Then the built extension, holding the agency's public key, lists the post after a refresh and
// inserts it with its picture into the X fixture composer; the approver withdraws it and it
// leaves the popup at the next refresh.
// Writes docs/studio-form.png, docs/studio-review.png and docs/studio-feed.png.

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const password = (user: string) => DEMO_ACCOUNTS.find((a) => a.user === user)!.password;

let agency: AgencyServer;
let base: string;
/** The same server for Node's fetch, which may try ::1 for `localhost` where nothing listens. */
let origin: string;
let browser: LaunchedChromium;
let page: Page;
/** What the browser said about blocked scripts, styles or requests: must stay empty. */
const violations: string[] = [];
let postId = '';

async function login(user: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Nama pengguna').fill(user);
  await page.getByLabel('Kata sandi').fill(password(user));
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('button', { name: 'Keluar' }).waitFor();
}

async function logout(): Promise<void> {
  await page.getByRole('button', { name: 'Keluar' }).click();
  await page.getByRole('heading', { name: 'Masuk' }).waitFor();
}

const xCount = async () => Number(/(\d+) \/ 280/.exec((await page.locator('.x-count strong').first().textContent()) ?? '')?.[1] ?? NaN);
const status = () => page.locator('.meta-list .status').textContent();

beforeAll(async () => {
  agency = await createAgencyServer({ quiet: true, demo: true, jobs: false });
  ({ base } = await agency.listen(0));
  origin = base.replace('//localhost:', '//127.0.0.1:');
  browser = await launchChromium({ lang: 'id' });
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(error.message));
  mkdirSync(DOCS, { recursive: true });
});

let extension: LaunchedChromium | undefined;
let fixtures: FixtureServer | undefined;

afterAll(async () => {
  await extension?.close();
  await fixtures?.close();
  await browser?.close();
  await agency?.close();
});

describe('the studio (Chromium, Indonesian UI)', () => {
  it('an editor drafts a post with a picture, sees the preview follow her typing, and submits it', async () => {
    await login('editor.kominfo');
    await page.getByRole('navigation', { name: 'Menu studio' }).getByRole('link', { name: 'Postingan' }).click();
    await page.getByRole('link', { name: 'Postingan baru' }).click();
    await page.getByRole('heading', { name: 'Postingan baru' }).waitFor();
    // The script took over the preview (it says so), under `script-src 'self'`.
    await expect.poll(() => page.locator('#preview-mode').textContent()).toBe('Pratinjau diperbarui saat Anda mengetik.');

    await page.getByLabel('Judul').fill('Posyandu Keliling Hadir di 12 Desa');
    await page.getByLabel('Teks', { exact: true }).fill('Mulai Senin, posyandu keliling menyambangi 12 desa terpencil setiap pekan.');
    const x = page.getByRole('group', { name: 'Keterangan X' });
    const before = await xCount();
    await x.getByLabel('Varian 1', { exact: true }).pressSequentially('Posyandu keliling hadir di 12 desa mulai Senin.', { delay: 5 });
    await expect
      .poll(() => page.locator('pre.inserted[data-platform="x"]').first().textContent())
      .toContain('Posyandu keliling hadir di 12 desa mulai Senin.');
    const typed = await xCount();
    expect(typed).not.toBe(before);
    // Another X variant, added in place; the count follows each keystroke.
    await x.getByRole('button', { name: 'Tambah varian' }).click();
    await x.getByLabel('Varian 2', { exact: true }).pressSequentially('Cek jadwal posyandu keliling di desamu!', { delay: 5 });
    await expect.poll(() => page.locator('.x-count').count()).toBe(2);
    const facebook = page.getByRole('group', { name: 'Keterangan Facebook' });
    await facebook
      .getByLabel('Varian 1', { exact: true })
      .fill('Posyandu keliling kini hadir di 12 desa. Bawa buku KIA dan ajak tetangga!');
    await page.getByLabel('Tagar').fill('KabupatenContoh CegahStunting');
    await expect.poll(xCount).toBeGreaterThan(typed);

    // The picture goes up the moment it is chosen and shows in the card.
    await expect.poll(() => page.locator('#preview-body [data-code="no_picture"]').count()).toBe(1);
    await page.getByLabel('Gambar', { exact: true }).setInputFiles({
      name: 'posyandu.png',
      mimeType: 'image/png',
      buffer: Buffer.from(makePng(1200, 675, (px, py) => [30 + (px % 200), 120 + (py % 100), 200])),
    });
    await page.getByText('Gambar terunggah.').waitFor();
    await expect
      .poll(() => page.locator('#preview-body img.thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(1200);
    await expect.poll(() => page.locator('#preview-body [data-code="no_picture"]').count()).toBe(0);

    await page.getByLabel('Prioritas').selectOption('mandatory');
    await expect.poll(() => page.locator('.card .badge-mandatory').textContent()).toBe('Wajib');
    await page.getByLabel('Kampanye').selectOption({ label: 'Cegah Stunting' });
    // Published in two days, at 08.00 in the agency's zone (WIB).
    const when = `${isoToLocal(new Date(Date.now() + 2 * 86_400_000).toISOString(), 420).slice(0, 10)}T08:00`;
    await page.getByLabel('Terbit pada (WIB)').fill(when);
    // From the top, nothing focused: the sticky preview then sits beside the form's start.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: `${DOCS}studio-form.png`, fullPage: true });

    await page.getByRole('button', { name: 'Ajukan' }).click();
    await page.getByText('Diajukan untuk ditinjau.').waitFor();
    expect(await status()).toBe('Diajukan');
    postId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(postId).toMatch(/posyandu-keliling-hadir-di-12-desa$/);
    await logout();
  });

  it('an approver finds it in the review queue and asks for a change', async () => {
    await login('penyetuju');
    await page.getByRole('link', { name: 'Antrean tinjauan' }).click();
    await page.getByRole('heading', { name: 'Antrean tinjauan' }).waitFor();
    const link = page.getByRole('link', { name: 'Posyandu Keliling Hadir di 12 Desa' });
    await link.waitFor();
    await page.screenshot({ path: `${DOCS}studio-review.png`, fullPage: true });
    await link.click();
    await page.getByLabel('Komentar').first().fill('Sebutkan bahwa layanan ini gratis.');
    await page.getByRole('button', { name: 'Minta perbaikan' }).click();
    await page.getByText('Dikembalikan untuk diperbaiki.').waitFor();
    expect(await status()).toBe('Perlu perbaikan');
    await logout();
  });

  it('the editor fixes it and submits it again', async () => {
    await login('editor.kominfo');
    await page.goto(`${base}/studio/posts/${encodeURIComponent(postId)}`);
    await page.locator('ol.comments').getByText('Sebutkan bahwa layanan ini gratis.').waitFor();
    await expect.poll(() => page.locator('#preview-mode').textContent()).toBe('Pratinjau diperbarui saat Anda mengetik.');
    const before = await xCount();
    const first = page.getByRole('group', { name: 'Keterangan X' }).getByLabel('Varian 1', { exact: true });
    await first.press('End');
    await first.pressSequentially(' Gratis!', { delay: 5 });
    await expect.poll(xCount).toBe(before + ' Gratis!'.length);
    // The picture stays the uploaded one through the edit.
    await expect.poll(() => page.locator('#preview-body img.thumb').count()).toBe(1);
    await page.getByRole('button', { name: 'Ajukan' }).click();
    await page.getByText('Diajukan untuk ditinjau.').waitFor();
    expect(await status()).toBe('Diajukan');
    await logout();
  });

  it('the approver approves it (scheduled), publishes it now, and it is in the feed', async () => {
    await login('penyetuju');
    await page.getByRole('link', { name: 'Antrean tinjauan' }).click();
    await page.getByRole('link', { name: 'Posyandu Keliling Hadir di 12 Desa' }).click();
    await page.getByText(/postingan Terjadwal dan terbit pada waktunya/).waitFor();
    await page.getByRole('button', { name: 'Setujui' }).click();
    await page.getByText('Disetujui.').waitFor();
    expect(await status()).toBe('Terjadwal');
    expect(parseIds(await (await fetch(`${origin}/feed.json`)).text())).not.toContain(postId);
    await page.getByRole('button', { name: 'Terbitkan' }).click();
    await page.getByText('Diterbitkan.').waitFor();
    expect(await status()).toBe('Terbit');

    const feed = parseFeedText(await (await fetch(`${origin}/feed.json`)).text());
    if (!feed.ok) throw new Error('feed.json does not parse');
    const item = feed.feed.items.find((i) => i.id === postId);
    expect(item).toBeDefined();
    expect(item!._siar?.priority).toBe('mandatory');
    expect(item!._siar?.captions?.x).toEqual([
      'Posyandu keliling hadir di 12 desa mulai Senin. Gratis!',
      'Cek jadwal posyandu keliling di desamu!',
    ]);
    expect(item!._siar?.image_sha256).toMatch(/^[0-9a-f]{64}$/);
    const picture = await fetch(item!.image!.replace(base, origin));
    expect(picture.status).toBe(200);

    await page.getByRole('link', { name: 'Kesehatan feed' }).click();
    await page.getByRole('heading', { name: 'Kesehatan feed' }).waitFor();
    await page.getByText('Semuanya baik.').waitFor();
    expect(await page.getByLabel('Kunci publik feed').inputValue()).toBe(agency.publicKey);
    await page.screenshot({ path: `${DOCS}studio-feed.png`, fullPage: true });
    expect(violations).toEqual([]);
  });
});

describe('the published post in the extension (Chromium)', () => {
  const title = 'Posyandu Keliling Hadir di 12 Desa';
  let popup: Page;

  it("the extension with the agency's public key lists the post after a refresh", async () => {
    expect(postId).not.toBe('');
    fixtures = await startFixtureServer();
    extension = await launchChromium({ extensionDir: CHROME_BUILD, fixturePort: fixtures.port, lang: 'id' });
    popup = await extension.context.newPage();
    await popup.goto(`${extension.extensionBase}/popup.html`);
    await popup.evaluate(
      async (settings) => {
        const ext = (globalThis as unknown as { chrome: ExtensionGlobal }).chrome;
        await ext.storage.local.set({ settings });
        await ext.runtime.sendMessage({ type: 'settings/changed' });
      },
      { feedUrl: `${base}/feed.json`, feedPublicKey: agency.publicKey },
    );
    await popup.reload();
    const card = popup.getByRole('article').filter({ has: popup.getByRole('heading', { name: title }) });
    await card.waitFor();
    await expect.poll(() => card.count()).toBe(1);
  });

  it('inserts it, with its picture, into the X composer', async () => {
    const page = await extension!.context.newPage();
    await page.goto('https://x.com/home');
    const inline = page.locator('[data-testid="primaryColumn"]');
    await inline.getByRole('button', { name: 'Sisipkan postingan resmi' }).click();
    const panel = page.getByRole('dialog', { name: 'Postingan resmi' });
    const entry = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
    const text = (await entry.getByLabel('Teks yang dibagikan').textContent())!;
    expect(text).toContain('Posyandu keliling hadir di 12 desa mulai Senin. Gratis!');
    await entry.getByRole('button', { name: 'Sisipkan' }).click();
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.getText(0))).toBe(text);
    // The picture came from the studio's upload, its bytes checked against the signed hash.
    await expect.poll(() => page.evaluate(() => (window as unknown as XWindow).__fixture.attachments(0))).toBe(1);
    await page.locator(X.inlinePost).click();
    await page.locator(X.toast).waitFor();
    await expect
      .poll(async () =>
        (await readHistory(popup))
          .filter((e) => e.item_id === postId)
          .map((e) => e.action)
          .sort(),
      )
      .toEqual(['inserted', 'posted']);
    await page.close();
  });

  it('the approver withdraws it and it leaves the popup after the next refresh', async () => {
    await page.goto(`${base}/studio/posts/${encodeURIComponent(postId)}`);
    await page.getByRole('heading', { name: title }).first().waitFor();
    await page.getByLabel('Alasan').fill('Jadwal berubah, menunggu pengumuman baru.');
    await page.getByRole('button', { name: 'Tarik' }).click();
    await page.getByText('Ditarik dari feed.').waitFor();
    expect(parseIds(await (await fetch(`${origin}/feed.json`)).text())).not.toContain(postId);

    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await expect.poll(() => popup.getByRole('heading', { name: title }).count()).toBe(0);
    // The rest of the agency's feed is still there.
    expect(await popup.getByRole('article').count()).toBeGreaterThan(0);
  });
});

function parseIds(text: string): string[] {
  const parsed = parseFeedText(text);
  return parsed.ok ? parsed.feed.items.map((i) => i.id) : [];
}
