import { z } from 'zod';
import { PlatformSchema, SHARE_ACTIONS } from '../protocol/tally';
import type { Platform } from '../protocol/platforms';
import { isAllowedUrl } from '../protocol/url';
import { ONE_CLICK_SITES } from '../sites/registry';

// Every runtime message the background accepts, checked on receipt: a message is input like any
// other, and content scripts live in pages we do not control. Only the background imports this
// file, so the schemas stay out of the popup and content-script bundles.

const itemId = z.string().min(1).max(200);

export const MessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('feed/refresh'), force: z.boolean() }),
  z.object({ type: z.literal('settings/changed') }),
  z.object({ type: z.literal('share/record'), itemId, platform: PlatformSchema, action: z.enum(SHARE_ACTIONS) }),
  z.object({
    type: z.literal('share/post-url'),
    eventId: z.uuid(),
    postUrl: z.string().max(2048).refine(isAllowedUrl),
  }),
  z.object({ type: z.literal('panel/items'), platform: PlatformSchema }),
  z.object({ type: z.literal('image/get'), itemId }),
  z.object({
    type: z.literal('oneclick/start'),
    itemId,
    platform: z.enum(ONE_CLICK_SITES.map((s) => s.id) as [Platform, ...Platform[]]),
    variant: z.number().int().min(0).max(1000),
  }),
  z.object({ type: z.literal('oneclick/claim') }),
  z.object({ type: z.literal('oneclick/peek') }),
  z.object({ type: z.literal('oneclick/fallback') }),
  z.object({ type: z.literal('sync/now') }),
  z.object({ type: z.literal('site/selectors'), platform: PlatformSchema }),
  z.object({
    type: z.literal('site/health'),
    platform: PlatformSchema,
    ok: z.boolean(),
    reason: z.enum(['not_verified', 'composer_not_found']).optional(),
  }),
  z.object({ type: z.literal('history/delete') }),
]);
export type Message = z.infer<typeof MessageSchema>;
