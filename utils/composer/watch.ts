import type { SiteAdapter } from '../sites/types';

const RETRIES = 60;
/**
 * What the observer may read in a second, in units: one a mutation record, BATCH_COST more a
 * batch (a callback), FOUND_CREDIT back for each editor found in what was added. Reading that
 * finds composers is the work we are here for; reading that finds none is what a churning page
 * costs. Measured in the bench's stress runs (a composer every few frames, on a machine shared
 * with other work): X's route changes and compose modal ~190 records in ~25 batches a second with
 * 13 editors found, WhatsApp Web's chats opened one after another ~100 records in ~45 batches with
 * 25 found, both well below zero; a WhatsApp chat getting 200 messages a second 220 to 380 records
 * in 30 to 60 batches with none found, X's timeline at 2,000 posts a second thousands.
 */
const READ_BUDGET = 200;
/**
 * A callback costs more than its records: every one runs the sweep. Charged so that many small
 * batches (a chat's messages, a frame at a time) count as the work they are.
 */
const BATCH_COST = 1;
/** Given back for an editor found in what a batch added (up to the window's allowance). */
const FOUND_CREDIT = 20;
/** The first rest; each rest that ends in churn again doubles the next, up to MAX_REST_MS. */
const REST_MS = 1000;
const MAX_REST_MS = 8000;
/**
 * After a rest the observer first reads an eighth of a second, with an eighth of the budget: a
 * page still churning spends it in a few batches and rests again, a calm one stays within it.
 */
const PROBE_MS = 125;
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
 * changes. A MutationObserver looks at added nodes, within a budget a second (records and
 * batches), so a composer gets its button in its own frame; past the budget it rests, a second
 * and longer each time the page is still churning when it comes back, and the browser's style
 * engine finds new editors meanwhile: a rule gives every element matching the site's editor
 * selector a 1 ms no-op animation, and its `animationstart` names the element a frame later.
 * Attached composers are looked at with each batch the observer reads, and once a second while
 * it rests.
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
  // stays within the budget; a churning page spends it, and the observer is then disconnected:
  // churn then costs nothing. Every call into the page from here costs microseconds (measured by
  // the bench's profiler under WhatsApp Web's churn: performance.now() once a batch was about half
  // a millisecond a second at 60 batches a second), so a batch does no more than it must:
  // the second is kept by a timer, not by reading the clock per batch, records adding nothing are
  // passed over before their target is read, and a rest grows while the churn goes on.
  // Within a batch, a parent getting many children is a list filling up (a timeline): only its
  // first few are looked at, as querySelector on every cell was the next largest cost.
  let budget = 0;
  // What the open window may read (READ_BUDGET for a second, less for a probe).
  let allowance = 0;
  // The reading window open (a second, or PROBE_MS after a rest); undefined when none is.
  let windowTimer: ReturnType<typeof setTimeout> | undefined;
  let restTimer: ReturnType<typeof setTimeout> | undefined;
  // Rests in a row whose next window ran out too: the next rest is REST_MS × 2^rests.
  let rests = 0;
  const observe = () => observer.observe(doc.documentElement, { childList: true, subtree: true });
  const openWindow = () => {
    const ms = rests > 0 ? PROBE_MS : 1000;
    budget = allowance = (READ_BUDGET * ms) / 1000;
    windowTimer = setTimeout(() => {
      // A window that ended within its budget: the page is calm.
      windowTimer = undefined;
      rests = 0;
    }, ms);
  };
  const rest = () => {
    observer.disconnect();
    clearTimeout(windowTimer);
    windowTimer = undefined;
    let seconds = Math.min(REST_MS * 2 ** rests, MAX_REST_MS) / 1000;
    rests++;
    const tick = () => {
      // What left or lost its button while nobody was listening, once a second.
      keepStyle();
      sweep();
      if (--seconds > 0) restTimer = setTimeout(tick, 1000);
      else {
        restTimer = undefined;
        observe();
      }
    };
    restTimer = setTimeout(tick, 1000);
  };
  const observer = new MutationObserver((records) => {
    keepStyle();
    sweep();
    if (windowTimer === undefined) openWindow();
    budget -= BATCH_COST;
    let parent: Node | undefined;
    let looked = 0;
    for (const r of records) {
      if (budget-- <= 0) return rest();
      const added = r.addedNodes;
      if (added.length === 0) continue;
      if (r.target !== parent) {
        parent = r.target;
        looked = 0;
      } else if (looked >= LIST_HEAD) continue;
      for (let i = 0; i < added.length && looked < LIST_HEAD; i++) {
        const el = added[i] as Element;
        if (el.nodeType !== 1) continue;
        looked++;
        const found = el.matches(selector) ? el : el.querySelector(selector);
        if (found) {
          consider(found);
          budget = Math.min(budget + FOUND_CREDIT, allowance);
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
    clearTimeout(windowTimer);
    clearTimeout(restTimer);
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
