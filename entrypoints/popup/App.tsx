import { useCallback, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { Filters } from '@/components/Filters';
import { PostCard, type PopupShare } from '@/components/PostCard';
import { StatusLine } from '@/components/StatusLine';
import { PopupLinks } from '@/components/PopupLinks';
import { useFocusPost } from './focus';
import { copyText } from '@/utils/clipboard';
import { plainText, variantCount } from '@/utils/compose/caption';
import { loadFeedState } from '@/utils/feed/cache';
import type { FeedState } from '@/utils/feed/types';
import { feedErrorWords } from '@/utils/feed/describe';
import { dateTimeFormatter } from '@/utils/format/time';
import { agenciesOf, currentItems, filterItems, isStale } from '@/utils/feed/select';
import { readShareStates } from '@/utils/history/queries';
import { isPostedAnywhere, platformLines, type ShareStates } from '@/utils/history/share-state';
import { t, uiLocale, type MessageKey } from '@/utils/i18n';
import { sendMessage } from '@/utils/messages';
import { isForPlatform, refreshMinutes, videoOf, type Item, type Priority } from '@/utils/protocol/item';
import { PLATFORMS } from '@/utils/protocol/platforms';
import { linkShareUrl } from '@/utils/share/links';
import { SITES, siteById } from '@/utils/sites/registry';
import type { Site } from '@/utils/sites/types';
import type { PopupData } from './data';

const PAGE = 30;

type Notice = { key: MessageKey; subs?: string[]; tone: 'ok' | 'error' };

export function App({ data }: { data: Promise<PopupData> }) {
  const [feedUrl, setFeedUrl] = useState<string | null | undefined>(undefined);
  const [state, setState] = useState<FeedState>();
  /** `state` holds every post, not only the head the first paint used. */
  const [complete, setComplete] = useState(false);
  const [states, setStates] = useState<ShareStates>(new Map());
  const [refreshing, setRefreshing] = useState(false);
  const [filter, setFilter] = useState({ query: '', agencyId: '', priority: '' as Priority | '' });
  const [variants, setVariants] = useState<Record<string, number>>({});
  const [shown, setShown] = useState(PAGE);
  const [notice, setNotice] = useState<Notice>();
  const [download, setDownload] = useState<{ itemId: string; received: number; total?: number }>();

  const reload = useCallback(async (url: string) => {
    const [s, marks] = await Promise.all([loadFeedState(url), readShareStates()]);
    setState(s);
    setComplete(true);
    setStates(marks);
    return s;
  }, []);

  const refresh = useCallback(
    async (url: string, force: boolean) => {
      setRefreshing(true);
      try {
        await sendMessage({ type: 'feed/refresh', force });
      } finally {
        setRefreshing(false);
        await reload(url);
      }
    },
    [reload],
  );

  // A layout effect: it runs right after the first render, where an effect waits for a frame.
  useLayoutEffect(() => {
    void data.then(async (d) => {
      performance.mark('siar:data');
      setFeedUrl(d.feedUrl);
      setState(d.state);
      setComplete(d.complete);
      void d.states.then(setStates);
      const url = d.feedUrl;
      if (!url) return;
      // The rest of the feed (filters, "show more") once the head is on screen.
      if (!d.complete) await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
      performance.mark('siar:first-list-painted');
      const s = d.complete ? d.state : await reload(url);
      if (isStale(s, refreshMinutes(s?.meta), Date.now())) await refresh(url, false);
    });
  }, [data, refresh]);

  const now = Date.now();
  const current = useMemo(() => currentItems(state?.items ?? [], now), [state]);
  const agencies = useMemo(() => agenciesOf(current), [current]);
  const visible = useMemo(
    () => filterItems(current, { query: filter.query, agencyId: filter.agencyId || undefined, priority: filter.priority || undefined }),
    [current, filter],
  );
  const formatTime = useMemo(() => dateTimeFormatter(uiLocale()), []);

  // A random first variant per post and popup, so a thousand ASN do not post one identical text.
  const variantOf = (item: Item) => (Object.hasOwn(variants, item.id) ? variants[item.id]! : hashVariant(item.id));

  async function share(item: Item, how: PopupShare) {
    if (!feedUrl) return;
    const v = variantOf(item);
    const site = how === 'copy' ? undefined : siteById(how);
    let notice: Notice | undefined;
    if (!site || site.share.linkOnly) {
      // Copy; or a site whose link share takes no text, and whose composer may not open: the
      // text goes to the clipboard too, while this click still counts as the user's gesture.
      const copied = await copyText(plainText(item, site?.id ?? 'default', v));
      notice = copied ? { key: 'copied_paste', tone: 'ok' } : { key: 'copy_failed', tone: 'error' };
    }
    // The site's web app open in a tab takes the post itself (WhatsApp Web's chat picker); the
    // link share opens only when no such tab is.
    const inOpenTab =
      site?.share.openTab !== undefined &&
      (await sendMessage({ type: 'share/open-tab', itemId: item.id, platform: site.id, variant: v })).ok;
    if (site?.composerUrl) {
      // One click: the site's own composer opens and the post goes in; logged out, the composer
      // page falls back to the link share (background, oneclick/fallback).
      const r = await sendMessage({ type: 'oneclick/start', itemId: item.id, platform: site.id, variant: v });
      if (r.ok) return;
      const url = linkShareUrl(site, item, await shareText(site, item, v));
      if (url) await browser.tabs.create({ url });
    }
    const reply = await sendMessage({
      type: 'share/record',
      itemId: item.id,
      platform: site?.id ?? 'other',
      action: site ? 'intent_opened' : 'copied',
    });
    if (!reply.ok) notice = { key: 'share_failed', subs: [reply.error ?? '?'], tone: 'error' };
    else setStates(await readShareStates());
    setNotice(notice);
    // A site shared by link only opens once the share is recorded.
    if (site && !site.composerUrl && !inOpenTab) {
      const url = linkShareUrl(site, item, await shareText(site, item, v));
      if (url) await browser.tabs.create({ url });
    }
  }

  /**
   * "Unduh video": the popup reads the video (the agency's media answers with CORS; the feed's
   * origin is granted anyway), checks its hash like an attached one, and saves it through a
   * blob: link of its own — no `downloads` permission.
   */
  async function downloadVideo(item: Item) {
    const video = videoOf(item);
    if (!video || download) return;
    setNotice(undefined);
    setDownload({ itemId: item.id, received: 0 });
    const [{ fetchSource, readVideo, videoFileName }, { saveBlob }] = await Promise.all([
      import('@/utils/media/video-read'),
      import('@/utils/media/save'),
    ]);
    const read = await readVideo(
      () => fetchSource(video.url),
      { sha256: video._siar?.sha256, hashRequired: Boolean(state?.verifiedWith), bytes: video.size_in_bytes },
      (p) => setDownload({ itemId: item.id, ...p }),
    );
    setDownload(undefined);
    if (read.ok) return saveBlob(read.blob, videoFileName(video.url));
    console.warn('[siar] video not downloaded:', read.problem, read.detail);
    setNotice({
      key: read.problem === 'mismatch' || read.problem === 'not_vouched' ? 'video_mismatch_download' : 'video_download_failed',
      tone: 'error',
    });
  }

  /** "I sent it": recorded as a `posted` the user says they did, counted apart from seen posts. */
  async function selfReport(item: Item, platform: string) {
    const reply = await sendMessage({ type: 'share/record', itemId: item.id, platform, action: 'posted', selfReported: true });
    if (!reply.ok) {
      setNotice({ key: 'share_failed', subs: [reply.error ?? '?'], tone: 'error' });
      return;
    }
    setStates(await readShareStates());
    setNotice({ key: 'self_reported_recorded', tone: 'ok' });
  }

  // A link-only site's hint, once above the list (not on every card), where a listed post goes there.
  const page = visible.slice(0, shown);
  const hinted = SITES.filter((s) => s.share.linkOnly && page.some((i) => isForPlatform(i, s.id)));
  const hintIdOf = (site: string) => `hint-${site}`;

  // Opened from a "new mandatory post" notification: that post, in view and focused.
  useFocusPost(complete && visible.length > 0);

  if (feedUrl === undefined) return <main class="popup" aria-busy="true" />;

  return (
    <main class="popup">
      <header class="popup-header">
        <h1>{t('popup_heading')}</h1>
        {state?.meta?._siar?.publisher && <p class="publisher">{t('publisher_line', state.meta._siar.publisher.name)}</p>}
        <PopupLinks />
      </header>
      {!feedUrl ? (
        <section class="empty">
          <h2>{t('empty_no_feed_title')}</h2>
          <p>{t('empty_no_feed_body')}</p>
          <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('open_settings')}
          </button>
        </section>
      ) : (
        <>
          <StatusLine
            updatedAt={state?.fetchedAt}
            refreshing={refreshing}
            error={state?.lastError ? feedErrorWords(state.lastError) : undefined}
            keptLastGood={(state?.items.length ?? 0) > 0}
            dropped={state?.dropped ?? 0}
            formatTime={formatTime}
            onRefresh={() => void refresh(feedUrl, true)}
          />
          {notice && (
            <p class={`notice notice-${notice.tone}`} role="alert">
              {t(notice.key, ...(notice.subs ?? []))}
            </p>
          )}
          {current.length > 0 && (
            <Filters
              {...filter}
              agencies={agencies}
              onChange={(f) => {
                setFilter((old) => ({ ...old, ...f }));
                setShown(PAGE);
              }}
            />
          )}
          {complete && current.length === 0 && !refreshing && <p class="empty">{t('empty_no_posts')}</p>}
          {complete && current.length > 0 && visible.length === 0 && <p class="empty">{t('empty_no_match')}</p>}
          {hinted.map(
            (s) =>
              s.share.linkOnly && (
                <p key={s.id} class="share-hint" id={hintIdOf(s.id)}>
                  {t(s.share.linkOnly.hint)}
                </p>
              ),
          )}
          <div class="posts">
            {page.map((item) => {
              const v = variantOf(item);
              return (
                <PostCard
                  key={item.id}
                  item={item}
                  shared={isPostedAnywhere(states, item.id)}
                  lines={platformLines(states, item.id, PLATFORMS)}
                  hintIdOf={hintIdOf}
                  variant={v}
                  variants={variantCount(item, 'default')}
                  preview={plainText(item, 'default', v)}
                  onNextVariant={() => setVariants((m) => ({ ...m, [item.id]: v + 1 }))}
                  onShare={(how) => void share(item, how)}
                  onSelfReport={(platform) => void selfReport(item, platform)}
                  onDownloadVideo={() => void downloadVideo(item)}
                  videoProgress={download?.itemId === item.id ? download : undefined}
                  downloading={download !== undefined}
                />
              );
            })}
          </div>
          {complete && visible.length > shown && (
            <button type="button" class="more" onClick={() => setShown((n) => n + PAGE)}>
              {t('show_more', Math.min(PAGE, visible.length - shown))}
            </button>
          )}
        </>
      )}
    </main>
  );
}

/**
 * The text a site's link share carries. Fitting it to a site's limit loads X's counting
 * (twitter-text) only here: the popup's first paint does not wait for it.
 */
async function shareText(site: Site, item: Item, variant: number): Promise<string> {
  if (!site.textLimit) return plainText(item, site.id, variant);
  return (await import('@/utils/compose/for-site')).composeFor(item, site.id, variant).text;
}

const seed = Math.floor(Math.random() * 1_000_000);
function hashVariant(id: string): number {
  let h = seed;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 1000;
}
