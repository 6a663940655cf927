// What the shared composer code needs to know about one site. Everything site-specific (selectors,
// where to put the button, how to tell a post went out) lives in that site's file.

import type { SelectorFixes } from '../protocol/feed';

export type EditorKind = 'draft' | 'lexical';

export interface SiteAdapter {
  /** The platform name used in share events and captions. */
  platform: string;
  editorKind: EditorKind;
  /** Hosts this adapter serves. */
  hosts: readonly string[];
  /**
   * A selector that matches every composer editor and cheaply rules out everything else.
   * Checked only against nodes a mutation added, never the whole page.
   */
  editorSelector: string;
  /** Whether a matched editor is a real post composer (not a comment box, not hidden). */
  isComposer(editor: Element): boolean;
  /** The element that holds one composer (editor, toolbar, Post button). */
  composerRoot(editor: Element): Element | null;
  /** Where the "Insert official post" button goes. */
  buttonSlot(root: Element, editor: Element): { parent: Element; before: Node | null } | null;
  postButton(root: Element): HTMLElement | null;
  fileInput(root: Element): HTMLInputElement | null;
  /** Pictures attached to the composer so far. */
  attachmentCount(root: Element): number;
  /** The link to the published post, where the site shows one after Post (X's toast). */
  postedUrl?(doc: Document): string | undefined;
  /**
   * Whether the post went out after Post was pressed: X clears or closes the composer;
   * Facebook closes the dialog.
   */
  postConfirmed(editor: Element, root: Element): boolean;
  /** The site shows its log-in page: a one-click share falls back to the web intent. */
  isLoggedOut(doc: Document): boolean;
  /** Opens the site's composer on a page where none is open (for one-click share from the popup). */
  openComposer?(doc: Document): boolean;
  /** Puts the agency's selector fixes (already checked by the page) before the built-in ones. */
  hotfix(fixes: SelectorFixes): void;
}

/** Selectors, by part, that a feed may extend. Lists are tried in order. */
export interface SiteSelectors {
  editor: string[];
  toolbar: string[];
  postButton: string[];
  fileInput: string[];
}

/** Only selectors this browser can parse survive: a feed never breaks the finders. */
export function usableSelectors(list: readonly string[] | undefined, doc: Document = document): string[] {
  const frag = doc.createDocumentFragment();
  return (list ?? []).filter((sel) => {
    try {
      frag.querySelector(sel);
      return true;
    } catch {
      console.warn('[siar] ignored a selector fix that does not parse:', sel);
      return false;
    }
  });
}

export function applyFixes(sel: SiteSelectors, fixes: SelectorFixes, doc: Document = document): void {
  for (const part of ['editor', 'toolbar', 'postButton', 'fileInput'] as const) {
    const extra = usableSelectors(fixes[part], doc);
    if (extra.length > 0) sel[part] = [...extra, ...sel[part].filter((s) => !extra.includes(s))];
  }
}

/** True when an element takes space on screen (hidden editors are not composers). */
export function isRendered(el: Element): boolean {
  const h = el as HTMLElement;
  if (h.hidden || h.closest('[hidden],[aria-hidden="true"]')) return false;
  return h.getClientRects().length > 0;
}

/** First element matching any of the dated selectors, newest first. */
export function firstMatch<T extends Element = Element>(root: ParentNode, selectors: readonly string[]): T | null {
  for (const s of selectors) {
    const el = root.querySelector<T & Element>(s);
    if (el) return el;
  }
  return null;
}

/** The closest ancestor (up to `depth` levels) for which `test` holds. */
export function closestWhere(el: Element, test: (a: Element) => boolean, depth = 20): Element | null {
  let a: Element | null = el;
  for (let i = 0; a && i < depth; i++, a = a.parentElement) if (test(a)) return a;
  return null;
}
