import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { InsertButton } from '@/components/InsertButton';
import panelOnlyCss from '@/components/panel.css?inline';
import postCss from '@/components/post.css?inline';
import { copyText } from '../clipboard';
import { loadVideoCode } from '../media/load-video-code';
import type { VideoProgress } from '../media/video-read';
import { sendMessage, type Message } from '../messages/messages';
import type { MessageKey } from '../i18n';
import type { PanelData, PanelItem } from '../messages/replies';
import type { SiteAdapter } from '../sites/types';
import { showDriftNotice } from './drift-notice';
import { insertPost, variantText, type InsertDeps, type PostImage, type VideoOutcome } from './insert-flow';
import { askMainWorld, base64ToBuffer } from './main-world';
import { initialOneClick, oneClickStep, type OneClickEffect, type OneClickEvent, type OneClickPost } from './one-click';
import { createPanelView } from './panel-view';
import { confirmPosted, watchPostPress } from './post-watch';
import { mountShadow, removeAllShadows, type ShadowUi } from './shadow';
import type { Composer, Notice } from './types';
import { waitFor } from './verify';
import { watchComposers, type Attached } from './watch';

// The wiring of the content script on one site: our button on every composer, the panel, inserts
// (insert-flow.ts), the one-click share (one-click.ts), Post (post-watch.ts) and the agency's
// selector fixes. Everything here is shared by all sites; what differs lives in the site adapter.

const panelCss = `${postCss}\n${panelOnlyCss}`;
/** How long a one-click share waits for the site's composer before saying it cannot find one. */
const COMPOSER_WAIT_MS = 15_000;
/** How many posts get a thumbnail in the panel: about its first screen. */
const THUMBS = 8;

export function startComposerIntegration(ctx: ContentScriptContext, adapter: SiteAdapter): void {
  const platform = adapter.site.id;
  const tell = (msg: Message) => void sendMessage(msg);
  let data: PanelData | undefined;
  let busyId: string | undefined;
  let notice: Notice | undefined;
  let progress: VideoProgress | undefined;

  const panel = createPanelView({
    css: panelCss,
    limit: adapter.site.textLimit,
    onInsert: (c, item, v) => void insert(c, item, v),
    onDownload: (item) => void download(item),
  });
  /** Pictures fetched for the panel's thumbnails, kept for the insert: the text never waits for one. */
  const images = new Map<string, Promise<PostImage | undefined>>();
  const thumbs: Record<string, string> = {};
  const content = () => ({ items: data?.items, offline: Boolean(data?.empty), busyId, notice, progress, thumbs: { ...thumbs } });
  const showPanel = () => panel.update(content());

  async function loadData() {
    data = await sendMessage({ type: 'panel/items', platform });
    showPanel();
    // The first screen's pictures, one after another (never a burst of fetches at the agency),
    // and none while an insert runs: drawing one then held the text up by 20–30 ms.
    for (const item of data.items.filter((i) => i.hasImage).slice(0, THUMBS)) {
      await insertsDone();
      const image = await imageOf(item.id);
      await insertsDone();
      if (!image || Object.hasOwn(thumbs, item.id) || ctx.isInvalid) continue;
      thumbs[item.id] = URL.createObjectURL(new Blob([image.bytes], { type: image.type }));
      showPanel();
    }
  }

  /** The insert under way, if any. */
  let inserting: Promise<unknown> | undefined;
  async function insertsDone(): Promise<void> {
    while (inserting) await inserting.catch(() => undefined);
  }

  /** A post's picture, fetched once per page; a failure is forgotten, so the next insert tries again. */
  function imageOf(itemId: string): Promise<PostImage | undefined> {
    let got = images.get(itemId);
    if (!got) {
      got = fetchImage(itemId).catch(() => undefined);
      images.set(itemId, got);
      void got.then((image) => image || images.delete(itemId));
    }
    return got;
  }

  function togglePanel(composer: Composer) {
    if (panel.composer === composer) return panel.close(true);
    notice = undefined;
    panel.open(composer, content());
    void loadData();
  }

  async function fetchImage(itemId: string): Promise<PostImage | undefined> {
    const r = await sendMessage({ type: 'image/get', itemId });
    return r.ok && r.base64 ? { name: r.name ?? 'gambar', type: r.type ?? 'image/png', bytes: base64ToBuffer(r.base64) } : undefined;
  }

  const videoProgress = (p: VideoProgress | undefined) => {
    progress = p;
    showPanel();
  };

  /** The video code, loaded on first use (not at page start: the content script's size budget). */
  const videoCode = () =>
    loadVideoCode().catch((err: unknown) => {
      console.warn('[siar] the video code did not load', err);
      return undefined;
    });

  async function attachVideo(item: PanelItem, root: Element, target: string) {
    const code = await videoCode();
    return code ? code.attachVideo({ adapter, askMainWorld, waitFor, videoProgress }, item, root, target) : 'failed';
  }

  /** "Unduh video": the checked file saved to the person's downloads, to share where we cannot attach. */
  async function download(item: PanelItem) {
    if (busyId) return;
    busyId = item.id;
    notice = undefined;
    showPanel();
    // Every failure is answered, never thrown.
    const read = await (await videoCode())?.downloadVideo(item, videoProgress);
    busyId = undefined;
    videoProgress(undefined);
    if (!read?.ok) {
      console.warn('[siar] video not downloaded:', read?.problem, read?.detail);
      notice = { key: read?.problem === 'mismatch' ? 'video_mismatch_download' : 'video_download_failed', tone: 'error' };
    }
    showPanel();
  }

  const insertDeps: InsertDeps = {
    adapter,
    askMainWorld: (req) => askMainWorld(req),
    fetchImage: imageOf,
    attachVideo,
    waitFor,
    copyText: (text) => copyText(text),
    tell,
    newTarget: () => crypto.randomUUID(),
  };

  async function insert(composer: Composer, item: PanelItem, variant: number): Promise<boolean> {
    busyId = item.id;
    notice = undefined;
    // The text is on its way to the page before the panel redraws as busy: the redraw would
    // otherwise go first and the editor wait for it.
    const running = insertPost(insertDeps, composer, item, variant);
    inserting = running;
    showPanel();
    const outcome = await running.finally(() => {
      busyId = undefined;
      if (inserting === running) inserting = undefined;
    });
    if (outcome.inserted) {
      notice = outcome.video
        ? videoNotice(outcome.video, adapter.site.videoMaxSeconds)
        : outcome.imageOk
          ? undefined
          : { key: 'image_failed', tone: 'error' };
      if (!notice) panel.close(true);
      else showPanel();
      return true;
    }
    notice = outcome.copied ? { key: 'copied_paste', tone: 'ok' } : { key: 'copy_failed', tone: 'error' };
    showPanel();
    return false;
  }

  // The one-click share: a state machine (one-click.ts) whose effects run here.
  let oneClick = initialOneClick<Composer>();
  const oneClickEvent = (event: OneClickEvent<Composer>) => {
    const [next, effects] = oneClickStep(oneClick, event, (c) => c.editor.isConnected);
    oneClick = next;
    // A moment later, as awaited work would: a composer that just left finishes leaving first.
    for (const effect of effects) void Promise.resolve(effect).then(runOneClick);
  };

  /** This tab's one-click share, taken from the background, with its post as the panel lists it. */
  async function claimPost(): Promise<OneClickPost | undefined> {
    const claim = await sendMessage({ type: 'oneclick/claim' });
    if (!claim.itemId) return undefined;
    data ??= await sendMessage({ type: 'panel/items', platform });
    const item = data.items.find((i) => i.id === claim.itemId);
    console.info('[siar] one-click share:', claim.itemId, item ? 'inserting' : 'no longer in the feed');
    return item ? { item, variant: claim.variant ?? 0 } : undefined;
  }

  async function runOneClick(effect: OneClickEffect<Composer>): Promise<void> {
    switch (effect.do) {
      case 'claim':
        return oneClickEvent({ type: 'claimed', post: await claimPost() });
      case 'insert': {
        const ok = await insert(effect.into, effect.post.item, effect.post.variant);
        return oneClickEvent({ type: 'inserted', ok, panelOpen: panel.composer !== undefined });
      }
      case 'reportNotFound':
        return tell({ type: 'site/health', platform, ok: false, reason: 'composer_not_found' });
      case 'drift': {
        const post = effect.post ?? (await claimPost());
        if (!post) return;
        const text = variantText(post.item, post.variant);
        return showDriftNotice(panelCss, async () => {
          const copied = await copyText(text);
          if (copied) tell({ type: 'share/record', itemId: post.item.id, platform, action: 'copied' });
          return copied;
        });
      }
    }
  }

  const confirmDeps = { adapter, doc: document, waitFor, record: sendMessage, tell };

  function attach(editorEl: Element, root: Element): Attached {
    const composer: Composer = { editor: editorEl as HTMLElement, root };
    let ui: ShadowUi | undefined;
    const mount = () => {
      const slot = adapter.buttonSlot(root, editorEl);
      if (!slot) return;
      ui = mountShadow(slot.parent, slot.before, panelCss);
      render(<InsertButton onClick={() => togglePanel(composer)} />, ui.container);
      // The composer pages a one-click share opens (X's /compose/post, Facebook's "Create
      // post") show a dialog; a composer behind it is not the one meant.
      if (root.closest('[role="dialog"]')) oneClickEvent({ type: 'composer', composer });
    };
    mount();
    const stopPost = watchPostPress(adapter, composer, (itemId) => void confirmPosted(confirmDeps, composer, itemId));
    return {
      detach() {
        oneClickEvent({ type: 'gone', composer, awaitingPost: composer.pending !== undefined });
        stopPost();
        if (panel.composer === composer) panel.close(false);
        if (ui) render(null, ui.container);
        ui?.remove();
      },
      check() {
        // The site re-rendered the toolbar and dropped our button: put it back. Checked right
        // after the site's mutations, so its toolbar may not be back yet: then a later check mounts.
        if (ui?.host.isConnected) return;
        if (ui) {
          render(null, ui.container);
          ui.remove();
          ui = undefined;
        }
        mount();
      },
    };
  }

  // Watching starts at once, so composers get their button in the frame they appear; the
  // agency's selector fixes come with the feed a moment later and trigger one more look.
  const stop = watchComposers(document, adapter, attach);
  void sendMessage({ type: 'site/selectors', platform })
    .catch(() => ({}))
    .then((fixes) => {
      if (ctx.isInvalid || Object.keys(fixes).length === 0) return;
      adapter.hotfix(fixes);
      stop.rescan();
    });
  ctx.onInvalidated(() => {
    stop();
    panel.close(false);
    removeAllShadows();
  });

  // A one-click share from the popup opened this tab. Logged out: fall back to the link share.
  // Logged in: open the composer where the site needs a click; attach() then inserts.
  const whenParsed = (cb: () => void) =>
    document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', cb, { once: true }) : cb();
  // The log-in form and the "What's on your mind" prompt are only there once the page is parsed.
  void sendMessage({ type: 'oneclick/peek' }).then((r) =>
    whenParsed(() => {
      if (!r.itemId) return;
      if (r.link)
        return watchLinkShare(
          adapter,
          ctx,
          () => tell({ type: 'oneclick/fallback' }),
          () => void sendMessage({ type: 'oneclick/claim' }),
        );
      console.info('[siar] one-click share pending for this tab');
      if (adapter.isLoggedOut(document)) return tell({ type: 'oneclick/fallback' });
      if (adapter.openComposer) openComposerSoon(adapter);
      // No composer to put the post in: say so and offer Copy, never a silent failure.
      ctx.setTimeout(() => oneClickEvent({ type: 'waitOver' }), COMPOSER_WAIT_MS);
    }),
  );
}

/** How long a link share sent into this tab may take to show the log-in page. */
const LINK_LOGIN_WAIT_MS = 20_000;

/**
 * A link share the popup sent into this tab (WhatsApp Web's chat picker): the site takes the post
 * itself. Only a log-in page showing instead calls for the fallback; once the wait is over, the
 * share is done with.
 */
function watchLinkShare(adapter: SiteAdapter, ctx: ContentScriptContext, fallback: () => void, done: () => void) {
  let over = false;
  const check = () => {
    if (over || !adapter.isLoggedOut(document)) return;
    finish();
    fallback();
  };
  const obs = new MutationObserver(check);
  const finish = () => {
    over = true;
    obs.disconnect();
  };
  obs.observe(document.documentElement, { childList: true, subtree: true });
  ctx.setTimeout(() => {
    if (over) return;
    finish();
    done();
  }, LINK_LOGIN_WAIT_MS);
  check();
}

/** What the panel says after an insert whose video did not go in. */
const VIDEO_NOTICES: Record<Exclude<VideoOutcome, 'attached'>, MessageKey> = {
  too_long: 'video_too_long',
  mismatch: 'video_mismatch',
  not_found: 'video_not_found',
  failed: 'video_failed',
};

function videoNotice(video: VideoOutcome, maxSeconds: number | undefined): Notice | undefined {
  return video === 'attached' ? undefined : { key: VIDEO_NOTICES[video], subs: [maxSeconds ?? 0], tone: 'error' };
}

/** Clicks the site's "What's on your mind" prompt once it has rendered. */
function openComposerSoon(adapter: SiteAdapter) {
  if (adapter.openComposer?.(document)) return;
  const obs = new MutationObserver(() => {
    if (adapter.openComposer?.(document)) obs.disconnect();
  });
  obs.observe(document.documentElement, { childList: true, subtree: true });
  setTimeout(() => obs.disconnect(), 20_000);
}
