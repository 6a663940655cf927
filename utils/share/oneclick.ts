import { storage } from '#imports';
import { composeFor } from '../compose';
import type { Item } from '../protocol/feed-schema';
import type { Platform } from '../protocol/platforms';
import { siteById } from '../sites/registry';
import { linkShareUrl } from './links';

// A share started in the popup that the composer in a new tab finishes. Kept in session storage
// so it survives the background being stopped, and only for a short while.

export interface OneClick {
  tabId: number;
  itemId: string;
  platform: Platform;
  variant: number;
  at: number;
  /**
   * A link share sent into a tab of the site's web app that was already open (WhatsApp Web's chat
   * picker): the site itself takes the post, and the tab only falls back when it is logged out.
   */
  link?: boolean;
}

const pending = storage.defineItem<OneClick[]>('session:oneclick', { fallback: [], version: 1 });
const TTL_MS = 2 * 60_000;

export async function addOneClick(o: OneClick): Promise<void> {
  const list = (await pending.getValue()).filter((p) => p.tabId !== o.tabId && o.at - p.at < TTL_MS);
  await pending.setValue([...list, o]);
}

function live(list: readonly OneClick[], tabId: number, now: number): OneClick | undefined {
  return list.find((p) => p.tabId === tabId && now - p.at < TTL_MS);
}

/** The pending share for a tab, left pending. */
export async function peekOneClick(tabId: number, now = Date.now()): Promise<OneClick | undefined> {
  return live(await pending.getValue(), tabId, now);
}

/** The pending share for a tab, taken: it is inserted once. */
export async function takeOneClick(tabId: number, now = Date.now()): Promise<OneClick | undefined> {
  const list = await pending.getValue();
  const found = live(list, tabId, now);
  if (found) await pending.setValue(list.filter((p) => p !== found));
  return found;
}

/** Where a one-click share goes when the composer cannot be used (logged out): the site's link share. */
export function fallbackUrl(item: Item, platform: Platform, variant: number): string | undefined {
  const site = siteById(platform);
  return site && linkShareUrl(site, item, composeFor(item, site.id, variant).text);
}
