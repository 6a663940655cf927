import { storage } from '#imports';
import { browser } from 'wxt/browser';
import type { Item } from '../protocol/item';
import { effectiveWorkHours } from '../settings/settings';
import { t } from '../i18n';
import { isWorkingTime } from './hours';
import { EMPTY_MEMORY, newMandatoryPosts, type NotifyMemory } from './new-posts';

// System notifications for new mandatory posts. This module owns the memory of which posts were
// seen and the post a click asked the popup to show.

const memory = storage.defineItem<NotifyMemory>('local:notified', { fallback: EMPTY_MEMORY, version: 1 });
const focus = storage.defineItem<{ itemId: string; at: number } | null>('local:popupFocus', { fallback: null, version: 1 });

export const NOTIFICATION_PREFIX = 'siar-post:';
/** More new posts than this at once are left to the badge and the popup, not a pile of notifications. */
const MAX_AT_ONCE = 3;
/** A focus request older than this is stale: the popup was opened some other way. */
const FOCUS_TTL_MS = 2 * 60_000;

export const NOTIFICATIONS_PERMISSION = { permissions: ['notifications'] } as { permissions: ['notifications'] };

export async function notificationsAllowed(): Promise<boolean> {
  try {
    return await browser.permissions.contains(NOTIFICATIONS_PERMISSION);
  } catch {
    return false;
  }
}

export interface NotifyDeps {
  /** The clock: injectable, so working hours can be tested at any hour. */
  now?: () => number;
  allowed?: () => Promise<boolean>;
  show?: (id: string, title: string, message: string) => Promise<void>;
}

async function showNotification(id: string, title: string, message: string): Promise<void> {
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
  });
}

/**
 * After a refresh: a notification for each mandatory post new to this browser, inside working
 * hours and with the user's permission. Returns the ids shown. A post is considered once.
 */
export async function notifyNewPosts(items: readonly Item[], deps: NotifyDeps = {}): Promise<string[]> {
  const now = (deps.now ?? Date.now)();
  const { fresh, memory: next } = newMandatoryPosts(items, await memory.getValue(), now);
  await memory.setValue(next);
  if (fresh.length === 0) return [];
  const { hours } = await effectiveWorkHours();
  if (!isWorkingTime(now, hours)) return [];
  if (!(await (deps.allowed ?? notificationsAllowed)())) return [];
  const show = deps.show ?? showNotification;
  const shown: string[] = [];
  for (const item of fresh.slice(0, MAX_AT_ONCE)) {
    try {
      await show(`${NOTIFICATION_PREFIX}${item.id}`, t('notify_title', item.title ?? item.summary ?? item.id), notifyMessage(item));
      shown.push(item.id);
    } catch (err) {
      console.warn('[siar] notification not shown', err);
    }
  }
  return shown;
}

function notifyMessage(item: Item): string {
  const agency = item._siar?.agency?.name;
  return agency ? t('notify_body_from', agency) : t('notify_body');
}

/**
 * A click on a notification: the popup, on that post. Browsers that cannot open the action's popup
 * from here (Firefox asks for a user gesture; Chrome needs a focused window) get the popup page
 * in a tab instead, on the same post.
 */
export async function openPostFromNotification(notificationId: string, now = Date.now()): Promise<'popup' | 'tab' | undefined> {
  if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return undefined;
  const itemId = notificationId.slice(NOTIFICATION_PREFIX.length);
  void browser.notifications?.clear(notificationId).catch(() => {});
  await focus.setValue({ itemId, at: now });
  const action = browser.action ?? browser.browserAction;
  try {
    if (typeof action?.openPopup !== 'function') throw new Error('no openPopup');
    await action.openPopup();
    return 'popup';
  } catch {
    await focus.setValue(null);
    await browser.tabs.create({ url: browser.runtime.getURL(`/popup.html?item=${encodeURIComponent(itemId)}`) });
    return 'tab';
  }
}

/** The post the popup should show first: its address's `?item=`, else a fresh click's. Read once. */
export async function takePopupFocus(search: string, now = Date.now()): Promise<string | undefined> {
  const fromUrl = new URLSearchParams(search).get('item');
  if (fromUrl) return fromUrl;
  const f = await focus.getValue();
  if (!f) return undefined;
  await focus.setValue(null);
  return now - f.at <= FOCUS_TTL_MS ? f.itemId : undefined;
}
