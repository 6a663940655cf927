import type { SiteAdapter } from '../sites/types';

const RETRIES = 60;
/** Added nodes a second looked at directly (see the observer below). */
const SCAN_BUDGET = 50;
/** The keyframes whose start tells us an editor entered the page. */
export const SEEN_ANIMATION = 'siar-editor-seen';

export interface Attached {
  /** Called when the composer left the page or the content script was invalidated. */
  detach(): void;
  /** Called after mutations, so a button removed by the site's own re-render is put back. */
  check?(): void;
}

export interface WatchOptions {
  /** Defers the batched work; one call per frame at most. */
  schedule?: (cb: () => void) => void;
}

/**
 * Finds composers as they come and go, at a cost that does not grow with how much the page
 * changes. The browser's style engine finds new editors: a rule gives every element matching the
 * site's editor selector a 1 ms no-op animation, and its `animationstart` names the element —
 * so the thousands of timeline nodes X adds and removes every second cost us a bounded budget,
 * not a scan each. Leaving composers are noticed by a MutationObserver that only sets a flag;
 * once per frame, the few attached composers are checked.
 */
export function watchComposers(
  doc: Document,
  site: SiteAdapter,
  attach: (editor: Element, root: Element) => Attached,
  opts: WatchOptions = {},
): (() => void) & { rescan(): void } {
  const schedule = opts.schedule ?? ((cb) => requestAnimationFrame(cb));
  const attached = new Map<Element, Attached>();
  // Editors seen before their toolbar or Post button rendered: looked at again on the next
  // frames, for a while, and whenever one gets focus.
  const waiting = new Map<Element, number>();
  let scheduled = false;

  const consider = (editor: Element) => {
    if (attached.has(editor) || !editor.isConnected) return;
    const root = site.isComposer(editor) ? site.composerRoot(editor) : null;
    if (!root) {
      if (!waiting.has(editor)) waiting.set(editor, RETRIES);
      soon();
      return;
    }
    waiting.delete(editor);
    attached.set(editor, attach(editor, root));
  };

  const flush = () => {
    scheduled = false;
    for (const [e, left] of waiting) {
      if (!e.isConnected || left <= 0) waiting.delete(e);
      else {
        waiting.set(e, left - 1);
        consider(e);
      }
    }
    for (const [editor, a] of attached) {
      if (!editor.isConnected) {
        attached.delete(editor);
        a.detach();
      } else a.check?.();
    }
  };
  function soon() {
    if (scheduled) return;
    scheduled = true;
    schedule(flush);
  }

  const style = doc.createElement('style');
  const rules = () =>
    `@keyframes ${SEEN_ANIMATION}{from{outline-color:initial}to{outline-color:initial}}` +
    `:is(${site.editorSelector}){animation:${SEEN_ANIMATION} 1ms}`;
  style.textContent = rules();
  (doc.head ?? doc.documentElement).append(style);

  const onAnimation = (e: Event) => {
    if ((e as AnimationEvent).animationName !== SEEN_ANIMATION) return;
    e.stopImmediatePropagation();
    consider(e.target as Element);
  };
  doc.addEventListener('animationstart', onAnimation, true);

  // The animation is reported a frame after the editor is first styled. To have the button in
  // the editor's own frame, added nodes are also looked at directly, within a budget of nodes a
  // second: a page at rest is fully covered, a churning timeline spends its budget in the first
  // batches and the rest is left to the style engine. Past the budget, the records are not read.
  let budget = SCAN_BUDGET;
  let budgetSince = 0;
  const observer = new MutationObserver((records) => {
    if (attached.size > 0) soon();
    // A site that rewrites <head> takes our rule with it: put it back.
    if (!style.isConnected) (doc.head ?? doc.documentElement).append(style);
    const now = performance.now();
    if (now - budgetSince > 1000) {
      budget = SCAN_BUDGET;
      budgetSince = now;
    }
    for (const r of records) {
      if (budget <= 0) return;
      for (const node of r.addedNodes) {
        if (node.nodeType !== 1 || budget-- <= 0) continue;
        const el = node as Element;
        if (el.matches(site.editorSelector)) consider(el);
        else if (el.firstElementChild) {
          const found = el.querySelector(site.editorSelector);
          if (found) consider(found);
        }
      }
    }
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });

  const onFocus = (e: FocusEvent) => {
    const t = e.target as Element | null;
    if (t?.nodeType === 1 && t.matches(site.editorSelector)) consider(t);
  };
  doc.addEventListener('focusin', onFocus, true);

  const rescan = () => {
    style.textContent = rules();
    // Our <style> must stay in the page: a site replacing <head> would take it away.
    if (!style.isConnected) (doc.head ?? doc.documentElement).append(style);
    for (const e of doc.querySelectorAll(site.editorSelector)) consider(e);
  };
  rescan();

  const stop = () => {
    observer.disconnect();
    doc.removeEventListener('animationstart', onAnimation, true);
    doc.removeEventListener('focusin', onFocus, true);
    style.remove();
    for (const a of attached.values()) a.detach();
    attached.clear();
    waiting.clear();
  };
  // A rescan after the selectors changed (an agency's fixes arrived).
  return Object.assign(stop, { rescan });
}
