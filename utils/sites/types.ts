// What a site file in this folder declares. `Site` is what the background, the popup and the
// options page need (no DOM); `SiteAdapter` is what the composer content script works the site's
// page with.

import type { MessageKey } from '../i18n';
import type { EditorKind, ImageMethod } from '../insert/bridge';
import type { Item, SelectorFixes } from '../protocol/feed-schema';
import type { Platform } from '../protocol/platforms';

/** A month, `YYYY-MM`. */
export type Month = `${number}-${number}`;

/**
 * One form an element or a page takes on the live site, with the month it was last seen there.
 * `npm run lint` fails once a form has gone unchecked too long (eslint/selector-check-by.js):
 * look at the live site, then move `seen` on, or drop the form.
 */
export interface Seen {
  seen: Month;
}
export interface CssForm extends Seen {
  css: string;
}
export interface TextForm extends Seen {
  text: RegExp;
}
export interface PathForm extends Seen {
  path: RegExp;
}

/** The parts of a composer that a feed's `_siar.selectors.<site id>` may extend. */
export type FixablePart = keyof Required<SelectorFixes>;

/** Per fixable part, its forms, newest first; older or more generic ones follow as fallbacks. */
export type FixableSelectors = Record<FixablePart, readonly CssForm[]>;

export interface TextLimit {
  /** The most a post may hold, counted as X counts (twitter-text's weighted length). */
  max: number;
  /** The composer panel's counter, `$N$` the count. */
  counter: MessageKey;
}

export interface Site {
  /** The platform as share events and captions name it. */
  id: Platform;
  /** The hosts whose pages get the composer content script (its match patterns); none for a site shared by link only. */
  hosts: readonly string[];
  /** The page a one-click share from the popup opens, where the content script puts the post in the site's composer. */
  composerUrl?: string;
  /**
   * The longest video the site takes from an ordinary account, in seconds: a longer one is not
   * attached (the text and link go in, and the panel says why). None: no limit known.
   */
  videoMaxSeconds?: number;
  /** Where the site refuses longer posts: the text is fitted to it. */
  textLimit?: TextLimit;
  /** The popup's share button for this site. */
  share: {
    label: MessageKey;
    /**
     * The site's own link share (a web intent, a sharer) carrying `text`, the post composed for the
     * site; undefined where the site cannot take this post (then the composer page opens).
     */
    intentUrl(item: Item, text: string): string | undefined;
    /** The link share takes a link only: the text goes to the clipboard too, and `hint` says so under the post. */
    linkOnly?: { hint: MessageKey };
    /**
     * The site's web app takes the post itself when a tab of it is open and logged in (WhatsApp
     * Web's chat picker): that tab goes here instead of a new tab opening the link share. Where
     * that tab shows the log-in page, it falls back to `intentUrl`.
     */
    openTab?(text: string): string;
  };
}

export interface ButtonSlot {
  parent: Element;
  before: Node | null;
}

export interface SiteAdapter {
  site: Site;
  /** Which editor the main world inserts into. */
  editorKind: EditorKind;
  /** How a picture or a video is given to the composer, tried in this order until one shows. */
  imageMethods: readonly ImageMethod[];
  /**
   * A selector that matches every composer editor and cheaply rules out everything else.
   * Checked only against nodes a mutation added, never the whole page.
   */
  readonly editorSelector: string;
  /** Whether a matched editor is a real post composer (not a comment box, not hidden). */
  isComposer(editor: Element): boolean;
  /** The element that holds one composer (editor, toolbar, Post button). */
  composerRoot(editor: Element): Element | null;
  /** Where the "Insert official post" button goes. */
  buttonSlot(root: Element, editor: Element): ButtonSlot | null;
  postButton(root: Element): HTMLElement | null;
  fileInput(root: Element): HTMLInputElement | null;
  /** Enter alone sends (WhatsApp); elsewhere Ctrl/Cmd+Enter does. */
  sendsOnEnter?: boolean;
  /**
   * Where the text goes once a picture or video is attached, on a site that takes it as the
   * media's caption in a preview of its own (WhatsApp); absent, the composer's editor.
   */
  captionEditor?(root: Element): HTMLElement | null;
  /** Pictures and videos attached to the composer so far. */
  attachmentCount(root: Element): number;
  /** The link to the published post, where the site shows one after Post (X's toast). */
  postedUrl?(doc: Document): string | undefined;
  /** Whether the post went out after Post was pressed (the composer emptied, closed, …). */
  postConfirmed(editor: Element, root: Element): boolean;
  /** The site shows its log-in page: a one-click share falls back to the link share. */
  isLoggedOut(doc: Document): boolean;
  /**
   * Opens the composer on the page a one-click share opened, where the site needs a click for it
   * (Facebook's "What's on your mind" prompt); true once clicked. Sites whose composer page opens
   * the composer by itself have none.
   */
  openComposer?(doc: Document): boolean;
  /** Puts the agency's selector fixes (already checked by the page) before the built-in forms. */
  hotfix(fixes: SelectorFixes): void;
}
