import { applyFixes, closestWhere, firstMatch, isRendered, type SiteAdapter, type SiteSelectors } from './types';

// Facebook (www.facebook.com). The composer is Lexical, inside the "Create post" dialog, also in
// groups and pages. Comment boxes are Lexical too: only an editor in a dialog with a Post button
// is a composer. Selectors newest first, dated.
// The parts a feed's `_siar.selectors.facebook` may extend (see docs/protocol.md).
const SEL: SiteSelectors = {
  // seen 2026-11: div[role="textbox"][contenteditable="true"][data-lexical-editor="true"]
  editor: ['[data-lexical-editor="true"][contenteditable="true"]'],
  // Facebook's composer has no toolbar of its own that we use.
  toolbar: [],
  // seen 2026-11: a div[role="button"], not a <button>; the label follows the UI language
  postButton: [
    '[role="button"][aria-label="Post"]',
    '[role="button"][aria-label="Posting"]',
    '[role="button"][aria-label="Kirim"]',
    'div[aria-label="Post"]',
  ],
  // seen 2026-11: hidden input behind "Photo/video"
  fileInput: ['input[type="file"][accept*="image"]', 'input[type="file"]'],
};

const FIXED = {
  // seen 2026-11
  dialog: '[role="dialog"]',
  // seen 2026-11: the "What's on your mind, Name?" prompt that opens the dialog
  prompt: ['[role="button"][aria-label^="What\'s on your mind"]', '[role="button"][aria-label^="Apa yang Anda pikirkan"]'],
  promptText: [/^What's on your mind/, /^Apa yang Anda pikirkan/],
} as const;

function dialogOf(editor: Element): Element | null {
  return closestWhere(editor, (a) => a.matches(FIXED.dialog), 40);
}

export const facebook: SiteAdapter = {
  platform: 'facebook',
  editorKind: 'lexical',
  hosts: ['www.facebook.com', 'web.facebook.com', 'm.facebook.com'],
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
    const box = closestWhere(editor, (a) => a.parentElement?.matches('form, [role="dialog"]') === true, 30) ?? editor.parentElement;
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
    // Previews are blob: or data: images inside the dialog.
    return root.querySelectorAll('img[src^="blob:"], img[src^="data:"]').length;
  },
  postConfirmed(editor) {
    return !editor.isConnected;
  },
  isLoggedOut(doc) {
    // seen 2026-11: the log-in form on www.facebook.com
    return doc.querySelector('form[data-testid="royal_login_form"], input[name="pass"][type="password"]') !== null;
  },
  openComposer(doc) {
    let prompt = firstMatch<HTMLElement>(doc, FIXED.prompt);
    if (!prompt) {
      for (const el of doc.querySelectorAll<HTMLElement>('[role="button"]')) {
        const text = el.textContent?.trim() ?? '';
        if (FIXED.promptText.some((re) => re.test(text))) {
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
