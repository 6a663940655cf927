import type { FeedContext, MediaRef } from '../../publish/build';
import type { Lang } from './i18n';

// What the post page hands its script (as JSON in a data attribute: the CSP allows no inline
// script): enough to build the same feed item the server would, and nothing secret — the feed
// context is rebuilt field by field so the signing key can never ride along.

export interface EditorContext {
  lang: Lang;
  /** The way back to the server's root from the page. */
  root: string;
  feed: FeedContext;
  /** The post's id, or undefined for a new post. */
  id?: string;
  offsetMinutes: number;
  /** Unit name (lower case) → its slug in the feed. */
  units: Record<string, string>;
  /** Campaign slug → display name. */
  campaigns: Record<string, string>;
  /** The current picture: its id, how the feed refers to it, and how this page may load it. */
  picture: { id: string; ref: MediaRef; src: string } | null;
  /** The current video as the feed refers to it (its poster is whatever the picture is then). */
  video: { id: string; ref: MediaRef } | null;
  maxImageBytes: number;
  maxVideoBytes: number;
}

export function feedContextOf(options: FeedContext): FeedContext {
  return {
    base: options.base,
    publisher: { id: options.publisher.id, name: options.publisher.name },
    title: options.title,
    refreshMinutes: options.refreshMinutes,
    utcOffsetMinutes: options.utcOffsetMinutes,
  };
}
