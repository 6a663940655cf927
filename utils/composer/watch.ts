import type { SiteAdapter } from '../sites/types';

const RETRIES = 60;

export interface Attached {
  /** Called when the composer left the page or the content script was invalidated. */
  detach(): void;
  /** Called after mutations, so a button removed by the site's own re-render is put back. */
  check?(): void;
}

export interface WatchOptions {
  /** Defers the batched work; one call per frame at most. */
  schedule?: (cb: () => void) => void;
  /** Nodes of our own UI, whose mutations are ignored. */
  isOurs?: (node: Node) => boolean;
}

/**
 * Finds composers as they come and go. The observer callback only collects added nodes and sets a
 * flag; the real work runs once per animation frame and looks only inside what was added, so a
 * timeline that adds thousands of nodes a second costs a loop over its records.
 */
export function watchComposers(
  doc: Document,
  site: SiteAdapter,
  attach: (editor: Element, root: Element) => Attached,
  opts: WatchOptions = {},
): (() => void) & { rescan(): void } {
  const schedule = opts.schedule ?? ((cb) => requestAnimationFrame(cb));
  const attached = new Map<Element, Attached>();
  // Editors seen before their toolbar or Post button rendered: looked at again on the next frames
  // with mutations, for a while, and whenever one gets focus.
  const waiting = new Map<Element, number>();
  let added: NodeList[] = [];
  let removed = false;
  let scheduled = false;

  const consider = (editor: Element) => {
    if (attached.has(editor)) return;
    const root = site.isComposer(editor) ? site.composerRoot(editor) : null;
    if (!root) {
      if (!waiting.has(editor)) waiting.set(editor, RETRIES);
      return;
    }
    waiting.delete(editor);
    attached.set(editor, attach(editor, root));
  };

  const flush = () => {
    scheduled = false;
    const batches = added;
    added = [];
    for (const list of batches) {
      for (const node of list) {
        if (node.nodeType !== 1 || !node.isConnected) continue;
        const el = node as Element;
        if (opts.isOurs?.(el)) continue;
        if (el.matches(site.editorSelector)) consider(el);
        else if (el.firstElementChild) for (const e of el.querySelectorAll(site.editorSelector)) consider(e);
      }
    }
    for (const [e, left] of waiting) {
      if (!e.isConnected || left <= 0) waiting.delete(e);
      else {
        waiting.set(e, left - 1);
        consider(e);
      }
    }
    if (removed) {
      removed = false;
      for (const [editor, a] of attached) {
        if (!editor.isConnected) {
          attached.delete(editor);
          a.detach();
        } else a.check?.();
      }
    }
  };

  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.addedNodes.length > 0) added.push(r.addedNodes);
      if (r.removedNodes.length > 0) removed = true;
    }
    if (!scheduled && (added.length > 0 || removed)) {
      scheduled = true;
      schedule(flush);
    }
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });
  const onFocus = (e: FocusEvent) => {
    const t = e.target as Element | null;
    if (t?.nodeType === 1 && t.matches(site.editorSelector)) consider(t);
  };
  doc.addEventListener('focusin', onFocus, true);
  const rescan = () => {
    for (const e of doc.querySelectorAll(site.editorSelector)) consider(e);
  };
  rescan();

  const stop = () => {
    observer.disconnect();
    doc.removeEventListener('focusin', onFocus, true);
    for (const a of attached.values()) a.detach();
    attached.clear();
    waiting.clear();
  };
  // A rescan after the selectors changed (an agency's fixes arrived).
  return Object.assign(stop, { rescan });
}
