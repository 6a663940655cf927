import { browser } from 'wxt/browser';
import type { Message, Replies } from './table';

export type { Message, Replies };

/** Sends a message to the background and types its answer (utils/messages/table.ts). */
export async function sendMessage<M extends Message>(msg: M): Promise<Replies[M['type']]> {
  return (await browser.runtime.sendMessage(msg)) as Replies[M['type']];
}
