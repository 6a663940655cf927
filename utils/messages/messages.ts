import { browser } from 'wxt/browser';
import type { Message } from './schema';

export type { Message };

export interface RefreshReply {
  ok: boolean;
}
export interface ShareReply {
  ok: boolean;
  eventId?: string;
  error?: string;
}

export type ReplyOf<M extends Message> = M['type'] extends 'share/record' ? ShareReply : RefreshReply;

export async function sendMessage<M extends Message>(msg: M): Promise<ReplyOf<M>> {
  return (await browser.runtime.sendMessage(msg)) as ReplyOf<M>;
}
