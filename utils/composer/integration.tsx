import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { Panel } from '@/components/Panel';
import { DriftNotice } from '@/components/DriftNotice';
import { InsertButton } from '@/components/InsertButton';
import panelOnlyCss from '@/components/panel.css?inline';
import postCss from '@/components/post.css?inline';
import { copyText } from '../clipboard';
import type { MessageKey } from '../i18n';
import { TARGET_ATTR } from '../insert/bridge';
import { sendMessage } from '../messages';
import type { ImageReply, PanelData, PanelItem } from '../messages/replies';
import type { SiteAdapter } from '../sites/types';
import { askMainWorld, base64ToBuffer } from './main-world';
import { editorHolds, isEnabled, waitFor } from './verify';
import { HOST_TAG, mountShadow, removeAllShadows, type ShadowUi } from './shadow';
import { watchComposers, type Attached } from './watch';

type Notice = { key: MessageKey; tone: 'ok' | 'error' };

interface Composer {
  editor: HTMLElement;
  root: Element;
  /** The insert waiting for the user to press Post. */
  pending?: { itemId: string };
}

const panelCss = `${postCss}\n${panelOnlyCss}`;
/** How long a one-click share waits for the site's composer before saying it cannot find one. */
const COMPOSER_WAIT_MS = 15_000;

/**
 * Puts the "Insert official post" button on every composer of one site and runs inserts.
 * Everything here is shared by all sites; what differs lives in the site adapter.
 */
export function startComposerIntegration(ctx: ContentScriptContext, site: SiteAdapter): void {
  let panel: { composer: Composer; ui: ShadowUi } | undefined;
  let data: PanelData | undefined;
  let busyId: string | undefined;
  let notice: Notice | undefined;

  function renderPanel() {
    if (!panel) return;
    const { ui, composer } = panel;
    const body = ui.container;
    render(
      <Panel
        id="siar-panel"
        limit={site.site.textLimit}
        items={data?.items}
        emptyWords={data?.empty ? 'panel_offline' : undefined}
        busyId={busyId}
        notice={notice}
        onInsert={(item, v) => void insert(composer, item, v)}
        onClose={() => closePanel(true)}
      />,
      body,
    );
    placePanel();
  }

  // Fixed beside the composer's toolbar. Some ancestors (dialogs with transforms) make `fixed`
  // relative to themselves, so the first placement is measured and corrected.
  function placePanel() {
    if (!panel) return;
    const box = panel.ui.container.querySelector<HTMLElement>('.panel');
    const anchor = panel.composer.root.querySelector(HOST_TAG) ?? panel.composer.editor;
    if (!box) return;
    const a = anchor.getBoundingClientRect();
    const h = box.offsetHeight;
    const top = a.bottom + 8 + h < innerHeight ? a.bottom + 8 : Math.max(8, a.top - 8 - h);
    const left = Math.min(Math.max(8, a.left), innerWidth - box.offsetWidth - 8);
    Object.assign(box.style, { position: 'fixed', top: `${top}px`, left: `${left}px`, zIndex: '2147483646' });
    const got = box.getBoundingClientRect();
    box.style.top = `${top + (top - got.top)}px`;
    box.style.left = `${left + (left - got.left)}px`;
  }

  async function loadData() {
    data = await sendMessage({ type: 'panel/items', platform: site.site.id });
    renderPanel();
  }

  function openPanel(composer: Composer) {
    if (panel?.composer === composer) return closePanel(true);
    closePanel(false);
    notice = undefined;
    // Inside the composer's dialog, so the site's focus trap lets focus into the panel.
    const anchor = composer.root.closest('[role="dialog"]') ?? document.body;
    const ui = mountShadow(anchor, null, panelCss, false);
    panel = { composer, ui };
    renderPanel();
    void loadData();
  }

  function closePanel(refocus: boolean) {
    if (!panel) return;
    const { ui, composer } = panel;
    render(null, ui.container);
    ui.remove();
    panel = undefined;
    if (refocus && composer.editor.isConnected) composer.editor.focus();
  }

  async function fetchImage(itemId: string): Promise<{ name: string; type: string; bytes: ArrayBuffer } | undefined> {
    const r: ImageReply = await sendMessage({ type: 'image/get', itemId });
    return r.ok && r.base64 ? { name: r.name ?? 'gambar', type: r.type ?? 'image/png', bytes: base64ToBuffer(r.base64) } : undefined;
  }

  async function insert(composer: Composer, item: PanelItem, variant: number): Promise<boolean> {
    // Variants are chosen modulo their number: the popup's pick may be any non-negative number.
    const text = item.texts[variant % item.texts.length]?.text ?? '';
    busyId = item.id;
    notice = undefined;
    renderPanel();
    const { editor, root } = composer;
    const target = crypto.randomUUID();
    const fileInput = site.fileInput(root);
    editor.setAttribute(TARGET_ATTR, target);
    fileInput?.setAttribute(TARGET_ATTR, target);
    const attachedBefore = site.attachmentCount(root);
    let ok = false;
    let imageOk = true;
    try {
      // The picture first: Facebook's composer re-lays itself out when a picture arrives.
      const image = item.hasImage ? await fetchImage(item.id).catch(() => undefined) : undefined;
      imageOk = !item.hasImage;
      for (const method of image ? site.imageMethods : []) {
        const r = await askMainWorld({ kind: site.editorKind, target, image: { ...image!, bytes: image!.bytes.slice(0), method } });
        if (r.ok && (await waitFor(() => site.attachmentCount(root) > attachedBefore, 1500))) {
          imageOk = true;
          console.info('[siar] picture attached by', method);
          break;
        }
      }
      const result = await askMainWorld({ kind: site.editorKind, target, text });
      if (!result.ok) console.warn('[siar] insert failed in the page', result.error);
      ok = result.ok && (await waitFor(() => editorHolds(editor, text) && isEnabled(site.postButton(root)), 3000));
      if (result.ok) console.info('[siar] text inserted by', result.textMethod, ok ? 'and verified' : 'but NOT verified');
    } finally {
      editor.removeAttribute(TARGET_ATTR);
      fileInput?.removeAttribute(TARGET_ATTR);
      busyId = undefined;
    }
    void sendMessage({ type: 'site/health', platform: site.site.id, ok, reason: ok ? undefined : 'not_verified' });
    if (ok) {
      composer.pending = { itemId: item.id };
      void sendMessage({ type: 'share/record', itemId: item.id, platform: site.site.id, action: 'inserted' });
      notice = imageOk ? undefined : { key: 'image_failed', tone: 'error' };
      if (imageOk) closePanel(true);
      else renderPanel();
      return true;
    }
    // The editor did not take it: leave what the user typed, hand the text over by clipboard.
    const copied = await copyText(text);
    if (copied) void sendMessage({ type: 'share/record', itemId: item.id, platform: site.site.id, action: 'copied' });
    notice = copied ? { key: 'copied_paste', tone: 'ok' } : { key: 'copy_failed', tone: 'error' };
    renderPanel();
    return false;
  }

  function watchPost(composer: Composer): () => void {
    const onPress = (e: Event) => {
      // A script can click the site's Post button too; only the user's press counts as posted.
      if (!composer.pending || !e.isTrusted) return;
      if (e instanceof KeyboardEvent && !(e.key === 'Enter' && (e.ctrlKey || e.metaKey))) return;
      const button = site.postButton(composer.root);
      if (e.type === 'click' && !(button && e.target instanceof Node && button.contains(e.target))) return;
      if (!isEnabled(button)) return;
      const { itemId } = composer.pending;
      composer.pending = undefined;
      void confirmPosted(composer, itemId);
    };
    composer.root.addEventListener('click', onPress, true);
    composer.editor.addEventListener('keydown', onPress, true);
    return () => {
      composer.root.removeEventListener('click', onPress, true);
      composer.editor.removeEventListener('keydown', onPress, true);
    };
  }

  async function confirmPosted(composer: Composer, itemId: string) {
    // X: the composer empties or closes; Facebook: the dialog closes.
    const sent = await waitFor(() => site.postConfirmed(composer.editor, composer.root), 30_000);
    if (!sent) return;
    const reply = await sendMessage({ type: 'share/record', itemId, platform: site.site.id, action: 'posted' });
    if (!reply.ok || !reply.eventId || !site.postedUrl) return;
    const url = await waitForValue(() => site.postedUrl!(document), 10_000);
    if (url) void sendMessage({ type: 'share/post-url', eventId: reply.eventId, postUrl: url });
  }

  function attach(editorEl: Element, root: Element): Attached {
    const composer: Composer = { editor: editorEl as HTMLElement, root };
    let ui: ShadowUi | undefined;
    const mount = () => {
      const slot = site.buttonSlot(root, editorEl);
      if (!slot) return;
      ui = mountShadow(slot.parent, slot.before, panelCss);
      render(<InsertButton onClick={() => openPanel(composer)} />, ui.container);
      // The composer pages a one-click share opens (X's /compose/post, Facebook's "Create
      // post") show a dialog; a composer behind it is not the one meant.
      if (root.closest('[role="dialog"]')) {
        dialogComposers.add(composer);
        void claimOneClick(composer);
      }
    };
    mount();
    const stopPost = watchPost(composer);
    return {
      detach() {
        dialogComposers.delete(composer);
        composerGone(composer);
        stopPost();
        if (panel?.composer === composer) closePanel(false);
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

  // A one-click share from the popup: claimed once per page, then inserted into the first dialog
  // composer. Sites re-render a freshly loaded composer (X replaces the modal once its route
  // settles), so if the composer we filled goes away before Post, the next one gets the post.
  let oneClick: Promise<{ item: PanelItem; variant: number } | undefined> | undefined;
  let oneClickInto: Composer | undefined;
  let oneClickTries = 0;
  const dialogComposers = new Set<Composer>();
  async function claimOneClick(composer: Composer) {
    oneClick ??= sendMessage({ type: 'oneclick/claim' }).then(async (claim) => {
      if (!claim.itemId) return undefined;
      data ??= await sendMessage({ type: 'panel/items', platform: site.site.id });
      const item = data.items.find((i) => i.id === claim.itemId);
      console.info('[siar] one-click share:', claim.itemId, item ? 'inserting' : 'no longer in the feed');
      return item ? { item, variant: claim.variant ?? 0 } : undefined;
    });
    const pending = await oneClick;
    if (!pending || oneClickInto || oneClickTries >= 3 || !composer.editor.isConnected) return;
    oneClickInto = composer;
    oneClickTries++;
    if (!(await insert(composer, pending.item, pending.variant))) {
      oneClickInto = undefined;
      // insert() already copied the text; the panel is not open, so say it here.
      if (oneClickTries >= 3 || !panel) void showDrift(pending);
    }
  }
  function composerGone(composer: Composer) {
    if (oneClickInto !== composer || !composer.pending) return;
    oneClickInto = undefined;
    for (const c of dialogComposers) if (c !== composer && c.editor.isConnected) void claimOneClick(c);
  }

  // Watching starts at once, so composers get their button in the frame they appear; the
  // agency's selector fixes come with the feed a moment later and trigger one more look.
  const stop = watchComposers(document, site, attach);
  void sendMessage({ type: 'site/selectors', platform: site.site.id })
    .catch(() => ({}))
    .then((fixes) => {
      if (ctx.isInvalid || Object.keys(fixes).length === 0) return;
      site.hotfix(fixes);
      stop.rescan();
    });
  ctx.onInvalidated(() => {
    stop();
    closePanel(false);
    removeAllShadows();
  });

  // A one-click share from the popup opened this tab. Logged out: fall back to the web intent.
  // Logged in: open the composer where the site needs a click; attach() then inserts.
  const whenParsed = (cb: () => void) =>
    document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', cb, { once: true }) : cb();
  // The log-in form and the "What's on your mind" prompt are only there once the page is parsed.
  void sendMessage({ type: 'oneclick/peek' }).then((r) =>
    whenParsed(() => {
      if (!r.itemId) return;
      console.info('[siar] one-click share pending for this tab');
      if (site.isLoggedOut(document)) void sendMessage({ type: 'oneclick/fallback' });
      else {
        if (site.openComposer) openComposerSoon(site);
        // No composer to put the post in: say so and offer Copy, never a silent failure.
        ctx.setTimeout(() => {
          if (!oneClickInto) void showDrift();
        }, COMPOSER_WAIT_MS);
      }
    }),
  );

  /** Tells the user the one-click post could not go in, and offers its text to copy. */
  async function showDrift(known?: { item: PanelItem; variant: number }) {
    let pending = known;
    if (!pending) {
      void sendMessage({ type: 'site/health', platform: site.site.id, ok: false, reason: 'composer_not_found' });
      pending = await oneClick;
      if (!pending) {
        const claim = await sendMessage({ type: 'oneclick/claim' });
        if (!claim.itemId) return;
        data ??= await sendMessage({ type: 'panel/items', platform: site.site.id });
        const found = data.items.find((i) => i.id === claim.itemId);
        if (!found) return;
        pending = { item: found, variant: claim.variant ?? 0 };
      }
    }
    const { item } = pending;
    const text = item.texts[pending.variant % item.texts.length]?.text ?? '';
    const ui = mountShadow(document.body, null, panelCss, false);
    const show = (done?: MessageKey) =>
      render(
        <DriftNotice
          done={done}
          onCopy={() => {
            void copyText(text).then((copied) => {
              if (copied) void sendMessage({ type: 'share/record', itemId: item.id, platform: site.site.id, action: 'copied' });
              show(copied ? 'copied_paste' : 'copy_failed');
            });
          }}
          onClose={() => {
            render(null, ui.container);
            ui.remove();
          }}
        />,
        ui.container,
      );
    show();
  }
}

function waitForValue<T>(get: () => T | undefined, ms: number): Promise<T | undefined> {
  let value: T | undefined;
  return waitFor(() => (value = get()) !== undefined, ms).then(() => value);
}

/** Clicks the site's "What's on your mind" prompt once it has rendered. */
function openComposerSoon(site: SiteAdapter) {
  if (site.openComposer?.(document)) return;
  const obs = new MutationObserver(() => {
    if (site.openComposer?.(document)) obs.disconnect();
  });
  obs.observe(document.documentElement, { childList: true, subtree: true });
  setTimeout(() => obs.disconnect(), 20_000);
}
