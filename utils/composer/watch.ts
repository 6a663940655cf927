import type { SiteAdapter } from '../sites/types';

const RETRIES = 60;
/**
 * Mutation records a second the observer reads (see below). Measured on the X fixture: route
 * changes and the compose modal, cycled back to back as the bench does, make ~230 a second; a
 * timeline churning 2,000 posts a second spends 600 in about ten batches.
 */
const READ_BUDGET = 600;
/** Elements added under one parent in one mutation batch that are looked at. */
const LIST_HEAD = 8;
/** The keyframes whose start tells us an editor entered the page. */
export const SEEN_ANIMATION = 'siar-editor-seen';

export interface Attached {
  /** Called when the composer left the page or the content script was invalidated. */
  detach(): void;
  /** Called after mutations, so a button removed by the site's own re-render is put back. */
  check?(): void;
}

export interface WatchOptions {
  /** Defers the retries of editors waiting for their toolbar; one call per frame at most. */
  schedule?: (cb: () => void) => void;
}

/**
 * Finds composers as they come and go, at a cost that does not grow with how much the page
 * changes. A MutationObserver looks at added nodes, within a budget of records a second, so a
 * composer gets its button in its own frame; past the budget it rests until the second is over,
 * and the browser's style engine finds new editors meanwhile: a rule gives every element matching
 * the site's editor selector a 1 ms no-op animation, and its `animationstart` names the element a
 * frame later. Attached composers are looked at with each batch the observer reads.
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
  // The adapter joins its selectors on every read: read once, again on rescan (selector fixes).
  let selector = site.editorSelector;

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

  const retry = () => {
    scheduled = false;
    for (const [e, left] of waiting) {
      if (!e.isConnected || left <= 0) waiting.delete(e);
      else {
        waiting.set(e, left - 1);
        consider(e);
      }
    }
  };
  function soon() {
    if (scheduled) return;
    scheduled = true;
    schedule(retry);
  }

  // Composers that left are detached, buttons the site's re-render dropped are put back. Run with
  // each batch the observer reads (so before the frame is painted) and when it resumes: no work
  // per frame, and a churning page gets no more runs than the budget allows.
  const sweep = () => {
    for (const [editor, a] of attached) {
      if (!editor.isConnected) {
        attached.delete(editor);
        a.detach();
      } else a.check?.();
    }
  };

  const style = doc.createElement('style');
  const rules = () =>
    `@keyframes ${SEEN_ANIMATION}{from{outline-color:initial}to{outline-color:initial}}` +
    `:is(${selector}){animation:${SEEN_ANIMATION} 1ms}`;
  // A site that rewrites <head> takes our rule with it: put it back.
  const keepStyle = () => {
    if (!style.isConnected) (doc.head ?? doc.documentElement).append(style);
  };
  style.textContent = rules();
  keepStyle();

  const onAnimation = (e: Event) => {
    if ((e as AnimationEvent).animationName !== SEEN_ANIMATION) return;
    e.stopImmediatePropagation();
    consider(e.target as Element);
  };
  doc.addEventListener('animationstart', onAnimation, true);

  // The animation is reported a frame after the editor is first styled. To have the button in
  // the editor's own frame, added nodes are looked at directly. A page at rest or changing route
  // stays within the budget; a churning timeline spends it in its first batches, and the observer
  // is then disconnected for the rest of the second: churn then costs nothing, where a callback
  // per batch (60 a second), each scheduling a check in the next frame, was most of our time.
  // Within a batch, a parent getting many children is a list filling up (a timeline): only its
  // first few are looked at, as querySelector on every cell was the next largest cost.
  let budget = READ_BUDGET;
  let budgetSince = performance.now();
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;
  const observe = () => observer.observe(doc.documentElement, { childList: true, subtree: true });
  const resume = () => {
    resumeTimer = undefined;
    budget = READ_BUDGET;
    budgetSince = performance.now();
    keepStyle();
    observe();
    // What left or lost its button while nobody was listening.
    sweep();
  };
  const observer = new MutationObserver((records) => {
    keepStyle();
    sweep();
    const now = performance.now();
    if (now - budgetSince > 1000) {
      budget = READ_BUDGET;
      budgetSince = now;
    }
    let parent: Node | undefined;
    let looked = 0;
    for (const r of records) {
      if (budget-- <= 0) {
        observer.disconnect();
        resumeTimer = setTimeout(resume, budgetSince + 1000 - now);
        return;
      }
      if (r.target !== parent) {
        parent = r.target;
        looked = 0;
      } else if (looked >= LIST_HEAD) continue;
      const added = r.addedNodes;
      for (let i = 0; i < added.length && looked < LIST_HEAD; i++) {
        const el = added[i] as Element;
        if (el.nodeType !== 1) continue;
        looked++;
        if (el.matches(selector)) consider(el);
        else {
          const found = el.querySelector(selector);
          if (found) consider(found);
        }
      }
    }
  });
  observe();

  const onFocus = (e: FocusEvent) => {
    const t = e.target as Element | null;
    if (t?.nodeType === 1 && t.matches(selector)) consider(t);
  };
  doc.addEventListener('focusin', onFocus, true);

  const rescan = () => {
    selector = site.editorSelector;
    style.textContent = rules();
    keepStyle();
    for (const e of doc.querySelectorAll(selector)) consider(e);
  };
  rescan();

  const stop = () => {
    observer.disconnect();
    clearTimeout(resumeTimer);
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
