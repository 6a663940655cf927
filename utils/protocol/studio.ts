import { z } from 'zod';
import { LIMITS, PRIORITIES } from './item';
import { CAPTION_PLATFORMS, PLATFORMS } from './platforms';

export { CAPTION_PLATFORMS };
import { isAllowedUrl } from './url';

// The studio API (docs/protocol.md, "The studio API"): what an agency's scripts and CMS send to
// the agency server, and what it answers. The studio's own pages validate with the same schemas.

export const ROLES = ['editor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const POST_STATUSES = [
  'draft',
  'submitted',
  'changes_requested',
  'approved',
  'scheduled',
  'published',
  'expired',
  'withdrawn',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const MIN_PASSWORD = 12;
export const SESSION_HOURS = 8;

const time = z.iso.datetime({ offset: true });
const url = z.string().trim().max(2048).refine(isAllowedUrl, 'must be https (or loopback http)');
const captionVariant = z.string().trim().min(1).max(LIMITS.caption);
const hashtag = z
  .string()
  .trim()
  .transform((t) => t.replace(/^#/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{M}\p{Nd}_]{1,100}$/u, 'letters, digits and _ only'));
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

const captionKey = z.enum([...PLATFORMS, 'default'] as [string, ...string[]]);

export const PostFieldsSchema = z.object({
  title: z.string().trim().min(1).max(LIMITS.title),
  text: z.string().max(LIMITS.contentText),
  captions: z.partialRecord(captionKey, z.array(captionVariant).max(LIMITS.variants)),
  hashtags: z.array(hashtag).max(LIMITS.hashtags),
  url: url.nullable(),
  /** Media ids from `POST api/v1/media`: at most one picture and one video. */
  media: z.array(z.string().min(1).max(64)).max(2),
  unit: z.string().trim().min(1).max(LIMITS.name),
  campaign: z.string().regex(SLUG).nullable(),
  priority: z.enum(PRIORITIES),
  publish_at: time.nullable(),
  expires_at: time.nullable(),
});
export type PostFields = z.infer<typeof PostFieldsSchema>;

/** `POST api/v1/posts`: everything but the title and unit may be left out. */
export const CreatePostSchema = PostFieldsSchema.partial().extend({
  title: PostFieldsSchema.shape.title,
  unit: PostFieldsSchema.shape.unit.optional(),
});
export type CreatePost = z.infer<typeof CreatePostSchema>;

/** `PATCH api/v1/posts/<id>`: any fields, and the version the change was made from. */
export const PatchPostSchema = PostFieldsSchema.partial().extend({ version: z.number().int().positive() });
export type PatchPost = z.infer<typeof PatchPostSchema>;

export const CommentSchema = z.object({
  at: z.string(),
  user: z.string(),
  kind: z.string(),
  text: z.string(),
});

export const PostObjectSchema = PostFieldsSchema.extend({
  id: z.string(),
  status: z.enum(POST_STATUSES),
  author: z.string(),
  version: z.number().int().positive(),
  created_at: z.string(),
  updated_at: z.string(),
  /** The address the feed links to: `url`, or the post's own page on the agency server. */
  link: z.string(),
  comments: z.array(CommentSchema),
  withdraw_reason: z.string().nullable().optional(),
});
export type PostObject = z.infer<typeof PostObjectSchema>;

export const ReasonSchema = z.object({ reason: z.string().trim().min(1).max(1000) });
export const CommentBodySchema = z.object({ comment: z.string().trim().min(1).max(4000) });

export const SessionRequestSchema = z.object({
  user: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});
export const SessionResponseSchema = z.object({
  token: z.string(),
  role: z.enum(ROLES),
  expires_at: z.string(),
});

export const USERNAME = /^[a-z0-9._-]{3,40}$/i;
export const AccountRequestSchema = z.object({
  user: z.string().trim().regex(USERNAME, '3–40 letters, digits, dots, dashes or underscores'),
  name: z.string().trim().min(1).max(LIMITS.name),
  password: z.string().max(1024),
  role: z.enum(ROLES),
  unit: z.string().trim().min(1).max(LIMITS.name).optional(),
});
export const AccountResponseSchema = z.object({
  user: z.string(),
  role: z.enum(ROLES),
  unit: z.string().nullable(),
});

export const MediaResponseSchema = z.object({
  id: z.string(),
  url: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  mime_type: z.string(),
  duration_in_seconds: z.number().nonnegative().optional(),
});

export const PreviewSchema = z.record(
  z.string(),
  z.array(z.object({ text: z.string(), weighted_length: z.number().int().optional(), shortened: z.boolean().optional() })),
);

export const FeedStatusSchema = z.object({
  version: z.number().int().nonnegative(),
  issued_at: z.string().nullable(),
  items: z.number().int().nonnegative(),
  signed: z.boolean(),
  public_key: z.string(),
  mode: z.enum(['online', 'offline']),
  pending: z.number().int().nullable().optional(),
});

export const FeedVersionSchema = z.object({
  version: z.number().int(),
  issued_at: z.string(),
  items: z.number().int(),
  state: z.enum(['live', 'pending', 'superseded', 'discarded']),
  reason: z.string(),
  restored_from: z.number().int().nullable(),
  signed: z.boolean(),
  created_at: z.string(),
});

export const AuditEntrySchema = z.object({
  at: z.string(),
  user: z.string(),
  action: z.string(),
  post: z.string().nullable(),
  subject: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});

export const RosterResultSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  refused: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});
