import { z } from 'zod';
import { isAllowedUrl } from './url';

// The feed contract of PROTOCOL.md §1. Objects strip unknown keys: the protocol promises that
// unknown fields are ignored, never an error.

import { LIMITS, PRIORITIES } from './item';
export * from './item';

const text = (max: number) => z.string().max(max);
const url = z.string().max(2048).refine(isAllowedUrl, 'must be https (or loopback http)');
// RFC 3339 with an offset; `Z` is an offset too.
const time = z.iso.datetime({ offset: true });
const platformName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case platform name');
const idString = z.string().min(1).max(LIMITS.id);

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
  /** Per site (x, facebook, …): selectors tried before the built-in ones. */
  // A bad block is dropped alone, so it cannot take the publisher or tally URL with it.
  selectors: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), SelectorFixesSchema)
    .optional()
    .catch(undefined),
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

function newestFirst(a: Item, b: Item): number {
  const ta = Date.parse(a.date_published ?? a.date_modified ?? '') || 0;
  const tb = Date.parse(b.date_published ?? b.date_modified ?? '') || 0;
  return tb - ta;
}

/** Parses feed JSON text. Never throws: a broken feed is a result, not an exception. */
export function parseFeedText(body: string): FeedParseResult {
  let json: unknown;
  try {
    // A byte-order mark is not JSON, but editors on Windows add one.
    json = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, problem: { kind: 'not_json' } };
  }
  return parseFeedJson(json);
}

export function parseFeedJson(json: unknown): FeedParseResult {
  const envelope = FeedEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
    return { ok: false, problem: { kind: 'not_json_feed', detail } };
  }
  const { items: rawItems, ...meta } = envelope.data;
  const items: Item[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const raw of rawItems) {
    const parsed = ItemSchema.safeParse(raw);
    // A repeated id is a different post claiming to be the same one: keep the first.
    if (!parsed.success || seen.has(parsed.data.id)) {
      dropped++;
      continue;
    }
    seen.add(parsed.data.id);
    items.push(parsed.data);
  }
  if (items.length === 0) return { ok: false, problem: { kind: 'no_valid_items', dropped } };
  let overflow = 0;
  if (items.length > LIMITS.items) {
    items.sort(newestFirst);
    overflow = items.length - LIMITS.items;
    items.length = LIMITS.items;
  }
  return { ok: true, feed: { meta, items, dropped, overflow } };
}
