import { IMAGE_METHODS } from '../insert/bridge';
import { anyOf, applyFixes, closestWhere, cssOf, firstMatch, isRendered, selectorLists } from './dom';
import type { FixableSelectors, Site, SiteAdapter, TextForm } from './types';

// Facebook (www.facebook.com). The composer is Lexical, inside the "Create post" dialog, also in
// groups and pages. Comment boxes are Lexical too: only an editor in a dialog with a Post button
// is a composer. Each form below carries the month it was last seen on the live site; within a
// list the newest comes first.

export const site: Site = {
  id: 'facebook',
  hosts: ['www.facebook.com', 'web.facebook.com'],
  // The feed: its "What's on your mind" prompt opens the "Create post" dialog (openComposer).
  composerUrl: 'https://www.facebook.com/',
  share: {
    label: 'share_facebook',
    // Facebook's sharer takes only a link, never text.
    intentUrl: (item) => (item.url ? `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(item.url)}` : undefined),
    linkOnly: { hint: 'fb_hint' },
  },
};

/** The parts a feed's `_siar.selectors.facebook` may extend (see docs/protocol.md). */
const FIXABLE_BY_FEED: FixableSelectors = {
  // div[role="textbox"][contenteditable="true"][data-lexical-editor="true"]
  editor: [{ css: '[data-lexical-editor="true"][contenteditable="true"]', seen: '2026-11' }],
  // Facebook's composer has no toolbar of its own that we use.
  toolbar: [],
  // A div[role="button"], not a <button>; the label follows the UI language.
  postButton: [
    { css: '[role="button"][aria-label="Post"]', seen: '2026-11' },
    { css: '[role="button"][aria-label="Posting"]', seen: '2026-11' },
    { css: '[role="button"][aria-label="Kirim"]', seen: '2026-11' },
    { css: 'div[aria-label="Post"]', seen: '2026-11' },
  ],
  // The hidden input behind "Photo/video".
  fileInput: [
    { css: 'input[type="file"][accept*="image"]', seen: '2026-11' },
    { css: 'input[type="file"]', seen: '2026-11' },
  ],
};

const SEL = /* @__PURE__ */ selectorLists(FIXABLE_BY_FEED);

// Forms a feed cannot extend.
const DIALOG = /* @__PURE__ */ anyOf([{ css: '[role="dialog"]', seen: '2026-11' }]);
/** What holds the editor's scroll area, which our button goes right under. */
const EDITOR_BOX = /* @__PURE__ */ anyOf([
  { css: 'form', seen: '2026-11' },
  { css: '[role="dialog"]', seen: '2026-11' },
]);
/** Attached pictures show as blob: or data: images inside the dialog. */
const PREVIEWS = /* @__PURE__ */ anyOf([
  { css: 'img[src^="blob:"]', seen: '2026-11' },
  { css: 'img[src^="data:"]', seen: '2026-11' },
  // A video's preview plays the file from a blob: URL.
  { css: 'video[src^="blob:"]', seen: '2026-11' },
]);
/** The "What's on your mind, Name?" prompt that opens the dialog, by its label, else by its words. */
const PROMPT = /* @__PURE__ */ cssOf([
  { css: '[role="button"][aria-label^="What\'s on your mind"]', seen: '2026-11' },
  { css: '[role="button"][aria-label^="Apa yang Anda pikirkan"]', seen: '2026-11' },
]);
const PROMPT_TEXT: readonly TextForm[] = [
  { text: /^What's on your mind/, seen: '2026-11' },
  { text: /^Apa yang Anda pikirkan/, seen: '2026-11' },
];
/** The log-in form on www.facebook.com. */
const LOGIN_FORM = /* @__PURE__ */ anyOf([
  { css: 'form[data-testid="royal_login_form"]', seen: '2026-11' },
  { css: 'input[name="pass"][type="password"]', seen: '2026-11' },
]);

function dialogOf(editor: Element): Element | null {
  return closestWhere(editor, (a) => a.matches(DIALOG), 40);
}

export const adapter: SiteAdapter = {
  site,
  editorKind: 'lexical',
  imageMethods: IMAGE_METHODS,
  get editorSelector() {
    return SEL.editor.join(', ');
  },
  isComposer(editor) {
    const dialog = dialogOf(editor);
    return dialog !== null && isRendered(editor) && firstMatch(dialog, SEL.postButton) !== null;
  },
  composerRoot(editor) {
    return dialogOf(editor);
  },
  buttonSlot(root, editor) {
    // Right under the editor's scroll area, so it is seen before the "Add to your post" row.
    const box = closestWhere(editor, (a) => a.parentElement?.matches(EDITOR_BOX) === true, 30) ?? editor.parentElement;
    return box?.parentElement
      ? { parent: box.parentElement, before: box.nextSibling }
      : root.firstElementChild
        ? { parent: root, before: null }
        : null;
  },
  postButton(root) {
    return firstMatch<HTMLElement>(root, SEL.postButton);
  },
  fileInput(root) {
    return firstMatch<HTMLInputElement>(root, SEL.fileInput);
  },
  attachmentCount(root) {
    return root.querySelectorAll(PREVIEWS).length;
  },
  postConfirmed(editor) {
    // Facebook closes the dialog once the post is sent.
    return !editor.isConnected;
  },
  isLoggedOut(doc) {
    return doc.querySelector(LOGIN_FORM) !== null;
  },
  openComposer(doc) {
    let prompt = firstMatch<HTMLElement>(doc, PROMPT);
    if (!prompt) {
      for (const el of doc.querySelectorAll<HTMLElement>('[role="button"]')) {
        const text = el.textContent?.trim() ?? '';
        if (PROMPT_TEXT.some((f) => f.text.test(text))) {
          prompt = el;
          break;
        }
      }
    }
    prompt?.click();
    return prompt !== null;
  },
  hotfix(fixes) {
    applyFixes(SEL, fixes);
  },
};
