import { storage } from '#imports';
import { composeText } from '../compose';
import type { Item } from '../protocol/item';
import { facebookSharerUrl, xIntentUrl } from './links';

// A share started in the popup that the composer in a new tab finishes. Kept in session storage
// so it survives the background being stopped, and only for a short while.

export interface OneClick {
  tabId: number;
  itemId: string;
  platform: 'x' | 'facebook';
  variant: number;
  at: number;
}

const pending = storage.defineItem<OneClick[]>('session:oneclick', { fallback: [] });
const TTL_MS = 2 * 60_000;

export const COMPOSER_URL = { x: 'https://x.com/compose/post', facebook: 'https://www.facebook.com/' } as const;

export async function addOneClick(o: OneClick): Promise<void> {
  const list = (await pending.getValue()).filter((p) => p.tabId !== o.tabId && o.at - p.at < TTL_MS);
  await pending.setValue([...list, o]);
}

/** The pending share for a tab; `take` removes it so it is inserted once. */
export async function oneClickFor(tabId: number, take: boolean, now = Date.now()): Promise<OneClick | undefined> {
  const list = await pending.getValue();
  const found = list.find((p) => p.tabId === tabId && now - p.at < TTL_MS);
  if (take && found) await pending.setValue(list.filter((p) => p !== found));
  return found;
}

/** Where a one-click share goes when the composer cannot be used (logged out): the web intent. */
export function fallbackUrl(item: Item, platform: OneClick['platform'], variant: number): string {
  if (platform === 'x') return xIntentUrl(composeText(item, 'x', variant).text);
  return facebookSharerUrl(item) ?? COMPOSER_URL.facebook;
}
