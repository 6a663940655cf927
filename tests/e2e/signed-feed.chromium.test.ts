import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyServer, type AgencyServer } from '../../server/app';
import { buildDemoFeed } from '../../server/demo/feed';
import { generateSigningKey, signFeed } from '../../server/signing';
import { launchChromium, type LaunchedChromium } from './support/chromium';
import { CHROME_BUILD, type ExtensionGlobal } from './support/extension';

// A hijacked agency server must not make ASN share its content: with the agency's public key set,
// the extension uses a feed only if feed.json.sig verifies over its exact bytes.

const key = generateSigningKey();
let agency: AgencyServer;
let browser: LaunchedChromium;
let popup: Page;
let mode: 'signed' | 'hijacked' | 'unsigned' = 'signed';
const startedAt = Date.now();
const hijacked = {
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Konten Resmi Pemkab Contoh',
  items: [{ id: 'judi', title: 'Menang besar di situs slot!', url: 'https://judi.example/' }],
};

beforeAll(async () => {
  const demo = (base: string) => Buffer.from(JSON.stringify(buildDemoFeed({ base, now: startedAt }), null, 2));
  agency = await createAgencyServer({
    quiet: true,
    demo: true,
    now: startedAt,
    feed: ({ base }) => (mode === 'signed' ? demo(base) : hijacked),
    // The attacker controls feed.json but not the agency's private key: the signature stays the
    // one of the genuine feed (or is missing).
    signature: ({ base }) => (mode === 'unsigned' ? undefined : signFeed(demo(base), key)),
  });
  const { base } = await agency.listen(0);
  browser = await launchChromium({ extensionDir: CHROME_BUILD, lang: 'id' });
  popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionBase}/popup.html`);
  await popup.evaluate(
    async ({ feedUrl, feedPublicKey }) => {
      const ext = (globalThis as unknown as { chrome: ExtensionGlobal }).chrome;
      await ext.storage.local.set({ settings: { feedUrl, feedPublicKey } });
      await ext.runtime.sendMessage({ type: 'settings/changed' });
    },
    { feedUrl: `${base}/feed.json`, feedPublicKey: key.publicKey },
  );
  await popup.reload();
});

afterAll(async () => {
  await browser?.close();
  await agency?.close();
});

describe('signed feeds (Chromium)', () => {
  it('a feed whose signature verifies is listed', async () => {
    await expect.poll(() => popup.getByRole('article').count()).toBeGreaterThan(3);
  });

  it('a tampered feed is refused: the last good posts stay and the user is told', async () => {
    const count = await popup.getByRole('article').count();
    mode = 'hijacked';
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    // Calm words for ASN: what happened and that the posts stay; no alarm they can do nothing about.
    await popup.getByText('Feed terbaru tidak lolos pemeriksaan tanda tangan, jadi tidak dipakai.', { exact: false }).waitFor();
    expect(await popup.getByText('dibobol', { exact: false }).count()).toBe(0);
    expect(await popup.getByRole('article').count()).toBe(count);
    expect(await popup.getByText('Menang besar di situs slot!').count()).toBe(0);
  });

  it('a changed feed without a signature is refused too', async () => {
    mode = 'unsigned';
    await popup.getByRole('button', { name: 'Muat ulang' }).click();
    await popup
      .getByText('Feed terbaru tidak bertanda tangan, jadi tidak dipakai. Postingan terakhir tetap ada di sini', { exact: false })
      .waitFor();
    expect(await popup.getByRole('article').count()).toBeGreaterThan(3);
    expect(await popup.getByText('Menang besar di situs slot!').count()).toBe(0);
  });
});
