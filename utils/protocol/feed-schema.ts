import { z } from 'zod';
import { LIMITS, PRIORITIES } from './limits';
import { PLATFORM_PATTERN } from './platforms';
import { isAllowedUrl } from './url';

// The feed contract of docs/protocol.md (the feed), as zod schemas and the types they check. Objects strip
// unknown keys: the protocol promises that unknown fields are ignored, never an error. Apart from
// the parsing (feed.ts) so that the zod-free helpers (item.ts) can name these types.

const text = (max: number) => z.string().max(max);
const url = z.string().max(2048).refine(isAllowedUrl, 'must be https (or loopback http)');
// RFC 3339 with an offset; `Z` is an offset too.
const time = z.iso.datetime({ offset: true });
const platformName = z.string().regex(PLATFORM_PATTERN, 'lower-case platform name');
const idString = z.string().min(1).max(LIMITS.id);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');

const party = z.object({ id: idString, name: text(LIMITS.name).min(1) });

const caption = z.union([text(LIMITS.caption), z.array(text(LIMITS.caption)).min(1).max(LIMITS.variants)]);

// Captions keyed by platform, checked as entries: zod's record check refuses an object with an
// own "constructor" key, a valid platform name. A `__proto__` key (JSON.parse makes it an own
// key) is dropped, never used; any other key must be a platform name.
const captionsByPlatform = z
  .custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object')
  .transform((v) => Object.entries(v).filter(([k]) => k !== '__proto__'))
  .pipe(z.array(z.tuple([platformName, caption])).max(64))
  .transform((entries) => Object.fromEntries(entries) as Record<string, string | string[]>);

export const ItemSiarSchema = z.object({
  agency: party.optional(),
  captions: captionsByPlatform.optional(),
  hashtags: z
    .array(z.string().regex(/^[\p{L}\p{M}\p{Nd}_]{1,100}$/u, 'letters, digits and _ only'))
    .max(LIMITS.hashtags)
    .optional(),
  priority: z.enum(PRIORITIES).optional(),
  expires_at: time.optional(),
  platforms: z.array(platformName).max(32).optional(),
  campaign: text(LIMITS.name).optional(),
  /** How people call the campaign ("Cegah Stunting"); `campaign` is its id. */
  campaign_name: text(LIMITS.name).optional(),
  /** SHA-256 (lower-case hex) of the picture's bytes, inside the signed feed: a swapped picture is refused. */
  image_sha256: sha256.optional(),
});

// A JSON Feed attachment. Siar knows one kind, an MP4 video with its own hash and poster picture;
// an attachment it cannot read is left out, never the post.
export const AttachmentSchema = z.object({
  url,
  mime_type: z.string().min(1).max(100),
  title: text(LIMITS.title).optional(),
  size_in_bytes: z.number().int().nonnegative().optional(),
  duration_in_seconds: z.number().nonnegative().finite().optional(),
  _siar: z
    .object({
      sha256: sha256.optional(),
      poster: url.optional(),
      poster_sha256: sha256.optional(),
    })
    .optional()
    .catch(undefined),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

const attachments = z
  .array(z.unknown())
  .max(10)
  .transform((list) => {
    const kept = list.flatMap((a) => {
      const parsed = AttachmentSchema.safeParse(a);
      return parsed.success ? [parsed.data] : [];
    });
    return kept.length > 0 ? kept : undefined;
  });

export const ItemSchema = z
  .object({
    id: idString,
    url: url.optional(),
    title: text(LIMITS.title).optional(),
    summary: text(LIMITS.summary).optional(),
    content_text: text(LIMITS.contentText).optional(),
    image: url.optional(),
    date_published: time.optional(),
    date_modified: time.optional(),
    tags: z.array(text(100)).max(50).optional(),
    attachments: attachments.optional().catch(undefined),
    _siar: ItemSiarSchema.optional(),
  })
  .refine(
    (item) =>
      Boolean(item.url || item.title || item.summary || item.content_text) ||
      Object.values(item._siar?.captions ?? {}).some((c) => (Array.isArray(c) ? c.some(Boolean) : Boolean(c))),
    'needs one of url, title, summary, content_text or a caption',
  );

// A CSS selector an agency may ship to mend a composer finder after a site changed its DOM.
// Data, never code: a short selector of plain selector characters, checked again in the page.
const cssSelector = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w\s\-#.[\]="'^$*~|:(),>+]+$/, 'plain CSS selector characters only')
  .refine((s) => !/url\(|expression|@|\\/i.test(s), 'not a plain selector');
const selectorList = z.array(cssSelector).min(1).max(5);

export const SelectorFixesSchema = z.object({
  editor: selectorList.optional(),
  toolbar: selectorList.optional(),
  postButton: selectorList.optional(),
  fileInput: selectorList.optional(),
});
export type SelectorFixes = z.infer<typeof SelectorFixesSchema>;

export const FeedSiarSchema = z.object({
  about: url.optional(),
  publisher: party.optional(),
  tally_url: url.optional(),
  refresh_minutes: z.number().finite().positive().optional(),
  /** When this version was built (signed): a signed feed older than the one held is a replay. */
  issued_at: time.optional(),
  /** Per site (x, facebook, …): selectors tried before the built-in ones. */
  // A bad block is dropped alone, so it cannot take the publisher or tally URL with it.
  selectors: z.record(z.string().regex(PLATFORM_PATTERN), SelectorFixesSchema).optional().catch(undefined),
});

/** The feed envelope: everything but the items, which are checked one by one. */
export const FeedEnvelopeSchema = z.object({
  version: z.string().startsWith('https://jsonfeed.org/version/1'),
  title: text(LIMITS.title).min(1),
  home_page_url: url.optional(),
  feed_url: url.optional(),
  language: z.string().max(35).optional(),
  // A bad `_siar` block is ignored rather than fatal: items can still be shared.
  _siar: FeedSiarSchema.optional().catch(undefined),
  items: z.array(z.unknown()),
});

export type Item = z.infer<typeof ItemSchema>;
export type FeedMeta = Omit<z.infer<typeof FeedEnvelopeSchema>, 'items'>;

export interface ParsedFeed {
  meta: FeedMeta;
  items: Item[];
  /** Items that broke the schema and were left out. */
  dropped: number;
  /** Valid items beyond the 1,000 newest, left out. */
  overflow: number;
}

export type FeedProblem = { kind: 'not_json' } | { kind: 'not_json_feed'; detail: string } | { kind: 'no_valid_items'; dropped: number };

export type FeedParseResult = { ok: true; feed: ParsedFeed } | { ok: false; problem: FeedProblem };
