import { z } from 'zod';
import { checkNip } from './nip';
import { PLATFORM_PATTERN } from './platforms';
import { isAllowedUrl } from './url';

// The tally contract of PROTOCOL.md §2, shared by the extension's outbox and the server.

export const SHARE_ACTIONS = ['inserted', 'posted', 'intent_opened', 'copied'] as const;
export type ShareAction = (typeof SHARE_ACTIONS)[number];
export const MAX_SHARES_PER_REQUEST = 500;
export const MAX_REQUEST_BYTES = 1024 * 1024;

export const PlatformSchema = z.string().regex(PLATFORM_PATTERN);

export const ShareEventSchema = z.object({
  id: z.uuid(),
  item_id: z.string().min(1).max(200),
  feed_url: z.string().max(2048).refine(isAllowedUrl),
  platform: PlatformSchema,
  action: z.enum(SHARE_ACTIONS),
  at: z.iso.datetime({ offset: true }),
  post_url: z.string().max(2048).refine(isAllowedUrl).optional(),
});
export type ShareEventWire = z.infer<typeof ShareEventSchema>;

export const SharesRequestSchema = z.object({
  // Each share is checked on its own so one bad event is rejected, not the whole batch.
  shares: z.array(z.unknown()).max(MAX_SHARES_PER_REQUEST),
});

export const SharesResponseSchema = z.object({
  accepted: z.array(z.string()),
  duplicate: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type SharesResponse = z.infer<typeof SharesResponseSchema>;

export const EnrollRequestSchema = z.object({
  nip: z.string().refine((nip) => checkNip(nip).ok, 'invalid NIP'),
  name: z.string().trim().min(1).max(200),
  unit: z.string().trim().min(1).max(200),
  code: z.string().trim().min(1).max(100),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const MemberSchema = z.object({ nip: z.string(), name: z.string(), unit: z.string() });
export const EnrollResponseSchema = z.object({ token: z.string().min(16), member: MemberSchema });

export const SummarySchema = z.object({
  events: z.number().int().nonnegative(),
  posted: z.number().int().nonnegative(),
  by_platform: z.record(z.string(), z.number().int().nonnegative()),
  unit: z
    .object({
      name: z.string(),
      posted: z.number().int().nonnegative(),
      rank: z.number().int().positive(),
      units: z.number().int().positive(),
    })
    .optional(),
});
export type Summary = z.infer<typeof SummarySchema>;

export const ErrorSchema = z.object({ error: z.string(), message: z.string() });
