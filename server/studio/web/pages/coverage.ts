import { coverageByUnit, coverageMembers } from '../../../dashboard/coverage';
import { HttpError, type Route } from '../../../http';
import { unitById } from '../../../tally/members';
import { unitScope, type StudioContext } from '../../context';
import { e, query, table } from '../html';
import { studioPage } from '../web';
import { pager } from './post-list';

// Coverage of a post (above all a mandatory one): per OPD how many enrolled civil servants have
// shared it, and for one OPD who has and who has not. An editor sees their own unit only.

const PAGE = 100;

export function coverageRoutes(ctx: StudioContext): Route[] {
  return [
    studioPage(ctx, 'GET', '/studio/posts/:id/coverage', async (p) => {
      const { t, url } = p;
      const post = await ctx.posts.get(p.actor.account, p.params.id!);
      const scope = unitScope(p.actor.account);
      const units = await coverageByUnit(ctx.db, post.id, scope);
      const chosen = Number(url.searchParams.get('unit') ?? 0) || scope;
      if (chosen !== undefined && scope !== undefined && chosen !== scope) throw new HttpError(404, 'not_found', 'no such unit');
      const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
      const self = `studio/posts/${encodeURIComponent(post.id)}/coverage`;
      const percent = (a: number, b: number) => (b > 0 ? Math.round((100 * a) / b) : 0);
      const rows = units.map((u) => [
        e(u.unit),
        String(u.members),
        String(u.posted),
        u.members
          ? `${percent(u.posted, u.members)}% <meter min="0" max="${u.members}" value="${u.posted}">${percent(u.posted, u.members)}%</meter>`
          : e(t.common.none),
        `<a href="${e(`${p.root}${self}${query({ unit: u.unit_id })}`)}">${e(t.coverage.who)}</a>`,
      ]);
      let people = '';
      if (chosen !== undefined) {
        const unit = await unitById(ctx.db, chosen);
        if (!unit) throw new HttpError(404, 'not_found', 'no such unit');
        const { members, more } = await coverageMembers(ctx.db, post.id, chosen, offset, PAGE);
        people = `<section aria-labelledby="who-heading"><h2 id="who-heading">${e(t.coverage.unitMembers(unit.name))}</h2>
${
  members.length
    ? table(
        [t.fields.nip, t.fields.name, t.fields.status],
        members.map((m) => [`<span class="code">${e(m.nip)}</span>`, e(m.name), e(m.posted ? t.coverage.posted : t.coverage.notPosted)]),
      )
    : `<p class="muted">${e(t.common.noResults)}</p>`
}
${pager(p, self, { unit: String(chosen) }, offset, more, PAGE)}
</section>`;
      }
      const body = `<h1>${e(t.coverage.title)}: ${e(post.title)}</h1>
<p class="muted">${e(t.coverage.intro)}${post.priority === 'mandatory' ? '' : ` ${e(t.coverage.notMandatory)}`}</p>
<p><a href="${e(`${p.root}studio/posts/${encodeURIComponent(post.id)}`)}">${e(t.common.back)}</a></p>
<section>${table([t.fields.unit, t.coverage.members, t.coverage.posted, '%', ''], rows, [1, 2, 3])}</section>
${people}`;
      p.html(200, { title: t.coverage.title, current: 'posts', body });
    }),
  ];
}
