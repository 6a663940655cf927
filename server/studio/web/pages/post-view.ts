import type { PostObject } from '../../../../utils/protocol/studio';
import type { AuditEntry } from '../../audit';
import type { Campaign } from '../../campaigns';
import type { Preview } from '../../preview';
import type { EditorContext } from '../editor-context';
import { describedBy, e, fieldError, options } from '../html';
import type { Dict, Lang } from '../i18n';
import { FORM_PLATFORMS, type FieldKey, type PostDraft } from '../post-form';
import { feedSeconds, formatDuration, PLATFORM_NAMES, renderPreview, WARNED_FIELDS, warningsByField } from '../preview-view';
import { displayTime, zoneName } from '../time';

// The post page: the form with its preview beside it (a draft, or a post sent back for changes),
// or the post as it stands with the actions the viewer may take, its comments and its history.

export type Problems = Partial<Record<FieldKey, string>>;

export interface EditorView {
  t: Dict;
  lang: Lang;
  root: string;
  csrf: string;
  /** Where the form posts, relative to the root (`studio/posts/new`). */
  action: string;
  draft: PostDraft;
  problems: Problems;
  /** Units to choose from; null when the unit is fixed (an editor's own). */
  units: { name: string }[] | null;
  campaigns: readonly Campaign[];
  offsetMinutes: number;
  canSubmit: boolean;
  /** The picture as this page may load it. */
  pictureSrc?: string;
  /** The draft's video as the server knows it. */
  video?: { duration_ms: number | null; bytes: number };
  maxVideoBytes: number;
  context: EditorContext;
  preview: Preview;
  /** Someone saved in between: the form keeps what was typed, and links to the latest version. */
  conflict?: string;
  /** The browser script's address, when it exists. */
  script?: string;
}

/** What the preview warns about a field, beside it (the script keeps it current). */
function fieldWarning(v: EditorView, key: FieldKey): string {
  if (!WARNED_FIELDS.includes(key)) return '';
  const list = warningsByField(v.preview, v.lang)[key] ?? [];
  return `<p class="field-warning" id="${key}-warning" data-warning-for="${key}">${e(list.join(' '))}</p>`;
}

function input(v: EditorView, key: FieldKey, html: (attrs: string) => string, hintId?: string): string {
  const errorId = `${key}-error`;
  const problem = v.problems[key];
  const warned = WARNED_FIELDS.includes(key) && `${key}-warning`;
  return (
    html(`id="f-${key}"${problem ? ' aria-invalid="true"' : ''}${describedBy(hintId, problem && errorId, warned)}`) +
    fieldError(errorId, problem) +
    fieldWarning(v, key)
  );
}

function variantBlock(v: EditorView, platform: string, index: number, text: string, count: number): string {
  const { t } = v;
  const id = `f-caption_${platform}-${index + 1}`;
  return `<div class="variant" data-variant>
<div class="variant-head"><label for="${id}">${e(t.form.variant(index + 1))}</label>${
    count > 1
      ? `<button type="submit" class="secondary small" name="intent" value="remove:${platform}:${index}" formnovalidate data-remove-variant aria-label="${e(`${t.form.removeVariant} ${index + 1} ${PLATFORM_NAMES[platform as 'x']}`)}">${e(t.form.removeVariant)}</button>`
      : ''
  }</div>
<textarea id="${id}" name="caption_${platform}" rows="3" maxlength="2000"${v.problems[`caption_${platform}` as FieldKey] ? ' aria-invalid="true"' : ''}${describedBy('captions-hint', v.problems[`caption_${platform}` as FieldKey] && `caption_${platform}-error`, `caption_${platform}-warning`)}>${e(text)}</textarea>
</div>`;
}

function captionsFieldset(v: EditorView): string {
  const { t } = v;
  const groups = FORM_PLATFORMS.map((p) => {
    const list = v.draft.captions[p].length ? v.draft.captions[p] : [''];
    const key = `caption_${p}` as FieldKey;
    return `<fieldset class="platform-captions" data-platform="${p}">
<legend>${e(t.form.captionsFor(PLATFORM_NAMES[p]))}</legend>
<div class="variant-list" data-platform="${p}">${list.map((text, i) => variantBlock(v, p, i, text, list.length)).join('')}</div>
${fieldError(`${key}-error`, v.problems[key])}
${fieldWarning(v, key)}
<button type="submit" class="secondary small" name="intent" value="add:${p}" formnovalidate data-add-variant="${p}">${e(t.form.addVariant)}</button>
</fieldset>`;
  });
  return `<fieldset>
<legend>${e(t.fields.captions)}</legend>
<p class="hint" id="captions-hint">${e(t.form.captionsHint)}</p>
${groups.join('\n')}
</fieldset>`;
}

function pictureField(v: EditorView): string {
  const { t, draft } = v;
  const current = draft.picture && v.pictureSrc;
  return `<div class="picture">
<label for="f-picture">${e(t.fields.picture)}</label>
<div id="picture-current"${current ? '' : ' hidden'}>
<img class="thumb-current" id="picture-img"${current ? ` src="${e(v.pictureSrc)}"` : ''} alt="${e(t.form.currentPicture)}">
<label class="inline"><input type="checkbox" name="remove_picture" value="1" id="f-remove_picture"> ${e(t.form.removePicture)}</label>
</div>
${input(v, 'picture', (a) => `<input type="file" name="picture_file" accept="image/jpeg,image/png,image/webp" ${a}>`, 'picture-hint')}
<p class="hint" id="picture-hint">${e(t.form.pictureHint)} <noscript>${e(t.form.pictureNoScript)}</noscript></p>
<p class="hint" id="picture-status" role="status"></p>
</div>`;
}

/**
 * The video: chosen here, sent in pieces by the page's script (a 100 MB file does not go through
 * the form's multipart body, so the file input has no name), its id kept in the hidden `video`
 * field like the picture's. Without the script the input stays disabled and says why.
 */
function videoField(v: EditorView): string {
  const { t, draft } = v;
  const problem = v.problems.video;
  const current = draft.video && v.video;
  const info = current ? t.form.videoInfo(formatDuration(feedSeconds(v.video!.duration_ms ?? 0)), t.bytes(v.video!.bytes)) : '';
  return `<div class="video">
<label for="f-video">${e(t.fields.video)}</label>
<div id="video-current"${current ? '' : ' hidden'}>
<p class="video-info"><span aria-hidden="true">▶ </span><span id="video-info">${e(info)}</span></p>
<label class="inline"><input type="checkbox" name="remove_video" value="1" id="f-remove_video"> ${e(t.form.removeVideo)}</label>
</div>
<input type="file" id="f-video" accept="video/mp4,.mp4" disabled${problem ? ' aria-invalid="true"' : ''}${describedBy('video-hint', 'video-noscript', problem && 'video-error', 'video-warning')}>
${fieldError('video-error', problem)}${fieldWarning(v, 'video')}
<p class="hint" id="video-hint">${e(t.form.videoHint(t.bytes(v.maxVideoBytes)))}</p>
<p class="hint" id="video-noscript">${e(t.form.videoNoScript)}</p>
<div class="upload" id="video-upload" hidden>
<label for="f-video-progress" id="video-progress-label">${e(t.form.videoUploadLabel)}</label>
<progress id="f-video-progress" max="1" value="0"></progress>
<button type="button" class="secondary small" id="video-resume" hidden>${e(t.form.videoResume)}</button>
<button type="button" class="secondary small" id="video-cancel">${e(t.form.videoCancel)}</button>
</div>
<p class="hint" id="video-status" role="status"></p>
</div>`;
}

export function editorForm(v: EditorView): string {
  const { t, draft } = v;
  const zone = zoneName(v.offsetMinutes);
  const unitField = v.units
    ? `<label for="f-unit">${e(t.fields.unit)}</label>
${input(
  v,
  'unit',
  (a) =>
    `<select name="unit" ${a}>${options(
      v.units!.map((u) => [u.name, u.name] as const),
      draft.unit,
    )}</select>`,
)}`
    : `<label for="f-unit">${e(t.fields.unit)}</label>
<input id="f-unit" name="unit" value="${e(draft.unit)}" readonly aria-describedby="unit-hint">
<p class="hint" id="unit-hint">${e(t.form.unitFixed)}</p>${fieldError('unit-error', v.problems.unit)}`;
  const campaignOptions: [string, string][] = [['', t.common.noCampaign], ...v.campaigns.map((c) => [c.slug, c.name] as [string, string])];
  const problemCount = Object.keys(v.problems).length;
  return `<form id="post-form" method="post" action="${e(v.root + v.action)}" enctype="multipart/form-data" data-context="${e(JSON.stringify(v.context))}">
<input type="hidden" name="_csrf" value="${e(v.csrf)}">
<input type="hidden" name="version" value="${e(draft.version)}">
<input type="hidden" name="picture" id="f-picture-id" value="${e(draft.picture)}">
<input type="hidden" name="video" id="f-video-id" value="${e(draft.video)}">
<input type="hidden" name="captions_other" value="${e(draft.other)}">
${v.conflict ? `<div class="alert" role="alert"><p>${e(t.form.conflict)}</p><p><a href="${e(v.conflict)}">${e(t.form.openLatest)}</a></p></div>` : ''}
${problemCount ? `<p class="alert" role="alert">${e(t.errors.fix)}</p>` : ''}
<label for="f-title">${e(t.fields.title)}</label>
${input(v, 'title', (a) => `<input name="title" value="${e(draft.title)}" maxlength="300" required ${a}>`)}
<label for="f-text">${e(t.fields.text)}</label>
${input(v, 'text', (a) => `<textarea name="text" rows="6" ${a}>${e(draft.text)}</textarea>`)}
${captionsFieldset(v)}
<label for="f-hashtags">${e(t.fields.hashtags)}</label>
${input(v, 'hashtags', (a) => `<input name="hashtags" value="${e(draft.hashtags)}" ${a}>`, 'hashtags-hint')}
<p class="hint" id="hashtags-hint">${e(t.form.hashtagsHint)}</p>
<label for="f-url">${e(t.fields.url)}</label>
${input(v, 'url', (a) => `<input type="url" name="url" value="${e(draft.url)}" inputmode="url" ${a}>`, 'url-hint')}
<p class="hint" id="url-hint">${e(t.form.urlHint)}</p>
${pictureField(v)}
${videoField(v)}
<div class="row">
<div>${unitField}</div>
<div><label for="f-campaign">${e(t.fields.campaign)}</label>
${input(v, 'campaign', (a) => `<select name="campaign" ${a}>${options(campaignOptions, draft.campaign)}</select>`)}</div>
<div><label for="f-priority">${e(t.fields.priority)}</label>
${input(
  v,
  'priority',
  (a) =>
    `<select name="priority" ${a}>${options(
      [
        ['normal', t.priority.normal],
        ['high', t.priority.high],
        ['mandatory', t.priority.mandatory],
      ],
      draft.priority,
    )}</select>`,
)}</div>
</div>
<div class="row">
<div><label for="f-publish_at">${e(t.fields.publish_at)} (${e(zone)})</label>
${input(v, 'publish_at', (a) => `<input type="datetime-local" name="publish_at" value="${e(draft.publish_at)}" ${a}>`, 'time-hint')}</div>
<div><label for="f-expires_at">${e(t.fields.expires_at)} (${e(zone)})</label>
${input(v, 'expires_at', (a) => `<input type="datetime-local" name="expires_at" value="${e(draft.expires_at)}" ${a}>`, 'time-hint')}</div>
</div>
<p class="hint" id="time-hint">${e(t.form.timeHint(zone))}</p>
<p class="alert" id="form-blocked" role="alert" hidden></p>
<div class="actions">
<button type="submit" name="intent" value="save">${e(t.actions.save)}</button>
${v.canSubmit ? `<button type="submit" name="intent" value="submit">${e(t.actions.submit)}</button>` : ''}
<button type="submit" name="intent" value="preview" class="secondary" formnovalidate>${e(t.actions.preview)}</button>
</div>
</form>`;
}

export function previewPanel(v: { t: Dict; lang: Lang; preview: Preview; pictureSrc?: string; live: boolean }): string {
  return `<section class="preview-panel" aria-labelledby="preview-heading">
<h2 id="preview-heading">${e(v.t.preview.heading)}</h2>
<p class="muted">${e(v.t.preview.intro)} <span id="preview-mode">${e(v.live ? v.t.preview.live : v.t.preview.server)}</span></p>
<div id="preview-body">
${renderPreview({ preview: v.preview, t: v.t, lang: v.lang, imageSrc: v.pictureSrc })}
</div>
</section>`;
}

export function statusBadge(t: Dict, status: PostObject['status']): string {
  return `<span class="status status-${e(status)}">${e(t.status[status])}</span>`;
}

export interface DetailView {
  t: Dict;
  lang: Lang;
  root: string;
  csrf: string;
  post: PostObject;
  offsetMinutes: number;
  campaignName?: string;
  /** What the viewer may do, from `mayDo`. */
  may: { approve: boolean; request_changes: boolean; withdraw: boolean; publish_now: boolean; comment: boolean; fourEyes: boolean };
  trail: readonly AuditEntry[];
  notice?: string;
  alert?: string;
  /** The editor form and preview, or the preview alone. */
  main: string;
}

function meta(v: DetailView): string {
  const { t, post } = v;
  const time = (iso: string | null) => (iso ? e(displayTime(iso, v.offsetMinutes, t.locale)) : e(t.common.none));
  const rows: [string, string][] = [
    ['ID', `<code>${e(post.id)}</code>`],
    [t.fields.status, statusBadge(t, post.status)],
    [t.fields.unit, e(post.unit)],
    [t.fields.author, e(post.author)],
    [t.fields.priority, e(t.priority[post.priority])],
    [t.fields.campaign, e(v.campaignName ?? post.campaign ?? t.common.none)],
    [t.fields.publish_at, time(post.publish_at)],
    [t.fields.expires_at, time(post.expires_at)],
    [t.fields.url, `<span class="key">${e(post.link)}</span>`],
    [t.fields.updated, `${time(post.updated_at)} · ${e(t.form.versionLabel(post.version))}`],
  ];
  if (post.withdraw_reason) rows.push([t.status.withdrawn, e(post.withdraw_reason)]);
  return `<dl class="meta-list">${rows.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>`;
}

function actionForms(v: DetailView): string {
  const { t, post, may, root, csrf } = v;
  const action = `${root}studio/posts/${encodeURIComponent(post.id)}/act`;
  const hidden = (what: string) =>
    `<input type="hidden" name="_csrf" value="${e(csrf)}"><input type="hidden" name="action" value="${what}">`;
  const forms: string[] = [];
  if (may.approve) {
    const future = post.publish_at && Date.parse(post.publish_at) > Date.now();
    forms.push(`<form method="post" action="${e(action)}">${hidden('approve')}
<p class="hint">${e(future ? t.detail.approveSchedules(displayTime(post.publish_at, v.offsetMinutes, t.locale)) : t.detail.approveNow)}</p>
<button type="submit">${e(t.actions.approve)}</button></form>`);
  }
  if (may.request_changes) {
    forms.push(`<form method="post" action="${e(action)}">${hidden('request_changes')}
<label for="a-comment">${e(t.fields.comment)}</label>
<textarea id="a-comment" name="comment" rows="3" required maxlength="4000" aria-describedby="a-comment-hint"></textarea>
<p class="hint" id="a-comment-hint">${e(t.detail.requestChangesHint)}</p>
<button type="submit" class="secondary">${e(t.actions.request_changes)}</button></form>`);
  }
  if (may.publish_now) {
    forms.push(`<form method="post" action="${e(action)}">${hidden('publish_now')}
<p class="hint">${e(t.detail.publishNowHint)}</p>
<button type="submit">${e(t.actions.publish_now)}</button></form>`);
  }
  if (may.withdraw) {
    forms.push(`<form method="post" action="${e(action)}">${hidden('withdraw')}
<label for="a-reason">${e(t.fields.reason)}</label>
<textarea id="a-reason" name="reason" rows="2" required maxlength="1000" aria-describedby="a-reason-hint"></textarea>
<p class="hint" id="a-reason-hint">${e(t.detail.withdrawHint)}</p>
<button type="submit" class="danger">${e(t.actions.withdraw)}</button></form>`);
  }
  const fourEyes = may.fourEyes ? `<p class="warn">${e(t.detail.fourEyes)}</p>` : '';
  if (!forms.length && !fourEyes) return '';
  return `<section aria-labelledby="actions-heading">
<h2 id="actions-heading">${e(t.detail.actionsHeading)}</h2>
${v.alert ? `<p class="alert" role="alert">${e(v.alert)}</p>` : ''}
${fourEyes}
<div class="action-forms">${forms.join('\n')}</div>
</section>`;
}

function comments(v: DetailView): string {
  const { t, post } = v;
  const list = post.comments.length
    ? `<ol class="comments">${post.comments
        .map(
          (c) =>
            `<li class="${e(c.kind)}"><small><strong>${e(c.user)}</strong> · ${e(t.detail.commentKinds[c.kind] ?? c.kind)} · ${e(
              displayTime(c.at, v.offsetMinutes, t.locale),
            )}</small><p>${e(c.text)}</p></li>`,
        )
        .join('')}</ol>`
    : `<p class="muted">${e(t.detail.noComments)}</p>`;
  const form = v.may.comment
    ? `<form method="post" action="${e(`${v.root}studio/posts/${encodeURIComponent(post.id)}/comment`)}">
<input type="hidden" name="_csrf" value="${e(v.csrf)}">
<label for="c-comment">${e(t.fields.comment)}</label>
<textarea id="c-comment" name="comment" rows="2" required maxlength="4000"></textarea>
<div class="actions"><button type="submit" class="secondary">${e(t.actions.comment)}</button></div>
</form>`
    : '';
  return `<section aria-labelledby="comments-heading"><h2 id="comments-heading">${e(t.detail.comments)}</h2>${list}${form}</section>`;
}

const json = (value: unknown) =>
  value === null || value === undefined ? '' : `<pre class="json">${e(JSON.stringify(value, null, 1))}</pre>`;

export function trailTable(t: Dict, entries: readonly AuditEntry[], offsetMinutes: number): string {
  return `<div class="table-wrap"><table>
<thead><tr><th scope="col">${e(t.fields.at)}</th><th scope="col">${e(t.audit.user)}</th><th scope="col">${e(t.fields.action)}</th><th scope="col">${e(t.fields.before)}</th><th scope="col">${e(t.fields.after)}</th></tr></thead>
<tbody>${entries
    .map(
      (a) =>
        `<tr><td>${e(displayTime(a.at, offsetMinutes, t.locale))}</td><td>${e(a.user)}</td><td><code>${e(a.action)}</code>${a.post ? `<br><small>${e(a.post)}</small>` : ''}${
          a.subject ? `<br><small>${e(a.subject)}</small>` : ''
        }</td><td>${json(a.before)}</td><td>${json(a.after)}</td></tr>`,
    )
    .join('\n')}</tbody></table></div>`;
}

export function detailBody(v: DetailView): string {
  const { t, post } = v;
  return `<h1>${e(post.title)} ${statusBadge(t, post.status)}</h1>
${v.notice ? `<p class="notice" role="status">${e(v.notice)}</p>` : ''}
${meta(v)}
<p><a href="${e(`${v.root}studio/posts/${encodeURIComponent(post.id)}/coverage`)}">${e(t.posts.coverage)}</a></p>
${actionForms(v)}
${v.main}
${comments(v)}
<section aria-labelledby="trail-heading"><h2 id="trail-heading">${e(t.detail.trail)}</h2>
${v.trail.length ? trailTable(t, v.trail, v.offsetMinutes) : `<p class="muted">${e(t.detail.noTrail)}</p>`}</section>`;
}

/** The form beside its preview. */
export function editorLayout(form: string, preview: string): string {
  return `<div class="editor"><section>${form}</section>${preview}</div>`;
}
