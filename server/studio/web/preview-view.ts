import { plainText } from '../../../utils/compose/caption';
import { site as xSite } from '../../../utils/sites/x.site';

// X's limit as the extension's site registry declares it.
const X_MAX_WEIGHTED = xSite.textLimit!.max;
import { priorityOf } from '../../../utils/protocol/item';
import { PREVIEW_PLATFORMS, type Preview, type Warning } from '../preview';
import { e } from './html';
import type { Dict, Lang } from './i18n';
import type { FieldKey } from './post-form';

// The preview beside the post form: the card ASN see in the extension's popup, and the exact
// text the extension inserts on each platform for each variant. The server renders it into every
// page and the editor's script renders it again while staff type — the same function on the
// same `previewPost` result, so the two can never disagree.

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
function cardMedia({ preview, t, imageSrc }: PreviewViewInput): string {
  const video = videoOfItem(preview.item);
  const img = imageSrc ? `<img class="thumb" src="${e(imageSrc)}" alt="">` : '';
  if (!video) return img;
  const duration = formatDuration(video.duration_in_seconds ?? 0);
  return `<div class="card-media" role="img" aria-label="${e(t.preview.videoLabel(duration))}">${img || '<span class="thumb no-poster"></span>'}<span class="video-mark" aria-hidden="true">▶ ${e(duration)}</span></div>`;
}

function card(input: PreviewViewInput): string {
  const { preview, t } = input;
  const { item } = preview;
  const priority = priorityOf(item);
  const badge =
    priority === 'mandatory'
      ? `<span class="badge badge-mandatory">${e(t.priority.mandatory)}</span>`
      : priority === 'high'
        ? `<span class="badge badge-priority">${e(t.priority.high)}</span>`
        : '';
  return `<article class="card" aria-label="${e(t.preview.card)}">
${cardMedia(input)}
<div class="card-body">
<h3 class="card-title">${e(item.title ?? item.summary ?? item.id)}</h3>
<p class="card-meta"><span class="agency">${e(item._siar?.agency?.name ?? '')}</span> ${badge}</p>
<p class="card-text">${e(plainText(item, 'default', 0))}</p>
</div>
</article>`;
}

function platformBlock(input: PreviewViewInput, platform: (typeof PREVIEW_PLATFORMS)[number]): string {
  const { t } = input;
  const variants = input.preview.texts[platform];
  const items = variants.map((v, i) => {
    const count =
      platform === 'x' && v.weighted_length !== undefined
        ? `<p class="x-count${v.weighted_length > X_MAX_WEIGHTED ? ' over' : ''}" data-variant="${i + 1}"><span>${e(t.preview.xCountLabel)}:</span> <strong>${e(
            t.preview.xCount(v.weighted_length),
          )}</strong>${v.shortened ? ` <em>(${e(t.preview.shortened)})</em>` : ''}</p>${
            v.cut ? `<p class="x-cut"><span>${e(t.preview.cut)}</span> <del>${e(v.cut)}</del></p>` : ''
          }`
        : '';
    return `<li><p class="variant-label">${e(t.form.variant(i + 1))}</p><pre class="inserted" data-platform="${platform}">${e(v.text)}</pre>${count}</li>`;
  });
  // Said in the block itself, not only among the warnings: whoever reads the X text must not
  // expect the video there.
  const notes = input.preview.warnings
    .filter((w) => w.code === 'x_video_too_long' && w.platform === platform)
    .map((w) => `<p class="video-note" data-code="${e(w.code)}">${e(input.lang === 'en' ? w.en : w.id)}</p>`)
    .join('');
  return `<section class="platform" aria-label="${e(t.preview.insertedOn(PLATFORM_NAMES[platform]))}">
<h3>${e(t.preview.insertedOn(PLATFORM_NAMES[platform]))}</h3>
${notes}<ol class="variants">${items.join('')}</ol>
</section>`;
}

/** The inside of the preview panel (its heading and frame are the page's). */
export function renderPreview(input: PreviewViewInput): string {
  const { preview, t, lang } = input;
  const warnings = preview.warnings.length
    ? `<ul class="warnings">${preview.warnings.map((w) => `<li data-code="${e(w.code)}">${e(lang === 'en' ? w.en : w.id)}</li>`).join('')}</ul>`
    : `<p class="muted">${e(t.preview.noWarnings)}</p>`;
  return `${card(input)}
<section class="preview-warnings" role="status" aria-label="${e(t.preview.warnings)}">
<h3>${e(t.preview.warnings)}</h3>
${warnings}
</section>
${PREVIEW_PLATFORMS.map((p) => platformBlock(input, p)).join('\n')}`;
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
