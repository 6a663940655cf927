import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentItems } from '@/utils/feed/select';
import { parseFeedJson } from '@/utils/protocol/feed';
import { buildDemoFeed } from '../../server/demo/feed';
import { FIREFOX_BUILD, startAgency, useFeedInFirefox } from './support/extension';
import { launchFirefox, type LaunchedFirefox } from './support/firefox';

let firefox: LaunchedFirefox;
let agency: Awaited<ReturnType<typeof startAgency>>;

beforeAll(async () => {
  agency = await startAgency();
  firefox = await launchFirefox({ extensionDir: FIREFOX_BUILD, lang: 'id' });
});

afterAll(async () => {
  await firefox?.close();
  await agency?.agency.close();
});

describe('Firefox', () => {
  it('installs the extension, and its popup lists the posts of the feed', async () => {
    await useFeedInFirefox(firefox, agency.feedUrl);

    const parsed = parseFeedJson(buildDemoFeed({ base: new URL(agency.feedUrl).origin, now: Date.now() }));
    if (!parsed.ok) throw new Error('demo feed does not parse');
    const titles = currentItems(parsed.feed.items, Date.now()).map((i) => i.title);

    const popup = await firefox.openExtensionPage('popup.html');
    await popup.waitForFunction((n: number) => document.querySelectorAll('article').length === n, { timeout: 20_000 }, titles.length);
    expect(await popup.$eval('h1', (h) => h.textContent)).toBe('Postingan resmi');
    expect(await popup.$$eval('article h2', (hs) => hs.map((h) => h.textContent))).toEqual(titles);
    expect(await popup.$$eval('button', (bs) => bs.map((b) => b.textContent))).toContain('Bagikan ke X');
  });
});
