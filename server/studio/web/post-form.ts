import type { CAPTION_PLATFORMS, PostFields, PostObject } from '../../../utils/protocol/studio';
import { isoToLocal, localToRfc3339 } from './time';

// The post form as typed (strings, kept as they are so a refused save shows exactly what the
// person wrote) and as the post's fields. One function reads both a server-side form and the
// browser's FormData, so the live preview and the save see the same post.

export type CaptionPlatform = (typeof CAPTION_PLATFORMS)[number];
// Spelled out rather than imported: the protocol module brings zod, which the browser script
// does not need. The type keeps the two lists equal.
export const FORM_PLATFORMS: readonly CaptionPlatform[] = ['x', 'facebook', 'whatsapp'];

export interface PostDraft {
  title: string;
  text: string;
  captions: Record<CaptionPlatform, string[]>;
  /** Captions for other keys (`default`, telegram, …) set through the API: kept, as JSON. */
  other: string;
  hashtags: string;
  url: string;
  /** Media ids: the picture and the video (uploaded by the page's script; the form carries the id). */
  picture: string;
  video: string;
  unit: string;
  campaign: string;
  priority: string;
  /** `datetime-local` values in the agency's zone. */
  publish_at: string;
  expires_at: string;
  version: string;
}

export type FieldKey =
  | 'title'
  | 'text'
  | 'caption_x'
  | 'caption_facebook'
  | 'caption_whatsapp'
  | 'hashtags'
  | 'url'
  | 'picture'
  | 'video'
  | 'unit'
  | 'campaign'
  | 'priority'
  | 'publish_at'
  | 'expires_at';

/** Anything with get/getAll: URLSearchParams on the server, FormData in the browser. */
export interface FormSource {
  get(name: string): unknown;
  getAll(name: string): unknown[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function draftFromForm(form: FormSource): PostDraft {
  const captions = {} as Record<CaptionPlatform, string[]>;
  for (const p of FORM_PLATFORMS) captions[p] = form.getAll(`caption_${p}`).map(str);
  return {
    title: str(form.get('title')),
    text: str(form.get('text')),
    captions,
    other: str(form.get('captions_other')),
    hashtags: str(form.get('hashtags')),
    url: str(form.get('url')),
    picture: str(form.get('remove_picture')) ? '' : str(form.get('picture')),
    video: str(form.get('remove_video')) ? '' : str(form.get('video')),
    unit: str(form.get('unit')),
    campaign: str(form.get('campaign')),
    priority: str(form.get('priority')) || 'normal',
    publish_at: str(form.get('publish_at')),
    expires_at: str(form.get('expires_at')),
    version: str(form.get('version')),
  };
}

export function draftFromPost(post: PostObject, offsetMinutes: number, kinds: ReadonlyMap<string, 'image' | 'video'>): PostDraft {
  const captions = {} as Record<CaptionPlatform, string[]>;
  for (const p of FORM_PLATFORMS) captions[p] = [...(post.captions[p] ?? [])];
  const other = Object.fromEntries(Object.entries(post.captions).filter(([k]) => !(FORM_PLATFORMS as readonly string[]).includes(k)));
  return {
    title: post.title,
    text: post.text,
    captions,
    other: Object.keys(other).length ? JSON.stringify(other) : '',
    hashtags: post.hashtags.join(' '),
    url: post.url ?? '',
    picture: post.media.find((m) => kinds.get(m) !== 'video') ?? '',
    video: post.media.find((m) => kinds.get(m) === 'video') ?? '',
    unit: post.unit,
    campaign: post.campaign ?? '',
    priority: post.priority,
    publish_at: isoToLocal(post.publish_at, offsetMinutes),
    expires_at: isoToLocal(post.expires_at, offsetMinutes),
    version: String(post.version),
  };
}

export function emptyDraft(unit: string): PostDraft {
  return {
    title: '',
    text: '',
    captions: { x: [''], facebook: [''], whatsapp: [''] },
    other: '',
    hashtags: '',
    url: '',
    picture: '',
    video: '',
    unit,
    campaign: '',
    priority: 'normal',
    publish_at: '',
    expires_at: '',
    version: '',
  };
}

function otherCaptions(json: string): Record<string, string[]> {
  if (!json.trim()) return {};
  try {
    const value = JSON.parse(json) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if ((FORM_PLATFORMS as readonly string[]).includes(k) || !Array.isArray(v)) continue;
      out[k] = v.filter((s): s is string => typeof s === 'string');
    }
    return out;
  } catch {
    return {};
  }
}

export function splitHashtags(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.replace(/^#+/, ''))
    .filter(Boolean);
}

/**
 * The post's fields from what was typed (not yet validated: the schema and the data layer do
 * that), and the fields that could not even be read (a date that does not exist).
 */
export function fieldsFromDraft(draft: PostDraft, offsetMinutes: number): { fields: PostFields; unreadable: FieldKey[] } {
  const unreadable: FieldKey[] = [];
  const time = (key: 'publish_at' | 'expires_at') => {
    const value = localToRfc3339(draft[key], offsetMinutes);
    if (value === undefined) unreadable.push(key);
    return value ?? null;
  };
  const captions: Record<string, string[]> = { ...otherCaptions(draft.other) };
  for (const p of FORM_PLATFORMS) {
    const list = draft.captions[p].map((v) => v.trim()).filter(Boolean);
    if (list.length) captions[p] = list;
  }
  const fields: PostFields = {
    title: draft.title.trim(),
    text: draft.text,
    captions,
    hashtags: splitHashtags(draft.hashtags),
    url: draft.url.trim() || null,
    media: [draft.picture, draft.video].filter(Boolean),
    unit: draft.unit.trim(),
    campaign: draft.campaign || null,
    priority: (['normal', 'high', 'mandatory'].includes(draft.priority) ? draft.priority : 'normal') as PostFields['priority'],
    publish_at: time('publish_at'),
    expires_at: time('expires_at'),
  };
  return { fields, unreadable };
}
