import { z } from 'zod';
import { PlatformSchema, SHARE_ACTIONS } from '../protocol/tally';

// Every runtime message the background accepts, checked on receipt: a message is input like any
// other, and content scripts live in pages we do not control. Only the background imports this
// file, so the schemas stay out of the popup and content-script bundles.

export const MessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('feed/refresh'), force: z.boolean() }),
  z.object({
    type: z.literal('share/record'),
    itemId: z.string().min(1).max(200),
    platform: PlatformSchema,
    action: z.enum(SHARE_ACTIONS),
  }),
  z.object({ type: z.literal('settings/changed') }),
]);
export type Message = z.infer<typeof MessageSchema>;
