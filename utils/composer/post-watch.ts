import type { Message } from '../messages/messages';
import type { ShareReply } from '../messages/replies';
import type { SiteAdapter } from '../sites/types';
import type { Composer } from './types';
import { isEnabled } from './verify';

// After an insert: the person's own press of the site's Post button (or its send key in the
// editor) while the insert waits, then the site showing the post went out, make a `posted`
// share, with the post's link where the site shows one.

/** How long the site may take to show the post went out, and then its link. */
export const POSTED_WAIT_MS = 30_000;
export const POST_LINK_WAIT_MS = 10_000;

/** Whether a key press sends on this site: Enter alone where the site sends so (WhatsApp), else Ctrl/Cmd+Enter. */
export function isSendKey(adapter: SiteAdapter, e: KeyboardEvent): boolean {
  if (e.key !== 'Enter' || e.isComposing) return false;
  return adapter.sendsOnEnter ? !e.shiftKey : e.ctrlKey || e.metaKey;
}

/** Calls `onPress` with the waiting insert's item when the person presses Post. Returns the unsubscribe. */
export function watchPostPress(adapter: SiteAdapter, composer: Composer, onPress: (itemId: string) => void): () => void {
  const onEvent = (e: Event) => {
    // A script can click the site's Post button too; only the user's press counts as posted.
    if (!composer.pending || !e.isTrusted) return;
    if (e instanceof KeyboardEvent) {
      if (!isSendKey(adapter, e) || !(e.target instanceof Node)) return;
      // In the composer, or in the caption box of the site's media preview.
      const box = adapter.captionEditor?.(composer.root);
      if (!composer.editor.contains(e.target) && !box?.contains(e.target)) return;
    }
    const button = adapter.postButton(composer.root);
    if (e.type === 'click' && !(button && e.target instanceof Node && button.contains(e.target))) return;
    if (!isEnabled(button)) return;
    const { itemId } = composer.pending;
    composer.pending = undefined;
    onPress(itemId);
  };
  composer.root.addEventListener('click', onEvent, true);
  composer.root.addEventListener('keydown', onEvent, true);
  return () => {
    composer.root.removeEventListener('click', onEvent, true);
    composer.root.removeEventListener('keydown', onEvent, true);
  };
}

export interface ConfirmDeps {
  adapter: SiteAdapter;
  doc: Document;
  waitFor(check: () => boolean, ms: number): Promise<boolean>;
  /** Records the share; the answer names the event. */
  record(msg: Extract<Message, { type: 'share/record' }>): Promise<ShareReply>;
  tell(msg: Message): void;
}

/** Records `posted` once the site shows the post went out, then adds its link when the site shows one. */
export async function confirmPosted(deps: ConfirmDeps, composer: Composer, itemId: string): Promise<void> {
  const { adapter } = deps;
  const sent = await deps.waitFor(() => adapter.postConfirmed(composer.editor, composer.root), POSTED_WAIT_MS);
  if (!sent) return;
  const reply = await deps.record({ type: 'share/record', itemId, platform: adapter.site.id, action: 'posted' });
  if (!reply.ok || !reply.eventId || !adapter.postedUrl) return;
  let url: string | undefined;
  await deps.waitFor(() => (url = adapter.postedUrl!(deps.doc)) !== undefined, POST_LINK_WAIT_MS);
  if (url) deps.tell({ type: 'share/post-url', eventId: reply.eventId, postUrl: url });
}
