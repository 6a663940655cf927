import { render } from 'preact';
import { Panel } from '@/components/Panel';
import type { PanelItem } from '../messages/replies';
import type { TextLimit } from '../sites/types';
import { HOST_TAG, mountShadow, type ShadowUi } from './shadow';
import type { Composer, Notice } from './types';

// The composer panel: a non-modal dialog of posts beside the composer whose button opened it, in
// our own shadow root. What it shows is the caller's; this places and mounts it.

export interface PanelContent {
  items?: PanelItem[];
  /** The feed has never loaded (offline, or no feed set). */
  offline: boolean;
  busyId?: string;
  /** Item id → a blob: URL of its picture. */
  thumbs?: Readonly<Record<string, string>>;
  notice?: Notice;
  /** Bytes of the busy post's video so far. */
  progress?: { received: number; total?: number };
}

export interface PanelView {
  /** The composer the open panel belongs to. */
  readonly composer: Composer | undefined;
  open(composer: Composer, content: PanelContent): void;
  /** Shows new content, if open. */
  update(content: PanelContent): void;
  close(refocus: boolean): void;
}

export interface PanelViewOptions {
  css: string;
  limit?: TextLimit;
  onInsert(composer: Composer, item: PanelItem, variant: number): void;
  onDownload?(item: PanelItem): void;
}

export interface Rect {
  top: number;
  bottom: number;
  left: number;
}

/**
 * Where the panel goes, in viewport pixels: below the anchor, or above it where it would not fit
 * below, never past the viewport's edges (8 px in).
 */
export function panelPlacement(anchor: Rect, box: { width: number; height: number }, viewport: { width: number; height: number }) {
  const top = anchor.bottom + 8 + box.height < viewport.height ? anchor.bottom + 8 : Math.max(8, anchor.top - 8 - box.height);
  const left = Math.min(Math.max(8, anchor.left), viewport.width - box.width - 8);
  return { top, left };
}

export function createPanelView(opts: PanelViewOptions): PanelView {
  let open: { composer: Composer; ui: ShadowUi } | undefined;

  // Fixed beside the composer's toolbar. Some ancestors (dialogs with transforms) make `fixed`
  // relative to themselves, so the first placement is measured and corrected.
  function place() {
    if (!open) return;
    const box = open.ui.container.querySelector<HTMLElement>('.panel');
    const anchor = open.composer.root.querySelector(HOST_TAG) ?? open.composer.editor;
    if (!box) return;
    const { top, left } = panelPlacement(
      anchor.getBoundingClientRect(),
      { width: box.offsetWidth, height: box.offsetHeight },
      { width: innerWidth, height: innerHeight },
    );
    Object.assign(box.style, { position: 'fixed', top: `${top}px`, left: `${left}px`, zIndex: '2147483646' });
    const got = box.getBoundingClientRect();
    box.style.top = `${top + (top - got.top)}px`;
    box.style.left = `${left + (left - got.left)}px`;
  }

  const view: PanelView = {
    get composer() {
      return open?.composer;
    },
    open(composer, content) {
      view.close(false);
      // Inside the composer's dialog, so the site's focus trap lets focus into the panel.
      const anchor = composer.root.closest('[role="dialog"]') ?? document.body;
      open = { composer, ui: mountShadow(anchor, null, opts.css, false) };
      view.update(content);
    },
    update(content) {
      if (!open) return;
      const { composer, ui } = open;
      render(
        <Panel
          id="siar-panel"
          limit={opts.limit}
          items={content.items}
          emptyWords={content.offline ? 'panel_offline' : undefined}
          busyId={content.busyId}
          thumbs={content.thumbs}
          notice={content.notice}
          progress={content.progress}
          onDownload={opts.onDownload}
          onInsert={(item, v) => opts.onInsert(composer, item, v)}
          onClose={() => view.close(true)}
        />,
        ui.container,
      );
      place();
    },
    close(refocus) {
      if (!open) return;
      const { ui, composer } = open;
      render(null, ui.container);
      ui.remove();
      open = undefined;
      if (refocus && composer.editor.isConnected) composer.editor.focus();
    },
  };
  return view;
}
