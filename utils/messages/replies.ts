import type { Priority } from '../protocol/limits';
import type { SelectorFixes } from '../protocol/feed-schema';

// What the background answers to runtime messages (utils/messages/table.ts says which answer
// goes with which message). Types only: every bundle may import them.

export interface OkReply {
  ok: boolean;
  error?: string;
}

export interface ShareReply extends OkReply {
  /** The share event recorded. */
  eventId?: string;
}

export interface DeleteReply extends OkReply {
  deleted?: number;
}

/** A one-click share pending for the asking tab; empty when there is none. */
export interface ClaimReply {
  itemId?: string;
  variant?: number;
  /** The share went to the site's own link share in this tab (oneclick.ts `link`). */
  link?: boolean;
}

export type { SelectorFixes };

/** One post as the composer panel shows it: already composed by the background for the platform. */
export interface PanelItem {
  id: string;
  title: string;
  agency?: string;
  priority: Priority;
  /** Posted on the panel's platform (seen, or said by the user). */
  shared: boolean;
  /** Only tried on the panel's platform (inserted, copied…), not posted there. */
  tried?: boolean;
  hasImage: boolean;
  /** The post's video, as the feed describes it; the content script fetches and checks it. */
  video?: PanelVideo;
  /** The text per caption variant, with X's weighted length. */
  texts: { text: string; weighted: number }[];
}

export interface PanelVideo {
  url: string;
  poster?: string;
  seconds?: number;
  bytes?: number;
  sha256?: string;
  /** The feed is signed: bytes without a hash to check are not attached. */
  hashRequired: boolean;
}

export interface PanelData {
  items: PanelItem[];
  /** Set when the feed has never loaded. */
  empty?: 'no_feed' | 'not_loaded';
}

export interface ImageReply {
  ok: boolean;
  /** base64: runtime messages are JSON in Chrome, so bytes travel as text. */
  base64?: string;
  type?: string;
  name?: string;
  error?: string;
}
