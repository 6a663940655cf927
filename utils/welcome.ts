import { storage } from '#imports';
import { browser } from 'wxt/browser';

// The welcome page: opened by itself once, on install; the options page opens it again on request.

const welcomed = storage.defineItem<number | null>('local:welcomedAt', { fallback: null, version: 1 });

export const WELCOME_PAGE = '/welcome.html';

/** Opens the welcome page unless it was opened before in this profile. */
export async function openWelcomeOnce(now = Date.now()): Promise<boolean> {
  if (await welcomed.getValue()) return false;
  await welcomed.setValue(now);
  await browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PAGE) });
  return true;
}
