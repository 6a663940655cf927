import { anyOf, applyFixes, closestWhere, cssOf, firstMatch, isRendered, selectorLists } from './dom';
import type { CssForm, FixableSelectors, Site, SiteAdapter } from './types';

// WhatsApp. On a desktop, WhatsApp Web (web.whatsapp.com): the message box at the foot of an
// open chat is a Lexical editor; a picture or video goes through WhatsApp's media preview, whose
// caption box (Lexical too) takes the text, and its own Send. Elsewhere, the link share (wa.me),
// where the person picks a chat.
//
// Nothing about the chat is read: not its name, its members, nor whether it is a group. The
// adapter looks only at the message box, the attach button, the media preview and Send.
//
// The forms below come from public WhatsApp Web automation projects (the newest dated April 2026)
// and were not re-checked against the live site from this machine; `seen` follows the other
// sites' files. Within a list the newest form comes first.

export const site: Site = {
  id: 'whatsapp',
  hosts: ['web.whatsapp.com'],
  share: {
    label: 'share_whatsapp',
    intentUrl: (_item, text) => `https://wa.me/?text=${encodeURIComponent(text)}`,
    // With WhatsApp Web open and logged in, its own chat picker takes the post instead.
    openTab: (text) => `https://web.whatsapp.com/send?text=${encodeURIComponent(text)}`,
  },
};

/** The parts a feed's `_siar.selectors.whatsapp` may extend (see docs/protocol.md). */
const FIXABLE_BY_FEED: FixableSelectors = {
  // #main footer div[contenteditable="true"][role="textbox"][data-lexical-editor="true"][data-tab="10"]
  editor: [
    { css: '#main footer [contenteditable="true"][data-lexical-editor="true"]', seen: '2026-11' },
    { css: '#main footer [contenteditable="true"][role="textbox"][data-tab="10"]', seen: '2026-11' },
  ],
  // The row at the foot of the chat: attach button, message box, Send (or the microphone).
  toolbar: [{ css: '#main footer', seen: '2026-11' }],
  // A <button> holding the paper-plane icon; older builds a div[role=button] or the bare icon.
  postButton: [
    { css: 'button[aria-label="Send"]', seen: '2026-11' },
    { css: 'button[aria-label="Kirim"]', seen: '2026-11' },
    { css: '[role="button"][aria-label="Send"]', seen: '2026-11' },
    { css: '[role="button"][aria-label="Kirim"]', seen: '2026-11' },
    { css: 'span[data-icon="wds-ic-send-filled"]', seen: '2026-11' },
    { css: 'span[data-icon="send"]', seen: '2026-11' },
  ],
  // The hidden input behind the attach menu's "Photos & videos".
  fileInput: [
    { css: 'input[type="file"][accept*="image"]', seen: '2026-11' },
    { css: 'input[type="file"][accept*="video"]', seen: '2026-11' },
  ],
};

const SEL = /* @__PURE__ */ selectorLists(FIXABLE_BY_FEED);

// Forms a feed cannot extend.
/** The attach ("+") button: our button goes right after it. */
const ATTACH: readonly CssForm[] = [
  { css: 'button[aria-label="Attach"]', seen: '2026-11' },
  { css: 'button[aria-label="Lampirkan"]', seen: '2026-11' },
  { css: '[role="button"][title="Attach"]', seen: '2026-11' },
];
const ATTACH_CSS = /* @__PURE__ */ cssOf(ATTACH);
const ATTACH_ICON = /* @__PURE__ */ anyOf([
  { css: 'span[data-icon="plus-rounded"]', seen: '2026-11' },
  { css: 'span[data-icon="clip"]', seen: '2026-11' },
]);
/** The media preview's caption box, a Lexical editor outside the footer. */
const CAPTION = /* @__PURE__ */ cssOf([
  { css: '[data-testid="media-caption-input-container"] [contenteditable="true"]', seen: '2026-11' },
  { css: '[contenteditable="true"][aria-label="Add a caption"]', seen: '2026-11' },
  { css: '[contenteditable="true"][aria-label="Tambahkan keterangan"]', seen: '2026-11' },
]);
/** What the media preview shows of an attached picture or video. */
const MEDIA = /* @__PURE__ */ anyOf([
  { css: 'img[src^="blob:"]', seen: '2026-11' },
  { css: 'video[src^="blob:"]', seen: '2026-11' },
]);
/** The app shell, which holds the chat and, over it, the media preview. */
const APP = /* @__PURE__ */ anyOf([{ css: '#app', seen: '2026-11' }]);
const FOOTER = /* @__PURE__ */ anyOf([{ css: 'footer', seen: '2026-11' }]);
/** Logged out, the page shows the QR code to link a device, and no chat list. */
const LOGIN = /* @__PURE__ */ anyOf([
  { css: 'canvas[aria-label*="QR" i]', seen: '2026-11' },
  { css: 'canvas[aria-label="Scan me!"]', seen: '2026-11' },
  { css: '[data-ref] canvas', seen: '2026-11' },
]);
const CHAT_LIST = /* @__PURE__ */ anyOf([
  { css: '#side', seen: '2026-11' },
  { css: '#pane-side', seen: '2026-11' },
]);

/** The element a matched Send form stands for: the icon's button. */
function sendButton(scope: ParentNode): HTMLElement | null {
  const el = firstMatch<HTMLElement>(scope, SEL.postButton);
  return el?.closest<HTMLElement>('button, [role="button"]') ?? el;
}

/** The open media preview: the caption box's nearest ancestor that holds the media and a Send. */
function preview(doc: Document): { caption: HTMLElement; box: Element } | null {
  const caption = firstMatch<HTMLElement>(doc, CAPTION);
  if (!caption || caption.closest(FOOTER)) return null;
  const box = closestWhere(caption, (a) => a.querySelector(MEDIA) !== null && sendButton(a) !== null, 30);
  return box ? { caption, box } : null;
}

function footerOf(editor: Element): Element | null {
  return editor.closest(FOOTER);
}

export const adapter: SiteAdapter = {
  site,
  editorKind: 'lexical',
  // A pasted file opens the media preview, as a person's paste does; the attach menu's input next.
  imageMethods: ['paste', 'file-input', 'drop'],
  sendsOnEnter: true,
  get editorSelector() {
    return SEL.editor.join(', ');
  },
  isComposer(editor) {
    return footerOf(editor) !== null && isRendered(editor);
  },
  composerRoot(editor) {
    // The whole app: the media preview, with its caption and Send, is not inside the chat's footer.
    return closestWhere(editor, (a) => a.matches(APP), 60) ?? editor.ownerDocument.body;
  },
  buttonSlot(_root, editor) {
    const footer = footerOf(editor);
    if (!footer) return null;
    const attach = firstMatch(footer, ATTACH_CSS) ?? footer.querySelector(ATTACH_ICON)?.closest('button, [role="button"]');
    if (attach?.parentElement) return { parent: attach.parentElement, before: attach.nextSibling };
    // No attach button found: first in the row.
    return { parent: footer, before: footer.firstChild };
  },
  postButton(root) {
    const open = preview(root.ownerDocument);
    if (open) return sendButton(open.box);
    const footer = firstMatch(root, SEL.toolbar);
    return footer ? sendButton(footer) : null;
  },
  fileInput(root) {
    const footer = firstMatch(root, SEL.toolbar);
    return footer ? firstMatch<HTMLInputElement>(footer, SEL.fileInput) : null;
  },
  attachmentCount(root) {
    const open = preview(root.ownerDocument);
    return open ? open.box.querySelectorAll(MEDIA).length : 0;
  },
  captionEditor(root) {
    return preview(root.ownerDocument)?.caption ?? null;
  },
  postConfirmed(editor, root) {
    // Sent: the media preview closed, and the message box is empty (WhatsApp clears it).
    return preview(root.ownerDocument) === null && (!editor.isConnected || (editor.textContent ?? '').trim() === '');
  },
  isLoggedOut(doc) {
    return doc.querySelector(LOGIN) !== null && doc.querySelector(CHAT_LIST) === null;
  },
  hotfix(fixes) {
    applyFixes(SEL, fixes);
  },
};
