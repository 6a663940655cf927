import { z } from 'zod';
import { checkNip, normalizeNip } from './nip';
import { PLATFORM_PATTERN, PLATFORMS } from './platforms';
import { isAllowedUrl } from './url';

// The tally contract of docs/protocol.md "Share events and the tally", shared by the extension's outbox and the server.

export const SHARE_ACTIONS = ['inserted', 'posted', 'intent_opened', 'copied'] as const;
export type ShareAction = (typeof SHARE_ACTIONS)[number];
export const MAX_SHARES_PER_REQUEST = 500;
export const MAX_REQUEST_BYTES = 1024 * 1024;

export const PlatformSchema = z.string().regex(PLATFORM_PATTERN);
export { PLATFORMS };

/** Why the tally refused an event (docs/protocol.md): a fixed list the extension puts in words. */
export const REJECT_REASONS = [
  'malformed',
  'unknown_item',
  'foreign_feed',
  'bad_platform',
  'bad_action',
  'bad_time',
  'over_cap',
  'bad_post_url',
  'id_taken',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const ShareEventSchema = z.object({
  id: z.uuid(),
  item_id: z.string().min(1).max(200),
  feed_url: z.string().max(2048).refine(isAllowedUrl),
  platform: PlatformSchema,
  action: z.enum(SHARE_ACTIONS),
  at: z.iso.datetime({ offset: true }),
  post_url: z.string().max(2048).refine(isAllowedUrl).optional(),
  /** `posted` that the user said they did (WhatsApp, a copy) rather than one the extension saw. */
  self_reported: z.boolean().optional(),
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

/** An X handle as people write it (`@budi_s`), kept without the `@`. */
export const X_HANDLE = /^@?([A-Za-z0-9_]{1,15})$/;

export const EnrollRequestSchema = z.object({
  nip: z
    .string()
    .max(40)
    .refine((nip) => checkNip(nip).ok, 'invalid NIP')
    .transform(normalizeNip),
  name: z.string().trim().min(1).max(200),
  /** The code decides the unit; a unit given and different from the code's is `unit_mismatch`. */
  unit: z.string().trim().min(1).max(200).optional(),
  code: z.string().trim().min(1).max(100),
  /** Optional: lets the tally check this member's X posts against X. */
  x_handle: z
    .string()
    .trim()
    .regex(X_HANDLE, 'an X handle: up to 15 letters, digits or _')
    .transform((h) => h.replace(/^@/, ''))
    .optional(),
  /** A one-time code from the unit's editor or an admin: enrol again with a NIP already enrolled. */
  personal_code: z.string().trim().min(1).max(100).optional(),
});

/** `POST v1/enroll/check`: which unit a code belongs to, before the user confirms. */
export const EnrollCheckRequestSchema = z.object({ code: z.string().trim().min(1).max(100) });
export const EnrollCheckResponseSchema = z.object({
  unit: z.string(),
  /** The agency loaded its personnel list: only a NIP on it for this unit can enrol. */
  roster: z.boolean(),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const MemberSchema = z.object({
  nip: z.string(),
  name: z.string(),
  unit: z.string(),
  x_handle: z.string().nullable().optional(),
});
export const EnrollResponseSchema = z.object({ token: z.string().min(16), member: MemberSchema });

export const SummarySchema = z.object({
  events: z.number().int().nonnegative(),
  posted: z.number().int().nonnegative(),
  /** Of `posted`: what the member said they did, rather than what the extension saw. */
  self_reported: z.number().int().nonnegative().optional(),
  /** Of `posted`: X posts the tally found on X under the member's handle. */
  verified: z.number().int().nonnegative().optional(),
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

/** What a browser sees of the feed, reported so the agency learns of a broken feed within minutes. */
export const FEED_REPORT_KINDS = ['ok', 'unreachable', 'http', 'invalid', 'unsigned', 'bad_signature', 'replayed'] as const;
export type FeedReportKind = (typeof FEED_REPORT_KINDS)[number];

/**
 * `POST T v1/feed-reports`: no token, no personal data — a random id the extension makes anew each
 * day (so the agency can count browsers, not follow them) and what it saw.
 */
export const FeedReportSchema = z.object({
  reporter: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  kind: z.enum(FEED_REPORT_KINDS),
});
export type FeedReport = z.infer<typeof FeedReportSchema>;

export const ErrorSchema = z.object({ error: z.string(), message: z.string() });
