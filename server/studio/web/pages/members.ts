import { z } from 'zod';
import { HttpError, type Route } from '../../../http';
import {
  issuePersonalCode,
  listUnits,
  memberById,
  moveMember,
  revokeTokens,
  rosterEntry,
  searchMembers,
  unitByName,
} from '../../../tally/members';
import { audit } from '../../audit';
import { unitScope, type StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, options, table } from '../html';
import { displayTime } from '../time';
import { memberUnitByNip } from '../queries';
import { studioPage, type Page } from '../web';
import { pager } from './post-list';

// "Anggota": enrolled civil servants, searched by NIP or name a page at a time (an editor: their
// own unit). Admins move a member to another unit and revoke their tokens; editors (for their
// unit), approvers and admins make a one-time personal code for a NIP, shown once.

const ADMIN = ['admin'] as const;
const PAGE = 50;

async function render(
  p: Page,
  status: number,
  extra: { notice?: string; alert?: string; issued?: { code: string; nip: string; expires_at: string } } = {},
): Promise<void> {
  const { t, ctx, actor, url } = p;
  const scope = unitScope(actor.account);
  const text = (url.searchParams.get('q') ?? '').slice(0, 100);
  const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
  const { members, more } = await searchMembers(ctx.db, { text, unitId: scope, offset, limit: PAGE });
  const admin = actor.account.role === 'admin';
  const units = admin ? (await listUnits(ctx.db)).filter((u) => !u.archived_at) : [];
  const post = (path: string, inner: string) =>
    `<form method="post" action="${e(`${p.root}${path}`)}">${csrfField(actor.csrf)}${inner}</form>`;
  const rows = members.map((m) => [
    `<span class="code">${e(m.nip)}</span>`,
    e(m.name),
    e(m.unit),
    String(m.live_tokens),
    String(m.posted),
    e(displayTime(m.created_at, ctx.utcOffsetMinutes, t.locale)),
    ...(admin
      ? [
          post(
            `studio/members/${m.id}/move`,
            `<label class="visually-hidden" for="move-${m.id}">${e(`${t.members.moveTo}: ${m.name}`)}</label><select id="move-${m.id}" name="unit">${options(
              units.map((u) => [u.name, u.name] as [string, string]),
              m.unit,
            )}</select><button type="submit" class="secondary small" aria-label="${e(`${t.members.move}: ${m.name}`)}">${e(t.members.move)}</button>`,
          ) +
            post(
              `studio/members/${m.id}/revoke`,
              `<button type="submit" class="secondary small" aria-label="${e(`${t.members.revoke}: ${m.name}`)}">${e(t.members.revoke)}</button>`,
            ),
        ]
      : []),
  ]);
  const issued = extra.issued
    ? `<div class="notice" role="status"><p>${e(t.fields.personalCode)}: <span class="secret">${e(extra.issued.code)}</span></p><p>${e(
        t.members.issuedHow(extra.issued.nip, displayTime(extra.issued.expires_at, ctx.utcOffsetMinutes, t.locale)),
      )}</p></div>`
    : '';
  const body = `<h1>${e(t.members.title)}</h1>
<p class="muted">${e(t.members.intro)}${scope !== undefined ? ` ${e(t.members.ownUnit(actor.account.unit ?? ''))}` : ''}</p>
${extra.notice ? `<p class="notice" role="status">${e(extra.notice)}</p>` : ''}
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
<section aria-labelledby="personal-heading">
<h2 id="personal-heading">${e(t.members.personalTitle)}</h2>
<p class="muted">${e(t.members.personalIntro)}</p>
${issued}
${post('studio/personal-codes', `<div class="row"><div><label for="pc-nip">${e(t.fields.nip)}</label><input id="pc-nip" name="nip" inputmode="numeric" autocomplete="off" required minlength="18" maxlength="40"></div><div class="shrink"><button type="submit">${e(t.members.issue)}</button></div></div>`)}
</section>
<section>
<form class="filters" method="get" action="${e(`${p.root}studio/members`)}" role="search">
<div><label for="q">${e(t.members.searchLabel)}</label><input type="search" id="q" name="q" value="${e(text)}"></div>
<div class="shrink"><button type="submit">${e(t.fields.search)}</button></div>
</form>
${members.length ? table([t.fields.nip, t.fields.name, t.fields.unit, t.members.tokens, t.members.posted, t.members.since, ...(admin ? [t.fields.action] : [])], rows, [3, 4]) : `<p class="muted">${e(t.common.noResults)}</p>`}
${pager(p, 'studio/members', { q: text }, offset, more, PAGE)}
</section>`;
  p.html(status, { title: t.members.title, current: 'members', body, wide: admin });
}

async function memberOr404(p: Page) {
  const member = await memberById(p.ctx.db, Number(p.params.id));
  if (!member) throw new HttpError(404, 'not_found', 'no such member');
  return member;
}

export function memberRoutes(ctx: StudioContext): Route[] {
  const { db } = ctx;
  return [
    studioPage(ctx, 'GET', '/studio/members', (p) => render(p, 200)),
    studioPage(
      ctx,
      'POST',
      '/studio/members/:id/move',
      async (p) => {
        const member = await memberOr404(p);
        const target = await unitByName(db, p.form.get('unit').slice(0, 200));
        if (!target || target.archived_at) return render(p, 400, { alert: p.t.problems.unit });
        await db.tx(async (q) => {
          await moveMember(q, member.id, Number(target.id));
          await audit(q, actorOf(p.actor.account), {
            action: 'member_move',
            subject: `nip:${member.nip}`,
            before: { unit: member.unit },
            after: { unit: target.name },
          });
        });
        await render(p, 200, { notice: p.t.members.moved(member.name, target.name) });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/members/:id/revoke',
      async (p) => {
        const member = await memberOr404(p);
        const revoked = await db.tx(async (q) => {
          const n = await revokeTokens(q, member.id);
          await audit(q, actorOf(p.actor.account), { action: 'member_revoke', subject: `nip:${member.nip}`, after: { tokens: n } });
          return n;
        });
        await render(p, 200, { notice: p.t.members.revoked(revoked) });
      },
      { roles: ADMIN },
    ),
    studioPage(ctx, 'POST', '/studio/personal-codes', async (p) => {
      const parsed = z.object({ nip: z.string().trim().min(18).max(40) }).safeParse({ nip: p.form.get('nip') });
      if (!parsed.success) return render(p, 400, { alert: p.t.members.noMember });
      const scope = unitScope(p.actor.account);
      const clean = parsed.data.nip.replace(/[\s.-]/g, '');
      const unitId = (await memberUnitByNip(db, clean)) ?? (await rosterEntry(db, clean))?.unit_id;
      // As the API: another unit's NIP is unknown to an editor, not forbidden.
      if (unitId === undefined || (scope !== undefined && unitId !== scope)) return render(p, 404, { alert: p.t.members.noMember });
      const issued = await db.tx(async (q) => {
        const made = await issuePersonalCode(q, clean, p.actor.account.id);
        await audit(q, actorOf(p.actor.account), {
          action: 'personal_code',
          subject: `nip:${clean}`,
          after: { expires_at: made.expires_at },
        });
        return made;
      });
      await render(p, 200, { issued: { ...issued, nip: clean } });
    }),
  ];
}
