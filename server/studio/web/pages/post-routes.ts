import type { z } from 'zod';
import {
  CommentBodySchema,
  CreatePostSchema,
  PatchPostSchema,
  ReasonSchema,
  type PostFields,
  type PostObject,
} from '../../../../utils/protocol/studio';
import { HttpError, type Route } from '../../../http';
import type { FeedContext } from '../../../publish/build';
import { listUnits, unitByName } from '../../../tally/members';
import { audit, auditEntries } from '../../audit';
import { listCampaigns, type Campaign } from '../../campaigns';
import { MediaError, mediaUrl, type MediaRow } from '../../media-store';
import { actorOf } from '../../posts';
import { previewItem, previewPost, type Preview } from '../../preview';
import { mayDo, type PostAction } from '../../workflow';
import { editorScriptSrc } from '../assets';
import { feedContextOf, type EditorContext } from '../editor-context';
import { e } from '../html';
import type { Dict } from '../i18n';
import type { MultipartLimits } from '../multipart';
import {
  draftFromForm,
  draftFromPost,
  emptyDraft,
  fieldsFromDraft,
  FORM_PLATFORMS,
  type CaptionPlatform,
  type FieldKey,
  type PostDraft,
} from '../post-form';
import { studioPage, type Page } from '../web';
import { detailBody, editorForm, editorLayout, previewPanel, type Problems } from './post-view';

// The post pages: a new post, a post (edited while it is a draft or sent back, otherwise shown
// with the actions the viewer may take), and the workflow's forms. Saves and steps go through
// `Posts` — the same calls, permissions and audit entries as the JSON API.

const POST_FORM_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;

type Act = 'approve' | 'request_changes' | 'withdraw' | 'publish_now';
const ACTS: readonly Act[] = ['approve', 'request_changes', 'withdraw', 'publish_now'];
const DONE: Record<Act, string> = {
  approve: 'approved',
  request_changes: 'request_changes',
  withdraw: 'withdrawn',
  publish_now: 'published',
};

interface Lists {
  units: { name: string; slug: string | null }[];
  campaigns: Campaign[];
}

async function lists(p: Page): Promise<Lists> {
  const units = (await listUnits(p.ctx.db)).filter((u) => !u.archived_at);
  return { units, campaigns: await listCampaigns(p.ctx.db, true) };
}

function feedContext(p: Page): FeedContext {
  const o = p.ctx.publisher.options;
  return feedContextOf({
    base: p.ctx.base(),
    publisher: o.publisher,
    title: o.title,
    refreshMinutes: o.refreshMinutes,
    utcOffsetMinutes: o.utcOffsetMinutes,
  });
}

async function pictureOf(p: Page, id: string): Promise<MediaRow | undefined> {
  if (!id) return undefined;
  const row = await p.ctx.media.byId(p.ctx.db, id);
  return row?.kind === 'image' ? row : undefined;
}

async function videoOf(p: Page, id: string): Promise<MediaRow | undefined> {
  if (!id) return undefined;
  const row = await p.ctx.media.byId(p.ctx.db, id);
  return row?.kind === 'video' ? row : undefined;
}

const refOf = (base: string, row: MediaRow) => ({
  url: mediaUrl(base, row),
  sha256: row.sha256,
  mime: row.mime,
  bytes: row.bytes,
  width: row.width,
  height: row.height,
});
const videoRefOf = (base: string, row: MediaRow) => ({ ...refOf(base, row), duration_ms: row.duration_ms });

/** The preview the server renders into the page, and the script's starting point. */
async function composePreview(
  p: Page,
  fields: PostFields,
  id: string | undefined,
  l: Lists,
  picture: MediaRow | undefined,
  video?: MediaRow,
) {
  const feed = feedContext(p);
  const unit = await unitByName(p.ctx.db, fields.unit);
  const campaign = l.campaigns.find((c) => c.slug === fields.campaign);
  const image = picture ? refOf(feed.base, picture) : null;
  const item = previewItem(fields, feed, {
    id,
    unitSlug: unit?.slug ?? undefined,
    campaignName: campaign?.name,
    image,
    // As the feed will carry it: the post's picture is the video's poster.
    video: video ? { ...videoRefOf(feed.base, video), poster: image && { url: image.url, sha256: image.sha256 } } : null,
  });
  const preview: Preview = previewPost(fields, item);
  const pictureSrc = picture ? `${p.root}media/${encodeURIComponent(picture.file)}` : undefined;
  const scope = p.actor.account.role === 'editor' ? l.units.filter((u) => u.name === p.actor.account.unit) : l.units;
  const context: EditorContext = {
    lang: p.lang,
    root: p.root,
    feed,
    id,
    offsetMinutes: p.ctx.utcOffsetMinutes,
    units: Object.fromEntries(scope.map((u) => [u.name.toLowerCase(), u.slug ?? 'opd'])),
    campaigns: Object.fromEntries(l.campaigns.map((c) => [c.slug, c.name])),
    picture: picture ? { id: picture.id, ref: refOf(feed.base, picture), src: pictureSrc! } : null,
    video: video ? { id: video.id, ref: videoRefOf(feed.base, video) } : null,
    maxImageBytes: p.ctx.media.limits.image.maxBytes,
    maxVideoBytes: p.ctx.media.limits.videoBytes,
  };
  return { preview, pictureSrc, context };
}

interface EditorState {
  draft: PostDraft;
  problems: Problems;
  conflict?: string;
}

/** The form and its preview for `draft` (of `post`, or a new one). */
async function editorSection(p: Page, l: Lists, state: EditorState, post?: PostObject): Promise<{ html: string; script?: string }> {
  const { fields } = fieldsFromDraft(state.draft, p.ctx.utcOffsetMinutes);
  const picture = await pictureOf(p, state.draft.picture);
  const video = await videoOf(p, state.draft.video);
  const { preview, pictureSrc, context } = await composePreview(p, fields, post?.id, l, picture, video);
  const script = await editorScriptSrc(p.root);
  const editor = p.actor.account.role === 'editor';
  const campaigns = l.campaigns.filter((c) => !c.archived_at || c.slug === state.draft.campaign);
  const form = editorForm({
    t: p.t,
    lang: p.lang,
    root: p.root,
    csrf: p.actor.csrf,
    action: post ? `studio/posts/${encodeURIComponent(post.id)}` : 'studio/posts/new',
    draft: state.draft,
    problems: state.problems,
    units: editor
      ? null
      : l.units.some((u) => u.name === state.draft.unit)
        ? l.units
        : [...l.units, { name: state.draft.unit, slug: null }],
    campaigns,
    offsetMinutes: p.ctx.utcOffsetMinutes,
    canSubmit: true,
    pictureSrc,
    video: video && { duration_ms: video.duration_ms, bytes: video.bytes },
    maxVideoBytes: p.ctx.media.limits.videoBytes,
    context,
    preview,
    conflict: state.conflict,
  });
  return { html: editorLayout(form, previewPanel({ t: p.t, lang: p.lang, preview, pictureSrc, live: false })), script };
}

async function renderNew(p: Page, status: number, state: EditorState): Promise<void> {
  const l = await lists(p);
  const { html, script } = await editorSection(p, l, state);
  p.html(status, { title: p.t.posts.new, current: 'posts', wide: true, script, body: `<h1>${e(p.t.posts.new)}</h1>${html}` });
}

function verdicts(p: Page, post: PostObject, ref: { status: PostObject['status']; author_id: number; unit_id: number }) {
  const who = { id: p.actor.account.id, role: p.actor.account.role, unit_id: p.actor.account.unit_id };
  const ok = (action: PostAction) => mayDo(action, { ...ref, status: post.status }, who).ok;
  const reviewer = who.role !== 'editor';
  return {
    edit: ok('edit'),
    approve: ok('approve'),
    request_changes: ok('request_changes'),
    withdraw: ok('withdraw'),
    publish_now: ok('publish_now'),
    comment: ok('comment'),
    fourEyes: reviewer && post.status === 'submitted' && ref.author_id === who.id,
  };
}

/** The post page; `state` carries a refused save (what was typed, and why). */
async function renderDetail(
  p: Page,
  id: string,
  status: number,
  extra: { state?: EditorState; alert?: string; notice?: string } = {},
): Promise<void> {
  const post = await p.ctx.posts.get(p.actor.account, id);
  const row = (await p.ctx.posts.row(p.ctx.db, id))!;
  const may = verdicts(p, post, row);
  const l = await lists(p);
  let main: string;
  let script: string | undefined;
  if (may.edit) {
    const kinds = new Map<string, 'image' | 'video'>();
    for (const m of post.media) {
      const r = await p.ctx.media.byId(p.ctx.db, m);
      if (r) kinds.set(m, r.kind);
    }
    const state = extra.state ?? { draft: draftFromPost(post, p.ctx.utcOffsetMinutes, kinds), problems: {} };
    ({ html: main, script } = await editorSection(p, l, state, post));
  } else {
    const picture = (await Promise.all(post.media.map((m) => pictureOf(p, m)))).find(Boolean);
    const video = (await Promise.all(post.media.map((m) => videoOf(p, m)))).find(Boolean);
    const { preview, pictureSrc } = await composePreview(p, post, post.id, l, picture, video);
    // A publish time in the past is news only while the post can still be changed.
    preview.warnings = preview.warnings.filter((w) => w.code !== 'publish_in_past');
    main = `<p class="muted">${e(p.t.form.readOnly)}</p>${previewPanel({ t: p.t, lang: p.lang, preview, pictureSrc, live: false })}`;
  }
  const trail = await auditEntries(p.ctx.db, { post: id, limit: 200 });
  const body = detailBody({
    t: p.t,
    lang: p.lang,
    root: p.root,
    csrf: p.actor.csrf,
    post,
    offsetMinutes: p.ctx.utcOffsetMinutes,
    campaignName: l.campaigns.find((c) => c.slug === post.campaign)?.name,
    may,
    trail,
    notice: extra.notice,
    alert: extra.alert,
    main,
  });
  p.html(status, { title: post.title, current: 'posts', wide: true, script, body });
}

type Issue = z.ZodError['issues'][number];

function zodProblems(t: Dict, issues: readonly Issue[]): Problems {
  const problems: Problems = {};
  for (const issue of issues) {
    const [head, second] = issue.path;
    let key: FieldKey | undefined;
    let message: string | undefined;
    switch (head) {
      case 'title':
        [key, message] = ['title', t.problems.title];
        break;
      case 'text':
        [key, message] = ['text', t.problems.text];
        break;
      case 'captions': {
        const platform = (FORM_PLATFORMS as readonly unknown[]).includes(second) ? (second as CaptionPlatform) : 'x';
        [key, message] = [`caption_${platform}`, t.problems.caption];
        break;
      }
      case 'hashtags':
        [key, message] = ['hashtags', t.problems.hashtags];
        break;
      case 'url':
        [key, message] = ['url', t.problems.url];
        break;
      case 'media':
        [key, message] = ['picture', t.problems.picture.media];
        break;
      case 'unit':
        [key, message] = ['unit', t.problems.unit];
        break;
      case 'campaign':
        [key, message] = ['campaign', t.problems.campaign];
        break;
      case 'priority':
        [key, message] = ['priority', t.problems.priority];
        break;
      case 'publish_at':
      case 'expires_at':
        [key, message] = [head, t.problems.time];
        break;
      default:
        throw new HttpError(400, 'bad_request', `${issue.path.join('.')}: ${issue.message}`);
    }
    problems[key] ??= message;
  }
  return problems;
}

/** A refusal of the data layer, put next to the field it is about. */
function dataProblem(t: Dict, error: HttpError): Problems | undefined {
  switch (error.code) {
    case 'unknown_unit':
      return { unit: t.problems.unit };
    case 'forbidden':
      return error.status === 403 ? { unit: t.problems.unitForbidden } : undefined;
    case 'unknown_media':
    case 'too_many_media':
      return { picture: t.problems.picture.media };
    case 'unknown_campaign':
      return { campaign: t.problems.campaign };
    case 'publish_in_past':
      return { publish_at: t.problems.publishPast };
    case 'expiry_before_publish':
      return { expires_at: t.problems.expiryBeforePublish };
    case 'empty':
      return { title: t.problems.empty };
    default:
      return undefined;
  }
}

function pictureProblem(t: Dict, code: string, maxBytes: number): string {
  const words = t.problems.picture;
  if (code === 'too_large') return words.too_large(t.bytes(maxBytes));
  if (code in words && code !== 'media' && code !== 'failed') return words[code as 'not_image'] as string;
  return words.failed;
}

/** Add or remove a caption variant without saving: the form without script. */
function applyIntent(draft: PostDraft, intent: string): boolean {
  const add = /^add:(x|facebook|whatsapp)$/.exec(intent);
  if (add) {
    const list = draft.captions[add[1] as CaptionPlatform];
    if (list.length < 20) list.push('');
    return true;
  }
  const remove = /^remove:(x|facebook|whatsapp):(\d{1,2})$/.exec(intent);
  if (remove) {
    const list = draft.captions[remove[1] as CaptionPlatform];
    list.splice(Number(remove[2]), 1);
    if (!list.length) list.push('');
    return true;
  }
  return intent === 'preview';
}

/** Saves the form as a new post or over `existing`, and submits it when asked. */
async function save(p: Page, existing?: PostObject): Promise<void> {
  const { t, ctx, actor } = p;
  const draft = draftFromForm(p.form.fields);
  // An editor's post is their unit's, whatever the form says (the data layer refuses otherwise).
  if (actor.account.role === 'editor') draft.unit = actor.account.unit ?? draft.unit;
  if (!existing && !draft.unit) draft.unit = actor.account.unit ?? '';
  const intent = p.form.get('intent') || 'save';
  if (existing) {
    const row = (await ctx.posts.row(ctx.db, existing.id))!;
    const verdict = mayDo('edit', row, { id: actor.account.id, role: actor.account.role, unit_id: actor.account.unit_id });
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.code, verdict.message);
  }
  const again = (status: number, state: EditorState) =>
    existing ? renderDetail(p, existing.id, status, { state }) : renderNew(p, status, state);
  if (applyIntent(draft, intent)) return again(200, { draft, problems: {} });

  const problems: Problems = {};
  const file = p.form.files.get('picture_file');
  if (file) {
    const max = ctx.media.limits.image.maxBytes;
    if (file.tooLarge) problems.picture = pictureProblem(t, 'too_large', max);
    else {
      try {
        const row = await ctx.media.addImage(file.bytes, file.type || undefined, actor.account.id);
        // As the API's upload: every picture that reaches the server is in the audit log.
        await audit(ctx.db, actorOf(actor.account), {
          action: 'media_upload',
          subject: `media:${row.id}`,
          after: { kind: row.kind, bytes: row.bytes, sha256: row.sha256 },
        });
        draft.picture = row.id;
      } catch (error) {
        if (!(error instanceof MediaError)) throw error;
        problems.picture = pictureProblem(t, error.code, max);
      }
    }
  }

  // The id comes from the page's script; a stale or foreign one is named next to the field
  // rather than refused as a bare "unknown media".
  if (draft.video && !(await videoOf(p, draft.video))) {
    problems.video = t.problems.video.media;
    draft.video = '';
  }

  const { fields, unreadable } = fieldsFromDraft(draft, ctx.utcOffsetMinutes);
  for (const key of unreadable) problems[key] = t.problems.time;
  const parsed = existing
    ? PatchPostSchema.safeParse({ ...fields, version: Number(draft.version) || 0 })
    : CreatePostSchema.safeParse(fields);
  if (!parsed.success) {
    for (const [k, v] of Object.entries(
      zodProblems(
        t,
        parsed.error.issues.filter((i) => !unreadable.includes(i.path[0] as FieldKey)),
      ),
    ))
      problems[k as FieldKey] ??= v;
  }
  if (!problems.caption_x && parsed.success) {
    const l = await lists(p);
    const { preview } = await composePreview(p, fields, existing?.id, l, await pictureOf(p, draft.picture), await videoOf(p, draft.video));
    // The protocol shortens an X caption to fit; a text that cannot fit even without one is refused here.
    if (preview.warnings.some((w) => w.code === 'x_no_caption')) problems.caption_x = t.problems.xNoCaption;
  }
  if (Object.keys(problems).length || !parsed.success) return again(400, { draft, problems });

  let saved: PostObject;
  try {
    saved = existing
      ? await ctx.posts.update(actor.account, existing.id, parsed.data as z.infer<typeof PatchPostSchema>)
      : await ctx.posts.create(actor.account, parsed.data as z.infer<typeof CreatePostSchema>);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (error.code === 'version_conflict' && existing) {
      return again(409, { draft, problems: {}, conflict: `${p.root}studio/posts/${encodeURIComponent(existing.id)}` });
    }
    const problem = dataProblem(t, error);
    if (!problem) throw error;
    return again(error.status === 403 ? 403 : 400, { draft, problems: problem });
  }
  if (intent === 'submit') {
    await ctx.posts.act(actor.account, saved.id, 'submit');
    return p.redirect(`studio/posts/${encodeURIComponent(saved.id)}?done=submitted`);
  }
  p.redirect(`studio/posts/${encodeURIComponent(saved.id)}?done=${existing ? 'saved' : 'created'}`);
}

export function postRoutes(ctx: Page['ctx']): Route[] {
  const multipart: MultipartLimits = {
    fieldBytes: POST_FORM_BYTES,
    fileBytes: ctx.media.limits.image.maxBytes,
    // Room to read a picture well over the limit to its end, so the answer is a message next
    // to the field with what was typed, not a bare refusal.
    totalBytes: Math.max(64 * MIB, ctx.media.limits.image.maxBytes * 2 + 2 * MIB),
    parts: 200,
  };
  const body = { max: POST_FORM_BYTES, multipart };
  return [
    studioPage(ctx, 'GET', '/studio/posts/new', async (p) => {
      await renderNew(p, 200, { draft: emptyDraft(p.actor.account.unit ?? ''), problems: {} });
    }),
    studioPage(ctx, 'POST', '/studio/posts/new', (p) => save(p), { body }),
    studioPage(ctx, 'GET', '/studio/posts/:id', async (p) => {
      const done = p.url.searchParams.get('done');
      await renderDetail(p, p.params.id!, 200, { notice: done ? p.t.detail.done[done] : undefined });
    }),
    studioPage(ctx, 'POST', '/studio/posts/:id', async (p) => save(p, await p.ctx.posts.get(p.actor.account, p.params.id!)), { body }),
    studioPage(ctx, 'POST', '/studio/posts/:id/act', async (p) => {
      const id = p.params.id!;
      const action = p.form.get('action') as Act;
      if (!ACTS.includes(action)) throw new HttpError(400, 'bad_request', 'unknown action');
      await p.ctx.posts.get(p.actor.account, id);
      const words: { comment?: string; reason?: string } = {};
      if (action === 'request_changes') {
        const parsed = CommentBodySchema.safeParse({ comment: p.form.get('comment') });
        if (!parsed.success) return renderDetail(p, id, 400, { alert: p.t.detail.requestChangesHint });
        words.comment = parsed.data.comment;
      }
      if (action === 'withdraw') {
        const parsed = ReasonSchema.safeParse({ reason: p.form.get('reason') });
        if (!parsed.success) return renderDetail(p, id, 400, { alert: p.t.detail.withdrawHint });
        words.reason = parsed.data.reason;
      }
      try {
        await p.ctx.posts.act(p.actor.account, id, action, words);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status === 404) throw error;
        return renderDetail(p, id, error.status, {
          alert: error.code === 'four_eyes' ? p.t.errors.fourEyes : error.status === 403 ? p.t.errors.forbidden : p.t.errors.conflict,
        });
      }
      p.redirect(`studio/posts/${encodeURIComponent(id)}?done=${DONE[action]}`);
    }),
    studioPage(ctx, 'POST', '/studio/posts/:id/comment', async (p) => {
      const id = p.params.id!;
      const parsed = CommentBodySchema.safeParse({ comment: p.form.get('comment') });
      if (!parsed.success) return renderDetail(p, id, 400, { alert: p.t.detail.requestChangesHint });
      await p.ctx.posts.comment(p.actor.account, id, parsed.data.comment);
      p.redirect(`studio/posts/${encodeURIComponent(id)}?done=commented`);
    }),
  ];
}
