import { browser } from 'wxt/browser';
import { loadFeedState } from '@/utils/feed/cache';
import { refreshFeed } from '@/utils/feed/service';
import { isStale, unsharedUrgentCount } from '@/utils/feed/select';
import { refreshMinutes } from '@/utils/protocol/item';
import { recordShare } from '@/utils/history/record';
import { sharedItemIds } from '@/utils/history/queries';
import { type Message, type RefreshReply, type ShareReply } from '@/utils/messages';
import { MessageSchema } from '@/utils/messages/schema';
import { effectiveFeedUrl } from '@/utils/settings';

// Wiring only: alarms and messages in, calls into utils/ out.

const FEED_ALARM = 'siar-feed-refresh';

export default defineBackground(() => {
  const action = browser.action ?? browser.browserAction;

  async function updateBadge(): Promise<void> {
    const url = await effectiveFeedUrl();
    const state = url ? await loadFeedState(url) : undefined;
    const n = state ? unsharedUrgentCount(state.items, await sharedItemIds(), Date.now()) : 0;
    await action.setBadgeText({ text: n > 0 ? String(n) : '' });
    await action.setBadgeBackgroundColor({ color: '#b3261e' });
  }

  async function schedule(minutes: number): Promise<void> {
    const existing = await browser.alarms.get(FEED_ALARM);
    if (existing?.periodInMinutes === minutes) return;
    await browser.alarms.create(FEED_ALARM, { periodInMinutes: minutes, delayInMinutes: minutes });
  }

  async function refresh(force: boolean): Promise<RefreshReply> {
    const url = await effectiveFeedUrl();
    if (!url) {
      await updateBadge();
      return { ok: false };
    }
    const cached = await loadFeedState(url);
    const minutes = refreshMinutes(cached?.meta);
    if (!force && !isStale(cached, minutes, Date.now())) return { ok: !cached?.lastError };
    const state = await refreshFeed(url);
    await schedule(refreshMinutes(state.meta));
    await updateBadge();
    return { ok: !state.lastError };
  }

  async function share(msg: Extract<Message, { type: 'share/record' }>): Promise<ShareReply> {
    const url = await effectiveFeedUrl();
    const state = url ? await loadFeedState(url) : undefined;
    // Only posts of the current feed can be recorded: a page cannot invent share events.
    const item = state?.items.find((i) => i.id === msg.itemId);
    if (!url || !item) return { ok: false, error: 'unknown_item' };
    const event = await recordShare({ item, feedUrl: url, platform: msg.platform, action: msg.action });
    await updateBadge();
    return { ok: true, eventId: event.id };
  }

  async function handle(raw: unknown): Promise<unknown> {
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('[siar] refused a malformed message', parsed.error.issues[0]);
      return { ok: false, error: 'bad_message' };
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'feed/refresh':
        return refresh(msg.force);
      case 'settings/changed':
        return refresh(true);
      case 'share/record':
        return share(msg);
    }
  }

  browser.runtime.onMessage.addListener((raw: unknown, sender) => {
    // Only our own pages and content scripts talk to us.
    if (sender.id !== browser.runtime.id) return undefined;
    return handle(raw).catch((err: unknown) => {
      console.error('[siar] message failed', err);
      return { ok: false, error: String((err as Error)?.message ?? err) };
    });
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === FEED_ALARM) void refresh(true);
  });

  // Alarms do not survive every browser restart (Firefox drops them): re-create at each start.
  browser.runtime.onStartup.addListener(() => void refresh(false));
  browser.runtime.onInstalled.addListener(() => void refresh(true));
  void (async () => {
    const url = await effectiveFeedUrl();
    const cached = url ? await loadFeedState(url) : undefined;
    await schedule(refreshMinutes(cached?.meta));
    await updateBadge();
  })();
});
