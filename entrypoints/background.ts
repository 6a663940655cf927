import { browser, type Browser } from 'wxt/browser';
import { loadFeedState, pruneFeeds } from '@/utils/feed/cache';
import { fetchItemImage, imageMatches, toBase64 } from '@/utils/feed/image';
import { panelItems } from '@/utils/feed/panel';
import { feedTallyUrl, isStale, unpostedUrgentCount } from '@/utils/feed/select';
import { reportFeedState } from '@/utils/feed/report';
import { refreshFeed } from '@/utils/feed/service';
import { attachPostUrl, recordShare } from '@/utils/history/record';
import { readShareStates } from '@/utils/history/queries';
import { CONTENT_SCRIPT_MESSAGES, MessageSchema, type Message, type Replies } from '@/utils/messages/table';
import { refreshMinutes, videoOf } from '@/utils/protocol/item';
import { serveVideoPort, VIDEO_PORT } from '@/utils/media/video-port';
import { effectiveFeedUrl, effectiveTallyUrl } from '@/utils/settings';
import { notifyNewPosts, openPostFromNotification } from '@/utils/notify/notifier';
import type { FeedState } from '@/utils/feed/types';
import { deleteHistory } from '@/utils/history/delete';
import { addOneClick, fallbackUrl, peekOneClick, takeOneClick } from '@/utils/share/oneclick';
import { composeFor } from '@/utils/compose';
import { matchPatterns } from '@/utils/sites/match-patterns';
import { siteById } from '@/utils/sites/registry';
import { getSyncStatus, syncNow } from '@/utils/sync/service';
import { reportSiteHealth } from '@/utils/sites/status';
import { loadUserSettings } from '@/utils/settings';
import { watchPolicy } from '@/utils/settings/policy';
import { openWelcomeOnce } from '@/utils/welcome';

// Wiring only: alarms and messages in, calls into utils/ out.

const FEED_ALARM = 'siar-feed-refresh';
const SYNC_ALARM = 'siar-sync';
const SYNC_RETRY_ALARM = 'siar-sync-retry';
// Daily housekeeping: history retention and the feed cache. Named when it did the first alone.
const DAILY_ALARM = 'siar-retention';
// New events are sent a little after they happen, so a Post and the post link that follows it a
// moment later travel together.
const SYNC_DEBOUNCE_MS = 3_000;
type Handler<T extends Message['type']> = (
  msg: Extract<Message, { type: T }>,
  sender: Browser.runtime.MessageSender,
) => Promise<Replies[T]>;

function fromExtensionPage(sender: Browser.runtime.MessageSender): boolean {
  return sender.url?.startsWith(browser.runtime.getURL('/')) === true;
}

export default defineBackground(() => {
  // Chrome: storage.local (the tally token, settings) is for extension pages and the background
  // only, not content scripts. Firefox has no such switch; there our content scripts never read it.
  void browser.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});

  const action = browser.action ?? browser.browserAction;

  async function currentFeed() {
    const url = await effectiveFeedUrl();
    return { url, state: url ? await loadFeedState(url) : undefined };
  }

  async function updateBadge(): Promise<void> {
    const { state } = await currentFeed();
    const n = state ? unpostedUrgentCount(state.items, await readShareStates(), Date.now()) : 0;
    await action.setBadgeText({ text: n > 0 ? String(n) : '' });
    await action.setBadgeBackgroundColor({ color: '#b3261e' });
  }

  async function schedule(minutes: number): Promise<void> {
    const existing = await browser.alarms.get(FEED_ALARM);
    if (existing?.periodInMinutes === minutes) return;
    await browser.alarms.create(FEED_ALARM, { periodInMinutes: minutes, delayInMinutes: minutes });
  }

  async function refresh(force: boolean) {
    const { url, state: cached } = await currentFeed();
    if (!url) {
      await updateBadge();
      return { ok: false, error: 'no_feed' };
    }
    if (!force && !isStale(cached, refreshMinutes(cached?.meta), Date.now())) return { ok: !cached?.lastError };
    const state = await refreshFeed(url);
    await schedule(refreshMinutes(state.meta));
    await updateBadge();
    await afterRefresh(state);
    return { ok: !state.lastError };
  }

  /** What a refresh tells others: the agency (how the feed looks from here) and the user (new mandatory posts). */
  async function afterRefresh(state: FeedState) {
    await Promise.all([
      effectiveTallyUrl(feedTallyUrl(state)).then((tally) => reportFeedState(state, tally)),
      notifyNewPosts(state.items).catch((err: unknown) => console.warn('[siar] notifications failed', err)),
    ]);
  }

  async function runSync(force: boolean) {
    await syncNow({ force });
    const s = await getSyncStatus();
    if (s.nextAttemptAt && s.lastError && !s.needsEnrol) await browser.alarms.create(SYNC_RETRY_ALARM, { when: s.nextAttemptAt });
  }
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  function syncSoon() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(() => void runSync(false), SYNC_DEBOUNCE_MS);
  }

  async function applyRetention() {
    const { retentionDays } = await loadUserSettings();
    if (retentionDays) await deleteHistory({ olderThan: Date.now() - retentionDays * 86_400_000 });
  }

  /** Forgets cached feeds but the one in force: after the feed's address changed, and daily. */
  async function pruneFeedCache() {
    const url = await effectiveFeedUrl();
    if (url) await pruneFeeds(url);
  }

  /** The feed's address may have changed (the user's settings, the agency's policy). */
  async function feedSettingsChanged() {
    const result = await refresh(true);
    await pruneFeedCache();
    return result;
  }

  const handlers: { [T in Message['type']]: Handler<T> } = {
    'feed/refresh': (m) => refresh(m.force),
    'settings/changed': () => feedSettingsChanged(),
    'share/record': async (m, sender) => {
      // Only the user, in the extension's own pages, says "I sent it"; a page never does.
      if (m.selfReported && (m.action !== 'posted' || !fromExtensionPage(sender))) return { ok: false, error: 'not_allowed' };
      const { url, state } = await currentFeed();
      // Only posts of the current feed can be recorded: a page cannot invent share events.
      const item = state?.items.find((i) => i.id === m.itemId);
      if (!url || !item) return { ok: false, error: 'unknown_item' };
      const event = await recordShare({ item, feedUrl: url, platform: m.platform, action: m.action, selfReported: m.selfReported });
      await updateBadge();
      syncSoon();
      return { ok: true, eventId: event.id };
    },
    'share/post-url': async (m) => ({ ok: await attachPostUrl(m.eventId, m.postUrl) }),
    'site/selectors': async (m) => (await currentFeed()).state?.meta?._siar?.selectors?.[m.platform] ?? {},
    'site/health': async (m) => {
      await reportSiteHealth(m.platform, m.ok, m.reason);
      return { ok: true };
    },
    'sync/now': async () => {
      await runSync(true);
      return { ok: !(await getSyncStatus()).lastError };
    },
    'history/delete': async () => {
      const deleted = await deleteHistory();
      await updateBadge();
      return { ok: true, deleted };
    },
    'panel/items': async (m) => {
      const { url, state } = await currentFeed();
      if (!url) return { items: [], empty: 'no_feed' };
      if (!state?.fetchedAt) return { items: [], empty: 'not_loaded' };
      return { items: panelItems(state.items, await readShareStates(), m.platform, Date.now(), Boolean(state.verifiedWith)) };
    },
    'image/get': async (m) => {
      const { state } = await currentFeed();
      const item = state?.items.find((i) => i.id === m.itemId);
      const image = item?.image;
      if (!image) return { ok: false, error: 'no_image' };
      const r = await fetchItemImage(image);
      if (!r.ok) console.warn('[siar] picture not fetched', image, r.error);
      // A signed feed vouches for its pictures by hash: other bytes are never attached.
      if (r.ok && state?.verifiedWith && !(await imageMatches(r.bytes, item._siar?.image_sha256))) {
        console.warn('[siar] picture refused: its bytes are not the ones the signed feed names', image);
        return { ok: false, error: 'image_mismatch' };
      }
      return r.ok ? { ok: true, base64: toBase64(r.bytes), type: r.type, name: r.name } : { ok: false, error: r.error };
    },
    'oneclick/start': async (m) => {
      // The schema takes only sites with a composer page.
      const tab = await browser.tabs.create({ url: siteById(m.platform)?.composerUrl });
      if (tab.id === undefined) return { ok: false };
      await addOneClick({ tabId: tab.id, itemId: m.itemId, platform: m.platform, variant: m.variant, at: Date.now() });
      return { ok: true };
    },
    'share/open-tab': async (m) => {
      const site = siteById(m.platform);
      if (!site?.share.openTab) return { ok: false };
      // Only the site's own hosts are visible to us (host permissions): no other tab is looked at.
      const [tab] = await browser.tabs.query({ url: matchPatterns(site.hosts) });
      const { state } = await currentFeed();
      const item = state?.items.find((i) => i.id === m.itemId);
      if (tab?.id === undefined || !item) return { ok: false };
      // Pending before the tab loads: its content script asks at once whether a log-in page needs the fallback.
      await addOneClick({ tabId: tab.id, itemId: item.id, platform: site.id, variant: m.variant, at: Date.now(), link: true });
      await browser.tabs.update(tab.id, { url: site.share.openTab(composeFor(item, site.id, m.variant).text), active: true });
      if (tab.windowId !== undefined) await browser.windows?.update(tab.windowId, { focused: true }).catch(() => {});
      return { ok: true };
    },
    'oneclick/claim': async (_m, sender) => {
      const o = sender.tab?.id !== undefined ? await takeOneClick(sender.tab.id) : undefined;
      return o ? { itemId: o.itemId, variant: o.variant } : {};
    },
    'oneclick/peek': async (_m, sender) => {
      const o = sender.tab?.id !== undefined ? await peekOneClick(sender.tab.id) : undefined;
      return o ? { itemId: o.itemId, variant: o.variant, ...(o.link ? { link: true } : {}) } : {};
    },
    'oneclick/fallback': async (_m, sender) => {
      const tabId = sender.tab?.id;
      const o = tabId !== undefined ? await takeOneClick(tabId) : undefined;
      const { url, state } = await currentFeed();
      const item = state?.items.find((i) => i.id === o?.itemId);
      const fallback = item && o && fallbackUrl(item, o.platform, o.variant);
      if (!o || !url || !item || !fallback || tabId === undefined) return { ok: false };
      await browser.tabs.update(tabId, { url: fallback });
      // A link share the popup sent into an open tab was recorded there already.
      if (o.link) return { ok: true };
      await recordShare({ item, feedUrl: url, platform: o.platform, action: 'intent_opened' });
      await updateBadge();
      syncSoon();
      return { ok: true };
    },
  };

  browser.runtime.onMessage.addListener((raw: unknown, sender) => {
    // Only our own pages and content scripts talk to us.
    if (sender.id !== browser.runtime.id) return undefined;
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('[siar] refused a malformed message', parsed.error.issues[0]);
      return Promise.resolve({ ok: false, error: 'bad_message' });
    }
    const msg = parsed.data;
    // Content scripts live in pages we do not control: a compromised renderer gets only what the
    // composer integration needs, never settings, history deletion or new tabs.
    if (!fromExtensionPage(sender) && !CONTENT_SCRIPT_MESSAGES.has(msg.type)) {
      console.warn('[siar] refused a message a content script may not send', msg.type);
      return Promise.resolve({ ok: false, error: 'not_allowed' });
    }
    const handler = handlers[msg.type] as Handler<typeof msg.type>;
    return handler(msg as never, sender).catch((err: unknown) => {
      console.error('[siar] message failed', msg.type, err);
      return { ok: false, error: String((err as Error)?.message ?? err) };
    });
  });

  // Firefox's composers get a post's video from here (utils/media/video-port.ts): only the video
  // of a post in the current feed, never an address the page names. Chromium's fetch it themselves.
  if (import.meta.env.FIREFOX) {
    browser.runtime.onConnect.addListener((port) => {
      if (port.name !== VIDEO_PORT) return;
      if (port.sender?.id !== browser.runtime.id) return port.disconnect();
      serveVideoPort(port, async (itemId) => {
        const { state } = await currentFeed();
        const item = state?.items.find((i) => i.id === itemId);
        return item && videoOf(item)?.url;
      });
    });
  }

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === FEED_ALARM) void refresh(true);
    if (alarm.name === SYNC_ALARM || alarm.name === SYNC_RETRY_ALARM) void runSync(false);
    // Answered with the work, which browsers ignore and tests await.
    if (alarm.name === DAILY_ALARM) return Promise.all([applyRetention(), pruneFeedCache()]);
    return undefined;
  });

  // An agency's policy changed the feed (or its key): read the feed it now names.
  watchPolicy(() => void feedSettingsChanged());

  // Back online: whatever waited for the network goes now.
  globalThis.addEventListener?.('online', () => void runSync(true));

  // A click on a "new mandatory post" notification opens that post. The API exists only once the
  // optional permission is granted: listened to now if it is, and as soon as it is.
  let listeningToClicks = false;
  function listenToNotificationClicks() {
    if (listeningToClicks || !browser.notifications?.onClicked) return;
    listeningToClicks = true;
    browser.notifications.onClicked.addListener((id) => void openPostFromNotification(id));
  }
  listenToNotificationClicks();
  try {
    browser.permissions.onAdded.addListener(() => listenToNotificationClicks());
  } catch {
    // A browser without the event: clicks are listened to from the next start.
  }

  // Alarms do not survive every browser restart (Firefox drops them): re-create at each start.
  browser.runtime.onStartup.addListener(() => void refresh(false));
  browser.runtime.onInstalled.addListener((details) => {
    // The welcome page once, on a first install: not on updates, not on browser restarts.
    if (details.reason === 'install') void openWelcomeOnce();
    void refresh(true);
  });
  void (async () => {
    const { state } = await currentFeed();
    await schedule(refreshMinutes(state?.meta));
    await browser.alarms.create(SYNC_ALARM, { periodInMinutes: 5 });
    await browser.alarms.create(DAILY_ALARM, { periodInMinutes: 24 * 60, delayInMinutes: 1 });
    await updateBadge();
    // Whatever the last run of the background left in the outbox goes now.
    await runSync(false);
  })();
});
