// Helpers that speak to the built Siar extension from an extension page (popup, options).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { LaunchedFirefox } from './firefox';
import { createAgencyServer, type AgencyServer } from '../../../server/app';
import { buildDemoFeed } from '../../../server/demo/feed';
import { signatureOf, type FeedBody } from '../../../server/publish/routes';
import { generateSigningKey } from '../../../server/signing';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHROME_BUILD = path.join(ROOT, '.output/chrome-mv3');
export const FIREFOX_BUILD = path.join(ROOT, '.output/firefox-mv2');

export interface StoredEvent {
  id: string;
  item_id: string;
  platform: string;
  action: string;
  post_url?: string;
  sync: string;
  at: string;
}

/**
 * The demo agency on a free port, whose feed a test can swap (`feed.body = …`; undefined = demo).
 * `signed` (by default): feed.json.sig is served too, signed with the key `agency.publicKey`
 * names, as a real agency's feed is.
 */
export async function startAgency(
  opts: { signed?: boolean } = { signed: true },
): Promise<{ agency: AgencyServer; feedUrl: string; feed: { body?: FeedBody } }> {
  const feed: { body?: FeedBody } = {};
  const startedAt = Date.now();
  const signingKey = opts.signed ? generateSigningKey() : undefined;
  const agency = await createAgencyServer({
    quiet: true,
    demo: true,
    signingKey,
    feed: ({ base }) => feed.body ?? buildDemoFeed({ base, now: startedAt }),
    ...(signingKey ? { signingKey, signature: signatureOf(signingKey) } : {}),
  });
  const { base } = await agency.listen(0);
  return { agency, feedUrl: `${base}/feed.json`, feed };
}

/** Points the extension at `feedUrl` the way the options page does, and waits for the refresh. */
/** The extension API as pages see it (`chrome` in Chromium, `browser` in Firefox). */
export interface ExtensionGlobal {
  storage: { local: { set(v: object): Promise<void> } };
  runtime: { sendMessage(m: object): Promise<unknown> };
}

export async function useFeed(page: Page, feedUrl: string): Promise<void> {
  await page.evaluate(async (url) => {
    const ext = (globalThis as unknown as { chrome: ExtensionGlobal }).chrome;
    await ext.storage.local.set({ settings: { feedUrl: url } });
    await ext.runtime.sendMessage({ type: 'settings/changed' });
  }, feedUrl);
}

export async function readHistory(page: Page): Promise<StoredEvent[]> {
  return page.evaluate(
    () =>
      new Promise<StoredEvent[]>((resolve, reject) => {
        const open = indexedDB.open('siar-history');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('events')) return resolve([]);
          const req = db.transaction('events').objectStore('events').getAll();
          req.onsuccess = () => {
            resolve(req.result as StoredEvent[]);
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** The same for Firefox: its options page sets the feed and asks for a refresh. */
export async function useFeedInFirefox(firefox: LaunchedFirefox, feedUrl: string): Promise<void> {
  const options = await firefox.openExtensionPage('options.html');
  await options.evaluate(async (url: string) => {
    const ext = (globalThis as unknown as { browser: ExtensionGlobal }).browser;
    await ext.storage.local.set({ settings: { feedUrl: url } });
    await ext.runtime.sendMessage({ type: 'settings/changed' });
  }, feedUrl);
  await options.close();
}
