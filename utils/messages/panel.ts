import type { Priority } from '../protocol/item';

/** One post as the composer panel shows it: already composed by the background for the platform. */
export interface PanelItem {
  id: string;
  title: string;
  agency?: string;
  priority: Priority;
  shared: boolean;
  hasImage: boolean;
  /** The text per caption variant, with X's weighted length. */
  texts: { text: string; weighted: number }[];
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
