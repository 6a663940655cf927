import { browser } from 'wxt/browser';
import type { SelectorFixes } from '../protocol/feed';
import type { ImageReply, PanelData } from './panel';
import type { Message } from './schema';

export type { Message };

export interface OkReply {
  ok: boolean;
  error?: string;
}
export interface ShareReply extends OkReply {
  eventId?: string;
}
export interface ClaimReply {
  itemId?: string;
  variant?: number;
}

/** What the background answers to each message. */
export interface Replies {
  'feed/refresh': OkReply;
  'settings/changed': OkReply;
  'share/record': ShareReply;
  'share/post-url': OkReply;
  'panel/items': PanelData;
  'image/get': ImageReply;
  'oneclick/start': OkReply;
  'oneclick/claim': ClaimReply;
  'oneclick/peek': ClaimReply;
  'oneclick/fallback': OkReply;
  'sync/now': OkReply;
  'site/selectors': SelectorFixes;
  'site/health': OkReply;
  'history/delete': OkReply & { deleted?: number };
}

export async function sendMessage<M extends Message>(msg: M): Promise<Replies[M['type']]> {
  return (await browser.runtime.sendMessage(msg)) as Replies[M['type']];
}
