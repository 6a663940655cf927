import { composeText, xWeightedLength } from '../../utils/compose/compose';
import { site as xSite } from '../../utils/sites/x.site';
import { captionVariants } from '../../utils/compose/caption';
import type { Item } from '../../utils/protocol/feed';
import type { PostFields } from '../../utils/protocol/studio';
import { itemOf, type FeedContext, type MediaRef, type PostForFeed } from '../publish/build';

// What ASN will get from a post: the feed item the extension will read, and the exact text it
// will insert on each platform for each caption variant — composed by the extension's own code
// (utils/compose). Pure and free of Node, so the studio page runs it live while staff type, and
// the API's `preview` answers with the same.

export const PREVIEW_PLATFORMS = ['x', 'facebook', 'whatsapp'] as const;

/** X's text limit as the extension's site registry declares it (the server has no registry). */
const X_MAX_WEIGHTED = xSite.textLimit!.max;
const LIMITS: Partial<Record<PreviewPlatform, number>> = { x: X_MAX_WEIGHTED };

/** Longest video an ordinary X account may post, in seconds: longer ones go to X as text and link. */
export const X_VIDEO_MAX_SECONDS = 140;
export type PreviewPlatform = (typeof PREVIEW_PLATFORMS)[number];

export interface PreviewText {
  text: string;
  weighted_length?: number;
  shortened?: boolean;
  /** On X: the part of the caption that would be cut to fit 280. */
  cut?: string;
}

export type WarningCode =
  | 'identical_variants'
  | 'no_picture'
  | 'link_not_https'
  | 'expiry_before_publish'
  | 'publish_in_past'
  | 'x_cut'
  | 'x_no_caption'
  | 'no_caption'
  | 'x_video_too_long'
  | 'video_without_poster';

export interface Warning {
  code: WarningCode;
  platform?: PreviewPlatform;
  id: string;
  en: string;
}

export interface Preview {
  item: Item;
  texts: Record<PreviewPlatform, PreviewText[]>;
  warnings: Warning[];
}

const PLATFORM_NAMES: Record<PreviewPlatform, string> = { x: 'X', facebook: 'Facebook', whatsapp: 'WhatsApp' };

/** The post as the feed will carry it (before publication: dated now, linked to its own page). */
export function previewItem(
  fields: PostFields,
  ctx: FeedContext,
  extra: { id?: string; unitSlug?: string; campaignName?: string | null; image?: MediaRef | null; video?: MediaRef | null; now?: number },
): Item {
  const now = new Date(extra.now ?? Date.now()).toISOString();
  const post: PostForFeed = {
    id: extra.id ?? 'pratinjau',
    title: fields.title || '(tanpa judul)',
    body: fields.text,
    captions: Object.fromEntries(Object.entries(fields.captions).filter((e): e is [string, string[]] => e[1] !== undefined)),
    hashtags: fields.hashtags,
    url: fields.url,
    unit: { slug: extra.unitSlug ?? 'opd', name: fields.unit || 'OPD' },
    campaign: fields.campaign ? { slug: fields.campaign, name: extra.campaignName ?? fields.campaign } : null,
    priority: fields.priority,
    published_at: fields.publish_at ?? now,
    updated_at: now,
    expires_at: fields.expires_at,
    image: extra.image ?? null,
    video: extra.video ?? null,
  };
  return itemOf(post, ctx);
}

/** The X caption of a variant as it would be inserted, and what of it was cut. */
function xCut(item: Item, variant: number, text: string): string | undefined {
  const caption = captionVariants(item, 'x')[variant % Math.max(1, captionVariants(item, 'x').length)] ?? '';
  const kept = text.split('\n\n')[0]?.replace(/…$/, '') ?? '';
  if (!caption.startsWith(kept) || kept.length >= caption.length) return undefined;
  return caption.slice(kept.length).trim();
}

export function previewPost(fields: PostFields, item: Item, now = Date.now()): Preview {
  const texts = {} as Record<PreviewPlatform, PreviewText[]>;
  const warnings: Warning[] = [];
  for (const platform of PREVIEW_PLATFORMS) {
    const variants = captionVariants(item, platform);
    texts[platform] = variants.map((_, v) => {
      const composed = composeText(item, platform, v, LIMITS[platform]);
      if (platform !== 'x') return { text: composed.text };
      const cut = composed.shortened ? xCut(item, v, composed.text) : undefined;
      return {
        text: composed.text,
        weighted_length: composed.weighted || xWeightedLength(composed.text),
        shortened: composed.shortened,
        ...(cut ? { cut } : {}),
      };
    });
    const own = fields.captions[platform] ?? [];
    const seen = new Set<string>();
    for (const v of own) {
      const key = v.trim().toLowerCase().replace(/\s+/g, ' ');
      if (seen.has(key)) {
        warnings.push({
          code: 'identical_variants',
          platform,
          id: `Dua varian keterangan ${PLATFORM_NAMES[platform]} sama persis: ASN akan memposting teks yang sama.`,
          en: `Two ${PLATFORM_NAMES[platform]} caption variants are identical: civil servants would all post the same text.`,
        });
        break;
      }
      seen.add(key);
    }
    if (own.length === 0 && !(fields.captions.default ?? []).length) {
      warnings.push({
        code: 'no_caption',
        platform,
        id: `Belum ada keterangan untuk ${PLATFORM_NAMES[platform]}: judul yang akan dipakai.`,
        en: `No caption for ${PLATFORM_NAMES[platform]} yet: the title will be used.`,
      });
    }
  }
  texts.x.forEach((t, v) => {
    if (!t.shortened) return;
    const caption = t.text.split('\n\n')[0] ?? '';
    if (!caption || caption.startsWith('#') || /^https?:/.test(caption)) {
      warnings.push({
        code: 'x_no_caption',
        platform: 'x',
        id: `Varian X ${v + 1} tidak muat 280 karakter bahkan tanpa keterangan: pendekkan tagar atau tautan.`,
        en: `X variant ${v + 1} does not fit 280 characters even without its caption: shorten the hashtags or the link.`,
      });
    } else {
      warnings.push({
        code: 'x_cut',
        platform: 'x',
        id: `Varian X ${v + 1} melebihi ${X_MAX_WEIGHTED} karakter dan akan dipotong${t.cut ? `: "${t.cut}"` : ''}.`,
        en: `X variant ${v + 1} is over ${X_MAX_WEIGHTED} characters and will be cut${t.cut ? `: "${t.cut}"` : ''}.`,
      });
    }
  });
  const video = item.attachments?.find((a) => a.mime_type === 'video/mp4');
  if (video && (video.duration_in_seconds ?? 0) > X_VIDEO_MAX_SECONDS) {
    warnings.push({
      code: 'x_video_too_long',
      platform: 'x',
      id: `Video ${Math.round(video.duration_in_seconds!)} detik, lebih dari ${X_VIDEO_MAX_SECONDS} detik yang diterima X untuk akun biasa: di X hanya teks dan tautan yang disisipkan.`,
      en: `The video is ${Math.round(video.duration_in_seconds!)} s, longer than the ${X_VIDEO_MAX_SECONDS} s X accepts from ordinary accounts: on X only the text and link are inserted.`,
    });
  }
  if (video && !video._siar?.poster) {
    warnings.push({
      code: 'video_without_poster',
      id: 'Video tanpa gambar sampul: tambahkan gambar, yang akan tampil sebelum video diputar.',
      en: 'A video without a poster: add a picture, shown before the video plays.',
    });
  }
  if (!fields.media.length) {
    warnings.push({
      code: 'no_picture',
      id: 'Tanpa gambar: postingan bergambar lebih banyak dilihat.',
      en: 'No picture: posts with a picture are seen more.',
    });
  }
  if (fields.url && !fields.url.startsWith('https://')) {
    warnings.push({
      code: 'link_not_https',
      id: 'Tautan bukan https: ASN di luar kantor tidak dapat membukanya.',
      en: 'The link is not https: civil servants outside the office cannot open it.',
    });
  }
  const publish = fields.publish_at ? Date.parse(fields.publish_at) : undefined;
  if (publish !== undefined && publish < now) {
    warnings.push({ code: 'publish_in_past', id: 'Waktu terbit sudah lewat.', en: 'The publish time has passed.' });
  }
  if (fields.expires_at && Date.parse(fields.expires_at) <= (publish ?? now)) {
    warnings.push({
      code: 'expiry_before_publish',
      id: 'Waktu berakhir sebelum waktu terbit.',
      en: 'The expiry is before the publish time.',
    });
  }
  return { item, texts, warnings };
}
