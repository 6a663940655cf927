import { applyFixes, closestWhere, firstMatch, isRendered, type SiteAdapter, type SiteSelectors } from './types';

// X (x.com, twitter.com). The composer is Draft.js. Selectors newest first, each with the date it
// was last seen on the live site; the fallbacks are the older or more generic forms.
// The parts a feed's `_siar.selectors.x` may extend (see docs/protocol.md).
const SEL: SiteSelectors = {
  // seen 2026-11: div.public-DraftEditor-content[data-testid="tweetTextarea_0"][role="textbox"]
  editor: ['[data-testid^="tweetTextarea_"][contenteditable="true"]', '.public-DraftEditor-content[contenteditable="true"]'],
  // seen 2026-11
  toolbar: ['[data-testid="toolBar"]', '[role="tablist"][aria-label]'],
  // seen 2026-11: inline composer and replies use tweetButtonInline, the modal tweetButton
  postButton: ['[data-testid="tweetButtonInline"]', '[data-testid="tweetButton"]'],
  // seen 2026-11
  fileInput: ['input[type="file"][data-testid="fileInput"]', 'input[type="file"][accept*="image"]'],
};

const FIXED = {
  // seen 2026-11: one child per attached picture
  attachments: ['[data-testid="attachments"]'],
  // seen 2026-11: "Your post was sent." toast with a "View" link to /<user>/status/<id>
  toast: ['[data-testid="toast"]', '[role="alert"]'],
} as const;

function hasToolbar(a: Element): boolean {
  return firstMatch(a, SEL.toolbar) !== null && firstMatch(a, SEL.postButton) !== null;
}

export const x: SiteAdapter = {
  platform: 'x',
  editorKind: 'draft',
  hosts: ['x.com', 'twitter.com', 'mobile.x.com', 'mobile.twitter.com'],
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
    const box = firstMatch(root, FIXED.attachments);
    return box ? box.querySelectorAll('img').length : 0;
  },
  postedUrl(doc) {
    for (const toast of doc.querySelectorAll(FIXED.toast.join(','))) {
      const link = toast.querySelector<HTMLAnchorElement>('a[href*="/status/"]');
      if (link?.href) return link.href;
    }
    return undefined;
  },
  postConfirmed(editor) {
    // X empties the inline composer and unmounts the modal one once the post is sent.
    return !editor.isConnected || (editor.textContent ?? '').trim() === '';
  },
  isLoggedOut(doc) {
    // seen 2026-11: logged-out visits to /compose/post land on /i/flow/login
    return /^\/(i\/flow\/(login|signup)|login)\b/.test(doc.location.pathname) || doc.querySelector('[data-testid="loginButton"]') !== null;
  },
  openComposer() {
    // /compose/post opens the modal composer by itself.
    return true;
  },
  hotfix(fixes) {
    applyFixes(SEL, fixes);
  },
};
