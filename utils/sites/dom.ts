// Reading a site's page with the forms its site file declares: the helpers every site file shares.
// Site files call the list builders at module level marked pure, so a bundle that takes only a
// site's `site` (the popup, the background) leaves its page code out.

import type { SelectorFixes } from '../protocol/feed-schema';
import type { CssForm, FixablePart, FixableSelectors } from './types';

const FIXABLE_PARTS: readonly FixablePart[] = ['editor', 'toolbar', 'postButton', 'fileInput'];

/** The selectors of a list of forms, in their order. */
export function cssOf(forms: readonly CssForm[]): string[] {
  return forms.map((f) => f.css);
}

/** One selector for any of the forms. */
export function anyOf(forms: readonly CssForm[]): string {
  return cssOf(forms).join(', ');
}

/** The selector lists in use per fixable part: the site's forms, which a feed's fixes may extend (applyFixes). */
export function selectorLists(forms: FixableSelectors): Record<FixablePart, string[]> {
  return {
    editor: cssOf(forms.editor),
    toolbar: cssOf(forms.toolbar),
    postButton: cssOf(forms.postButton),
    fileInput: cssOf(forms.fileInput),
  };
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

/** Puts a feed's selector fixes before the site's own forms, part by part. */
export function applyFixes(sel: Record<FixablePart, string[]>, fixes: SelectorFixes, doc: Document = document): void {
  for (const part of FIXABLE_PARTS) {
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

/** First element matching any of the selectors, tried in order (newest form first). */
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
