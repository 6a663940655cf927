import { IMAGE_METHODS } from '../insert/bridge';
import { anyOf, applyFixes, closestWhere, cssOf, firstMatch, isRendered, selectorLists } from './dom';
import type { FixableSelectors, PathForm, Site, SiteAdapter } from './types';

// X (x.com, twitter.com). The composer is Draft.js. Each form below carries the month it was last
// seen on the live site; within a list the newest comes first, older or more generic ones after.

export const site: Site = {
  id: 'x',
  hosts: ['x.com', 'twitter.com'],
  // Opens the modal composer by itself, logged in; logged out it lands on /i/flow/login.
  composerUrl: 'https://x.com/compose/post',
  textLimit: { max: 280, counter: 'x_counter' },
  // Ordinary accounts may post videos up to 2 min 20 s (help.x.com, checked 2026-11).
  videoMaxSeconds: 140,
  share: {
    label: 'share_x',
    intentUrl: (_item, text) => `https://x.com/intent/post?text=${encodeURIComponent(text)}`,
  },
};

/** The parts a feed's `_siar.selectors.x` may extend (see docs/protocol.md). */
const FIXABLE_BY_FEED: FixableSelectors = {
  editor: [
    // div.public-DraftEditor-content[data-testid="tweetTextarea_0"][role="textbox"]
    { css: '[data-testid^="tweetTextarea_"][contenteditable="true"]', seen: '2026-11' },
    { css: '.public-DraftEditor-content[contenteditable="true"]', seen: '2026-11' },
  ],
  toolbar: [
    { css: '[data-testid="toolBar"]', seen: '2026-11' },
    { css: '[role="tablist"][aria-label]', seen: '2026-11' },
  ],
  postButton: [
    // The inline composer and replies use tweetButtonInline, the modal tweetButton.
    { css: '[data-testid="tweetButtonInline"]', seen: '2026-11' },
    { css: '[data-testid="tweetButton"]', seen: '2026-11' },
  ],
  fileInput: [
    { css: 'input[type="file"][data-testid="fileInput"]', seen: '2026-11' },
    { css: 'input[type="file"][accept*="image"]', seen: '2026-11' },
  ],
};

const SEL = /* @__PURE__ */ selectorLists(FIXABLE_BY_FEED);

// Forms a feed cannot extend.
/** One preview per attached picture (img) or video (video). */
const ATTACHMENTS = /* @__PURE__ */ cssOf([{ css: '[data-testid="attachments"]', seen: '2026-11' }]);
/** "Your post was sent.", with a "View" link to /<user>/status/<id>. */
const TOAST = /* @__PURE__ */ anyOf([
  { css: '[data-testid="toast"]', seen: '2026-11' },
  { css: '[role="alert"]', seen: '2026-11' },
]);
const POST_LINK = /* @__PURE__ */ anyOf([{ css: 'a[href*="/status/"]', seen: '2026-11' }]);
/** Logged-out visits to /compose/post land on /i/flow/login. */
const LOGIN_PATHS: readonly PathForm[] = [{ path: /^\/(i\/flow\/(login|signup)|login)\b/, seen: '2026-11' }];
const LOGIN_BUTTON = /* @__PURE__ */ anyOf([{ css: '[data-testid="loginButton"]', seen: '2026-11' }]);

function hasToolbar(a: Element): boolean {
  return firstMatch(a, SEL.toolbar) !== null && firstMatch(a, SEL.postButton) !== null;
}

export const adapter: SiteAdapter = {
  site,
  editorKind: 'draft',
  imageMethods: IMAGE_METHODS,
  get editorSelector() {
    return SEL.editor.join(', ');
  },
  isComposer(editor) {
    return this.composerRoot(editor) !== null && isRendered(editor);
  },
  composerRoot(editor) {
    return closestWhere(editor, hasToolbar, 25);
  },
  buttonSlot(root) {
    const toolbar = firstMatch(root, SEL.toolbar);
    // The toolbar's first child is the row of icon buttons: our button joins it at the end.
    const row = toolbar?.firstElementChild ?? toolbar;
    return row ? { parent: row, before: null } : null;
  },
  postButton(root) {
    return firstMatch<HTMLElement>(root, SEL.postButton);
  },
  fileInput(root) {
    return firstMatch<HTMLInputElement>(root, SEL.fileInput);
  },
  attachmentCount(root) {
    const box = firstMatch(root, ATTACHMENTS);
    return box ? box.querySelectorAll('img, video').length : 0;
  },
  postedUrl(doc) {
    for (const toast of doc.querySelectorAll(TOAST)) {
      const link = toast.querySelector<HTMLAnchorElement>(POST_LINK);
      if (link?.href) return link.href;
    }
    return undefined;
  },
  postConfirmed(editor) {
    // X empties the inline composer and unmounts the modal one once the post is sent.
    return !editor.isConnected || (editor.textContent ?? '').trim() === '';
  },
  isLoggedOut(doc) {
    return LOGIN_PATHS.some((f) => f.path.test(doc.location.pathname)) || doc.querySelector(LOGIN_BUTTON) !== null;
  },
  hotfix(fixes) {
    applyFixes(SEL, fixes);
  },
};
