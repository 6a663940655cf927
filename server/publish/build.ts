import type { FeedMeta, Item } from '../../utils/protocol/feed';

// A studio post → a feed item, and the published posts → the feed document (docs/protocol.md,
// "The feed"). Pure: the studio's preview builds the same item the feed will carry, and composes
// it with the extension's own code.

export interface MediaRef {
  url: string;
  sha256: string;
  width?: number | null;
  height?: number | null;
  mime: string;
  bytes: number;
  duration_ms?: number | null;
  poster?: { url: string; sha256: string } | null;
}

export interface PostForFeed {
  id: string;
  title: string;
  body: string;
  captions: Record<string, string[]>;
  hashtags: string[];
  /** The post's link: its external news page, or null for the post's own page on this server. */
  url: string | null;
  unit: { slug: string; name: string };
  campaign: { slug: string; name: string } | null;
  priority: 'normal' | 'high' | 'mandatory';
  published_at: string | null;
  updated_at: string;
  expires_at: string | null;
  image: MediaRef | null;
  video: MediaRef | null;
}

export interface FeedContext {
  /** Public base URL of the agency server, no trailing slash. */
  base: string;
  publisher: { id: string; name: string };
  title: string;
  refreshMinutes: number;
  utcOffsetMinutes: number;
}

export interface JsonFeed extends FeedMeta {
  items: Item[];
}

/** RFC 3339 at the agency's offset: `2026-12-03T08:00:00+07:00`, as people in that zone read it. */
export function rfc3339(iso: string, offsetMinutes: number): string {
  const ms = Date.parse(iso);
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The address of a post's own public page on the agency server. */
export function postPageUrl(base: string, id: string): string {
  return `${base}/p/${encodeURIComponent(id)}`;
}

/** The first paragraph, cut at a word under 300 characters: what a card or a list shows. */
export function summaryOf(body: string): string | undefined {
  const first = body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .find(Boolean);
  if (!first) return undefined;
  if (first.length <= 300) return first;
  const cut = first.slice(0, 299);
  const space = cut.lastIndexOf(' ');
  return `${(space > 200 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function itemOf(post: PostForFeed, ctx: FeedContext): Item {
  const captions: Record<string, string | string[]> = {};
  for (const [platform, variants] of Object.entries(post.captions)) {
    const clean = variants.map((v) => v.trim()).filter(Boolean);
    if (clean.length === 1) captions[platform] = clean[0]!;
    else if (clean.length > 1) captions[platform] = clean;
  }
  const siar: NonNullable<Item['_siar']> = {
    agency: { id: post.unit.slug, name: post.unit.name },
    ...(Object.keys(captions).length > 0 ? { captions } : {}),
    ...(post.hashtags.length > 0 ? { hashtags: post.hashtags } : {}),
    ...(post.priority !== 'normal' ? { priority: post.priority } : {}),
    ...(post.expires_at ? { expires_at: rfc3339(post.expires_at, ctx.utcOffsetMinutes) } : {}),
    ...(post.campaign ? { campaign: post.campaign.slug, campaign_name: post.campaign.name } : {}),
    ...(post.image ? { image_sha256: post.image.sha256 } : {}),
  };
  const item: Item = {
    id: post.id,
    url: post.url ?? postPageUrl(ctx.base, post.id),
    title: post.title,
    ...(summaryOf(post.body) ? { summary: summaryOf(post.body) } : {}),
    ...(post.body.trim() ? { content_text: post.body } : {}),
    ...(post.image ? { image: post.image.url } : {}),
    ...(post.published_at ? { date_published: rfc3339(post.published_at, ctx.utcOffsetMinutes) } : {}),
    date_modified: rfc3339(post.updated_at, ctx.utcOffsetMinutes),
    _siar: siar,
  };
  if (post.video) {
    item.attachments = [
      {
        url: post.video.url,
        mime_type: post.video.mime,
        size_in_bytes: post.video.bytes,
        ...(post.video.duration_ms ? { duration_in_seconds: Math.round(post.video.duration_ms / 100) / 10 } : {}),
        _siar: {
          sha256: post.video.sha256,
          ...(post.video.poster ? { poster: post.video.poster.url, poster_sha256: post.video.poster.sha256 } : {}),
        },
      },
    ];
  }
  return item;
}

function newestFirst(a: PostForFeed, b: PostForFeed): number {
  const ta = a.published_at ?? a.updated_at;
  const tb = b.published_at ?? b.updated_at;
  return ta < tb ? 1 : ta > tb ? -1 : a.id < b.id ? -1 : 1;
}

export function buildFeed(posts: readonly PostForFeed[], ctx: FeedContext, issuedAt: string): JsonFeed {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: ctx.title,
    home_page_url: `${ctx.base}/`,
    feed_url: `${ctx.base}/feed.json`,
    language: 'id',
    _siar: {
      publisher: ctx.publisher,
      tally_url: `${ctx.base}/`,
      refresh_minutes: ctx.refreshMinutes,
      issued_at: rfc3339(issuedAt, ctx.utcOffsetMinutes),
    },
    items: [...posts].sort(newestFirst).map((post) => itemOf(post, ctx)),
  };
}

/**
 * The feed's bytes with each item's JSON apart: the same bytes as `feedBytes`, built from pieces
 * so that an item already checked in an earlier version need not be checked again.
 */
export function feedPieces(feed: JsonFeed): { bytes: Buffer; envelope: object; items: string[] } {
  const { items, ...rest } = feed;
  const envelope = { ...rest, items: [] as Item[] };
  const head = JSON.stringify(envelope);
  // `items` is the envelope's last key, so its JSON ends with `"items":[]}`.
  const pieces = items.map((item) => JSON.stringify(item));
  return { bytes: Buffer.from(`${head.slice(0, -2)}${pieces.join(',')}]}\n`, 'utf8'), envelope, items: pieces };
}

/**
 * The exact bytes served and signed: compact, since every civil servant's browser fetches them
 * (a thousand posts pretty-printed would be half again as large). A JSON viewer reads them fine.
 */
export function feedBytes(feed: JsonFeed): Buffer {
  return Buffer.from(`${JSON.stringify(feed)}\n`, 'utf8');
}
