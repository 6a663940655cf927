import { isPlatform, type Platform } from '../../utils/protocol/platforms';
import { SHARE_ACTIONS, ShareEventSchema, type RejectReason, type ShareEventWire } from '../../utils/protocol/tally';

// Whether one share event may count (docs/protocol.md, "What the tally refuses"). Pure: what the
// agency published and when, and its feed addresses, are passed in. The checks that need the
// database's state at the moment of storing (the daily cap, an id already used) are the store's.

export const FUTURE_SLACK_MS = 10 * 60_000;
export const MAX_AGE_MS = 30 * 24 * 3_600_000;
/** An event may say it happened this long before the post was first published (clock skew). */
export const BEFORE_PUBLISH_SLACK_MS = 10 * 60_000;

export interface ShareContext {
  now: number;
  /** The agency's feed addresses (normalised by `feedKey`). */
  feedUrls: ReadonlySet<string>;
  /** When the item was first published by this agency, in ms; undefined if it never was. */
  publishedAt: (itemId: string) => number | undefined;
}

export type ShareCheck =
  { ok: true; share: ShareEventWire & { platform: Platform } } | { ok: false; id: string; reason: RejectReason; detail?: string };

/** One spelling per feed address: scheme and host in lower case, no fragment, default port dropped. */
export function feedKey(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return url;
  }
}

const X_HOSTS = new Set(['x.com', 'www.x.com', 'twitter.com', 'www.twitter.com', 'mobile.twitter.com', 'mobile.x.com']);
const FACEBOOK_HOSTS = new Set(['facebook.com', 'www.facebook.com', 'm.facebook.com', 'web.facebook.com', 'mbasic.facebook.com']);

/** `https://x.com/<handle>/status/<digits>` → the handle (lower case) and the post's number. */
export function xPost(url: string): { handle: string; id: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || !X_HOSTS.has(u.hostname) || u.port) return undefined;
  const match = /^\/([A-Za-z0-9_]{1,15})\/status\/(\d{1,20})\/?$/.exec(u.pathname);
  return match ? { handle: match[1]!.toLowerCase(), id: match[2]! } : undefined;
}

function facebookPost(u: URL): boolean {
  if (!FACEBOOK_HOSTS.has(u.hostname) || u.port) return false;
  const path = u.pathname;
  if (/^\/(permalink|story)\.php$/.test(path)) return /^[0-9A-Za-z]+$/.test(u.searchParams.get('story_fbid') ?? '');
  if (/^\/photo(\.php)?\/?$/.test(path)) return /^\d+$/.test(u.searchParams.get('fbid') ?? '');
  // /<page or user>/posts/<id>, /groups/<group>/posts|permalink/<id>, /reel/<id>, /<page>/videos/<id>
  return /^\/(?:groups\/[\w.-]+\/(?:posts|permalink)|[\w.-]+\/(?:posts|videos)|reel|watch)\/[\w-]+\/?$/.test(path);
}

/** Whether `url` is the address of one post on `platform` (what a `post_url` must be). */
export function isPostUrl(platform: Platform, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  switch (platform) {
    case 'x':
      return xPost(url) !== undefined;
    case 'facebook':
      return facebookPost(u);
    case 'instagram':
      return /^(www\.)?instagram\.com$/.test(u.hostname) && /^\/(p|reel)\/[\w-]+\/?$/.test(u.pathname);
    case 'threads':
      return /^(www\.)?threads\.(net|com)$/.test(u.hostname) && /^\/@[\w.]+\/post\/[\w-]+\/?$/.test(u.pathname);
    case 'telegram':
      return u.hostname === 't.me' && /^\/[A-Za-z0-9_]{4,32}\/\d+\/?$/.test(u.pathname);
    case 'whatsapp':
      // A chat message has no public address; a channel post does.
      return /^(www\.)?whatsapp\.com$/.test(u.hostname) && /^\/channel\/[\w-]+\/\d+\/?$/.test(u.pathname);
    default:
      return false;
  }
}

function idOf(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : '';
}

function field(raw: unknown, name: string): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined;
}

/** Checks one event as sent; the first reason found is the answer. */
export function checkShare(raw: unknown, ctx: ShareContext): ShareCheck {
  const id = idOf(raw);
  const platform = field(raw, 'platform');
  if (typeof platform !== 'string' || !isPlatform(platform)) return { ok: false, id, reason: 'bad_platform' };
  const action = field(raw, 'action');
  if (typeof action !== 'string' || !(SHARE_ACTIONS as readonly string[]).includes(action)) {
    return { ok: false, id, reason: 'bad_action' };
  }
  const parsed = ShareEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || 'share'}: ${issue.message}`.slice(0, 200) : undefined;
    const where = issue?.path[0];
    if (where === 'feed_url') return { ok: false, id, reason: 'foreign_feed', detail };
    if (where === 'at') return { ok: false, id, reason: 'bad_time', detail };
    if (where === 'post_url') return { ok: false, id, reason: 'bad_post_url', detail };
    return { ok: false, id, reason: 'malformed', detail };
  }
  const share = parsed.data;
  if (!ctx.feedUrls.has(feedKey(share.feed_url))) return { ok: false, id, reason: 'foreign_feed' };
  const published = ctx.publishedAt(share.item_id);
  if (published === undefined) return { ok: false, id, reason: 'unknown_item' };
  const at = Date.parse(share.at);
  if (at > ctx.now + FUTURE_SLACK_MS || at < ctx.now - MAX_AGE_MS || at < published - BEFORE_PUBLISH_SLACK_MS) {
    return { ok: false, id, reason: 'bad_time' };
  }
  if (share.post_url !== undefined && !isPostUrl(platform, share.post_url)) return { ok: false, id, reason: 'bad_post_url' };
  if (share.self_reported && share.action !== 'posted') return { ok: false, id, reason: 'bad_action' };
  return { ok: true, share: { ...share, platform } };
}

/** The member-local day (`YYYY-MM-DD`) of an RFC 3339 time: the date as the member wrote it. */
export function dayOf(at: string): string {
  return at.slice(0, 10);
}

/** The Monday on or before `day` (`YYYY-MM-DD`). */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const back = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` of the moment `ms` at `offsetMinutes` from UTC (the agency's day). */
export function localDay(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
