import { plainText } from '../../../utils/compose/caption';
import { site as xSite } from '../../../utils/sites/x.site';
import { priorityOf } from '../../../utils/protocol/item';
import { PREVIEW_PLATFORMS, type Preview, type Warning } from '../preview';
import type { Dict, Lang } from './i18n';
import type { FieldKey } from './post-form';
import { h, toHtml, type Child, type ViewNode } from './view-node';

// The preview beside the post form: the card ASN see in the extension's popup, and the exact
// text the extension inserts on each platform for each variant. The server renders it into every
// page and the editor's script renders it again while staff type — the same function on the
// same `previewPost` result, so the two can never disagree.

// X's limit as the extension's site registry declares it.
const X_MAX_WEIGHTED = xSite.textLimit!.max;

export const PLATFORM_NAMES: Record<(typeof PREVIEW_PLATFORMS)[number], string> = { x: 'X', facebook: 'Facebook', whatsapp: 'WhatsApp' };

export interface PreviewViewInput {
  preview: Preview;
  t: Dict;
  lang: Lang;
  /** The picture as this page may load it (a relative address: the CSP allows 'self' only). */
  imageSrc?: string;
}

/** `0:42`, `12:05`, `1:02:09`: the way players show a length, to the nearest second. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The length the feed will state: build.ts keeps tenths of a second, so the field and the card agree. */
export function feedSeconds(durationMs: number): number {
  return Math.round(durationMs / 100) / 10;
}

export function videoOfItem(item: Preview['item']) {
  return item.attachments?.find((a) => a.mime_type === 'video/mp4');
}

/** The card's picture: for a video, its poster (the post's picture) under a play mark and the length. */
function cardMedia({ preview, t, imageSrc }: PreviewViewInput): Child {
  const video = videoOfItem(preview.item);
  const img = imageSrc ? h('img', { class: 'thumb', src: imageSrc, alt: '' }) : null;
  if (!video) return img;
  const duration = formatDuration(video.duration_in_seconds ?? 0);
  return h(
    'div',
    { class: 'card-media', role: 'img', 'aria-label': t.preview.videoLabel(duration) },
    img ?? h('span', { class: 'thumb no-poster' }),
    h('span', { class: 'video-mark', 'aria-hidden': 'true' }, `▶ ${duration}`),
  );
}

function card(input: PreviewViewInput): ViewNode {
  const { preview, t } = input;
  const { item } = preview;
  const priority = priorityOf(item);
  const badge =
    priority === 'mandatory'
      ? h('span', { class: 'badge badge-mandatory' }, t.priority.mandatory)
      : priority === 'high'
        ? h('span', { class: 'badge badge-priority' }, t.priority.high)
        : null;
  return h(
    'article',
    { class: 'card', 'aria-label': t.preview.card },
    cardMedia(input),
    h(
      'div',
      { class: 'card-body' },
      h('h3', { class: 'card-title' }, item.title ?? item.summary ?? item.id),
      h('p', { class: 'card-meta' }, h('span', { class: 'agency' }, item._siar?.agency?.name ?? ''), ' ', badge),
      h('p', { class: 'card-text' }, plainText(item, 'default', 0)),
    ),
  );
}

function platformBlock(input: PreviewViewInput, platform: (typeof PREVIEW_PLATFORMS)[number]): ViewNode {
  const { t } = input;
  const variants = input.preview.texts[platform];
  const items = variants.map((v, i) => {
    const counted = platform === 'x' && v.weighted_length !== undefined;
    return h(
      'li',
      {},
      h('p', { class: 'variant-label' }, t.form.variant(i + 1)),
      h('pre', { class: 'inserted', 'data-platform': platform }, v.text),
      counted &&
        h(
          'p',
          { class: `x-count${v.weighted_length! > X_MAX_WEIGHTED ? ' over' : ''}`, 'data-variant': String(i + 1) },
          h('span', {}, `${t.preview.xCountLabel}:`),
          ' ',
          h('strong', {}, t.preview.xCount(v.weighted_length!)),
          v.shortened ? ' ' : null,
          v.shortened ? h('em', {}, `(${t.preview.shortened})`) : null,
        ),
      counted && v.cut ? h('p', { class: 'x-cut' }, h('span', {}, t.preview.cut), ' ', h('del', {}, v.cut)) : null,
    );
  });
  // Said in the block itself, not only among the warnings: whoever reads the X text must not
  // expect the video there.
  const notes = input.preview.warnings
    .filter((w) => w.code === 'x_video_too_long' && w.platform === platform)
    .map((w) => h('p', { class: 'video-note', 'data-code': w.code }, input.lang === 'en' ? w.en : w.id));
  const name = t.preview.insertedOn(PLATFORM_NAMES[platform]);
  return h('section', { class: 'platform', 'aria-label': name }, h('h3', {}, name), ...notes, h('ol', { class: 'variants' }, ...items));
}

/** The inside of the preview panel (its heading and frame are the page's), as a tree. */
export function previewNodes(input: PreviewViewInput): ViewNode[] {
  const { preview, t, lang } = input;
  const warnings = preview.warnings.length
    ? h('ul', { class: 'warnings' }, ...preview.warnings.map((w) => h('li', { 'data-code': w.code }, lang === 'en' ? w.en : w.id)))
    : h('p', { class: 'muted' }, t.preview.noWarnings);
  return [
    card(input),
    h(
      'section',
      { class: 'preview-warnings', role: 'status', 'aria-label': t.preview.warnings },
      h('h3', {}, t.preview.warnings),
      warnings,
    ),
    ...PREVIEW_PLATFORMS.map((p) => platformBlock(input, p)),
  ];
}

/** The same, as HTML for the server's page. */
export function renderPreview(input: PreviewViewInput): string {
  return previewNodes(input)
    .map((n) => toHtml(n))
    .join('\n');
}

/** The field each warning is about, so it also shows next to that field. */
function fieldOf(w: Warning): FieldKey | undefined {
  switch (w.code) {
    case 'identical_variants':
      return w.platform ? (`caption_${w.platform}` as FieldKey) : undefined;
    case 'x_cut':
    case 'x_no_caption':
      return 'caption_x';
    case 'no_picture':
      return 'picture';
    case 'x_video_too_long':
    case 'video_without_poster':
      return 'video';
    case 'link_not_https':
      return 'url';
    case 'publish_in_past':
      return 'publish_at';
    case 'expiry_before_publish':
      return 'expires_at';
    default:
      return undefined;
  }
}

export const WARNED_FIELDS: readonly FieldKey[] = [
  'caption_x',
  'caption_facebook',
  'caption_whatsapp',
  'url',
  'picture',
  'video',
  'publish_at',
  'expires_at',
];

export function warningsByField(preview: Preview, lang: Lang): Partial<Record<FieldKey, string[]>> {
  const out: Partial<Record<FieldKey, string[]>> = {};
  for (const w of preview.warnings) {
    const key = fieldOf(w);
    if (key) (out[key] ??= []).push(lang === 'en' ? w.en : w.id);
  }
  return out;
}
