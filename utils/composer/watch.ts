import type { SiteAdapter } from '../sites/types';

const RETRIES = 60;
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
 * nothing of ours runs for the thousands of timeline nodes X adds and removes every second.
 * Leaving composers are noticed by a MutationObserver whose callback only sets a flag; once per
 * frame, the few attached composers are checked.
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

  // Only "something changed": the records are not even read.
  const observer = new MutationObserver(() => {
    if (attached.size > 0) soon();
    // A site that rewrites <head> takes our rule with it: put it back.
    if (!style.isConnected) (doc.head ?? doc.documentElement).append(style);
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
