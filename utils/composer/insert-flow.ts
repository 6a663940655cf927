import { TARGET_ATTR, type InsertRequest, type InsertResult } from '../insert/bridge';
import type { Message } from '../messages/messages';
import type { PanelItem } from '../messages/replies';
import type { SiteAdapter } from '../sites/types';
import { attachFile } from './attach';
import type { VideoOutcome } from './attach-video';
import type { Composer } from './types';
import { editorHolds, isEnabled } from './verify';

// One insert, from the isolated world: mark the editor (and file input) for the main world, put
// the text in at once, then the post's video (else its picture) by each of the site's methods
// until one shows; check the page shows both and the Post button is enabled. A site that takes
// the text as the media's caption (WhatsApp) gets the media first. A video is read whole and its
// hash checked before the page sees any of it; whatever happens to it, the text still goes in.
// What it needs from outside is passed in, so the flow
// runs without a browser in the unit tests.

export interface PostImage {
  name: string;
  type: string;
  bytes: ArrayBuffer;
}

export interface InsertDeps {
  adapter: SiteAdapter;
  /** One step in the page's main world (main-world.ts). */
  askMainWorld(req: Omit<InsertRequest, 'siar' | 'id'>): Promise<InsertResult>;
  fetchImage(itemId: string): Promise<PostImage | undefined>;
  /**
   * Reads the post's video, checks its hash and attaches it (attach-video.ts, which the content
   * script loads only when a video is to go in); says what became of it. Never throws.
   */
  attachVideo(item: PanelItem, root: Element, target: string): Promise<VideoOutcome>;
  /** True as soon as `check` holds, false after `ms` (verify.ts). */
  waitFor(check: () => boolean, ms: number): Promise<boolean>;
  copyText(text: string): Promise<boolean>;
  /** Tells the background, without waiting for its answer. */
  tell(msg: Message): void;
  /** A fresh value for the data-siar-target attribute. */
  newTarget(): string;
}

export type { VideoOutcome };

export type InsertOutcome = { inserted: true; imageOk: boolean; video?: VideoOutcome } | { inserted: false; copied: boolean };

/** How long a picture may take to show in the composer, per method. */
export const IMAGE_WAIT_MS = 1500;
/** How long the text may take to show, and Post to be enabled. */
export const TEXT_WAIT_MS = 3000;

/** A variant's text. Variants are taken modulo their number: the popup's pick may be any non-negative number. */
export function variantText(item: PanelItem, variant: number): string {
  return item.texts[variant % item.texts.length]?.text ?? '';
}

/**
 * Puts `item` in `composer`. Verified: the composer now waits for Post (`composer.pending`) and an
 * `inserted` share is recorded. Not verified: what the user typed is left alone, and the text goes
 * to the clipboard instead (a `copied` share when it did).
 */
export async function insertPost(deps: InsertDeps, composer: Composer, item: PanelItem, variant: number): Promise<InsertOutcome> {
  const { adapter } = deps;
  const text = variantText(item, variant);
  const { editor, root } = composer;
  const target = deps.newTarget();
  const fileInput = adapter.fileInput(root);
  editor.setAttribute(TARGET_ATTR, target);
  fileInput?.setAttribute(TARGET_ATTR, target);
  let ok = false;
  let imageOk = true;
  /** Where the text goes: the composer, or the caption box of the site's media preview. */
  let textBox: HTMLElement = editor;
  let textTarget = target;
  let video: VideoOutcome | undefined;
  try {
    // A post with a video gets the video; its poster is its picture. The picture's bytes are
    // asked for when they are needed: after the text where the text goes first, since decoding
    // a picture that arrives meanwhile would hold up the text on the page's thread (the panel
    // has usually fetched them for its thumbnail already).
    const wantsPicture = !item.video && item.hasImage;
    let picture: Promise<PostImage | undefined> | undefined;
    const getPicture = () => (picture ??= deps.fetchImage(item.id).catch(() => undefined));
    const hasMedia = Boolean(item.video) || wantsPicture;
    const putText = async () => {
      const result = await deps.askMainWorld({ kind: adapter.editorKind, target: textTarget, text });
      if (!result.ok) console.warn('[siar] insert failed in the page', result.error);
      const held = result.ok && (await deps.waitFor(() => editorHolds(textBox, text) && isEnabled(adapter.postButton(root)), TEXT_WAIT_MS));
      if (result.ok) console.info('[siar] text inserted by', result.textMethod, held ? 'and verified' : 'but NOT verified');
      return held;
    };
    /** True when the media is in the composer. */
    const putMedia = async (): Promise<boolean> => {
      if (item.video) {
        // Longer than the site takes (X: 140 s): the text and its link go in alone, and the panel says why.
        const max = adapter.site.videoMaxSeconds;
        const tooLong = max !== undefined && (item.video.seconds ?? 0) > max;
        if (tooLong) console.info('[siar] video too long for the site:', item.video.seconds);
        video = tooLong ? 'too_long' : await deps.attachVideo(item, root, target);
        return video === 'attached';
      }
      const image = await getPicture();
      const method = image ? await attachFile(deps, root, target, image, IMAGE_WAIT_MS) : undefined;
      imageOk = method !== undefined;
      if (method) console.info('[siar] picture attached by', method);
      return imageOk;
    };
    if (hasMedia && adapter.captionEditor) {
      // The media first, then the text into the caption box of the preview it opens.
      if (await putMedia()) {
        let caption: HTMLElement | null = null;
        if (await deps.waitFor(() => (caption = adapter.captionEditor!(root)) !== null, IMAGE_WAIT_MS)) {
          textBox = caption!;
          textTarget = deps.newTarget();
          textBox.setAttribute(TARGET_ATTR, textTarget);
        }
      }
      ok = await putText();
    } else {
      // Elsewhere the text first, at once: a user waits for it; the media goes in once it is there.
      ok = await putText();
      if (ok && hasMedia) {
        await putMedia();
        // A composer that re-lays itself out when media arrives (Facebook's) may drop the text:
        // then it goes in again; a text still there is never doubled.
        if (!editorHolds(editor, text)) ok = (editor.textContent ?? '').trim() === '' && (await putText());
      }
    }
  } finally {
    editor.removeAttribute(TARGET_ATTR);
    fileInput?.removeAttribute(TARGET_ATTR);
    if (textBox !== editor) textBox.removeAttribute(TARGET_ATTR);
  }
  const platform = adapter.site.id;
  deps.tell({ type: 'site/health', platform, ok, reason: ok ? undefined : 'not_verified' });
  if (ok) {
    composer.pending = { itemId: item.id };
    deps.tell({ type: 'share/record', itemId: item.id, platform, action: 'inserted' });
    return { inserted: true, imageOk, video };
  }
  // The editor did not take it: leave what the user typed, hand the text over by clipboard.
  const copied = await deps.copyText(text);
  if (copied) deps.tell({ type: 'share/record', itemId: item.id, platform, action: 'copied' });
  return { inserted: false, copied };
}
