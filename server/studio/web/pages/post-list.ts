import { POST_STATUSES, type PostStatus } from '../../../../utils/protocol/studio';
import type { Route } from '../../../http';
import { listUnits } from '../../../tally/members';
import { REVIEWERS, type StudioContext } from '../../context';
import { e, options, query, table } from '../html';
import { reviewQueue } from '../queries';
import { displayTime } from '../time';
import { studioPage, type Page } from '../web';
import { statusBadge } from './post-view';

// "Postingan" (every post the viewer may see: an editor's own unit only, by `Posts.list`) and
// "Antrean tinjauan" (submitted posts, the longest waiting first).

const PAGE = 25;

const offsetOf = (url: URL) => Math.max(0, Math.min(1_000_000, Number(url.searchParams.get('offset') ?? 0) || 0));

export function pager(
  p: Page,
  path: string,
  params: Record<string, string | undefined>,
  offset: number,
  more: boolean,
  size = PAGE,
): string {
  if (offset === 0 && !more) return '';
  const link = (to: number, label: string, rel: string) =>
    `<a href="${e(`${p.root}${path}${query({ ...params, offset: to })}`)}" rel="${rel}">${e(label)}</a>`;
  return `<nav class="pager" aria-label="${e(p.t.common.pager)}">${offset > 0 ? link(Math.max(0, offset - size), p.t.common.prev, 'prev') : ''}${more ? link(offset + size, p.t.common.next, 'next') : ''}</nav>`;
}

function priorityCell(p: Page, priority: 'normal' | 'high' | 'mandatory'): string {
  if (priority === 'mandatory') return `<span class="badge badge-mandatory">${e(p.t.priority.mandatory)}</span>`;
  if (priority === 'high') return `<span class="badge badge-priority">${e(p.t.priority.high)}</span>`;
  return e(p.t.priority.normal);
}

export function postListRoutes(ctx: StudioContext): Route[] {
  return [
    studioPage(ctx, 'GET', '/studio/posts', async (p) => {
      const { t, url, actor } = p;
      const status = (POST_STATUSES as readonly string[]).includes(url.searchParams.get('status') ?? '')
        ? (url.searchParams.get('status') as PostStatus)
        : undefined;
      const text = (url.searchParams.get('q') ?? '').slice(0, 200);
      const editor = actor.account.role === 'editor';
      const units = editor ? [] : (await listUnits(ctx.db)).filter((u) => !u.archived_at);
      const unitId = editor ? undefined : Number(url.searchParams.get('unit') ?? 0) || undefined;
      const offset = offsetOf(url);
      const { posts, more } = await ctx.posts.list(actor.account, { status, text, unit: unitId, offset, limit: PAGE });
      const statusOptions: [string, string][] = [['', t.common.all], ...POST_STATUSES.map((s) => [s, t.status[s]] as [string, string])];
      const filters = `<form class="filters" method="get" action="${e(`${p.root}studio/posts`)}" role="search">
<div><label for="q">${e(t.posts.searchLabel)}</label><input type="search" id="q" name="q" value="${e(text)}"></div>
<div><label for="status">${e(t.fields.status)}</label><select id="status" name="status">${options(statusOptions, status ?? '')}</select></div>
${editor ? '' : `<div><label for="unit">${e(t.fields.unit)}</label><select id="unit" name="unit">${options([['', t.common.all], ...units.map((u) => [String(u.id), u.name] as [string, string])], unitId ? String(unitId) : '')}</select></div>`}
<div class="shrink"><button type="submit">${e(t.common.filter)}</button></div>
</form>`;
      const rows = posts.map((post) => [
        `<a href="${e(`${p.root}studio/posts/${encodeURIComponent(post.id)}`)}">${e(post.title)}</a><br><small>${e(post.id)}</small>`,
        statusBadge(t, post.status),
        priorityCell(p, post.priority),
        e(post.unit),
        e(post.author),
        e(displayTime(post.updated_at, ctx.utcOffsetMinutes, t.locale)),
      ]);
      const body = `<h1>${e(t.posts.title)}</h1>
${editor ? `<p class="muted">${e(t.posts.ownUnit(actor.account.unit ?? ''))}</p>` : ''}
<p><a class="button" href="${e(`${p.root}studio/posts/new`)}">${e(t.posts.new)}</a></p>
<section>
${filters}
${posts.length ? table([t.fields.title, t.fields.status, t.fields.priority, t.fields.unit, t.fields.author, t.fields.updated], rows) : `<p class="muted">${e(text || status ? t.common.noResults : t.posts.empty)}</p>`}
${pager(p, 'studio/posts', { q: text, status, unit: unitId ? String(unitId) : undefined }, offset, more)}
</section>`;
      p.html(200, { title: t.posts.title, current: 'posts', body });
    }),

    studioPage(
      ctx,
      'GET',
      '/studio/review',
      async (p) => {
        const { t, url } = p;
        const offset = offsetOf(url);
        const { posts, more } = await reviewQueue(ctx.db, offset, PAGE);
        const me = p.actor.account.username;
        const rows = posts.map((post) => [
          `<a href="${e(`${p.root}studio/posts/${encodeURIComponent(post.id)}`)}">${e(post.title)}</a><br><small>${e(post.id)}</small>`,
          priorityCell(p, post.priority),
          e(post.unit),
          `${e(post.author)}${post.author === me ? ` <small>(${e(p.t.detail.fourEyes)})</small>` : ''}`,
          e(displayTime(post.submitted_at, ctx.utcOffsetMinutes, t.locale)),
          e(post.publish_at ? displayTime(post.publish_at, ctx.utcOffsetMinutes, t.locale) : t.common.none),
        ]);
        const body = `<h1>${e(t.review.title)}</h1>
<p class="muted">${e(t.review.intro)}</p>
<section>
${posts.length ? table([t.fields.title, t.fields.priority, t.fields.unit, t.fields.author, t.review.waiting, t.fields.publish_at], rows) : `<p class="muted">${e(t.review.empty)}</p>`}
${pager(p, 'studio/review', {}, offset, more)}
</section>`;
        p.html(200, { title: t.review.title, current: 'review', body });
      },
      { roles: REVIEWERS },
    ),
  ];
}
