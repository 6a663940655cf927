import { z } from 'zod';
import { HttpError, type Route } from '../../../http';
import { weakCode } from '../../../tally/codes';
import { addCode, ensureUnit, listUnits, revokeCode, rotateCodes, setUnitArchived, unitById } from '../../../tally/members';
import { audit } from '../../audit';
import { unitScope, type StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, table } from '../html';
import { studioPage, type Page } from '../web';

// "Unit dan kode": units (OPD) with their members and enrolment codes. Admins create units (each
// with a random code), add codes, replace all of a unit's codes, revoke one, archive a unit; an
// editor sees their own unit's codes, read-only. Each change is the JSON API's: the same data
// function, the same audit entry.

const ADMIN = ['admin'] as const;

async function render(p: Page, status: number, extra: { notice?: string; alert?: string } = {}): Promise<void> {
  const { t, ctx, actor } = p;
  const scope = unitScope(actor.account);
  const units = (await listUnits(ctx.db)).filter((u) => scope === undefined || u.id === scope);
  const admin = actor.account.role === 'admin';
  const post = (path: string, inner: string) =>
    `<form method="post" action="${e(`${p.root}${path}`)}">${csrfField(actor.csrf)}${inner}</form>`;
  const rows = units.map((u) => {
    const codes = u.codes.length
      ? u.codes
          .map((c) =>
            admin
              ? post(
                  'studio/codes/revoke',
                  `<span class="code">${e(c)}</span><input type="hidden" name="code" value="${e(c)}"><button type="submit" class="secondary small" aria-label="${e(t.units.revokeCode(c))}">${e(t.units.revoke)}</button>`,
                )
              : `<span class="code">${e(c)}</span><br>`,
          )
          .join('')
      : `<small>${e(t.units.noCodes)}</small>`;
    const manage = admin
      ? [
          post(
            `studio/units/${u.id}/codes`,
            `<label class="visually-hidden" for="code-${u.id}">${e(`${t.units.addCode}: ${u.name}`)}</label><input id="code-${u.id}" name="code" maxlength="41" placeholder="${e(t.units.codeHint)}"><button type="submit" class="secondary small">${e(t.units.addCode)}</button>`,
          ),
          post(
            `studio/units/${u.id}/codes`,
            `<input type="hidden" name="rotate" value="1"><button type="submit" class="secondary small" aria-label="${e(`${t.units.rotate}: ${u.name}`)}">${e(t.units.rotate)}</button>`,
          ),
          post(
            `studio/units/${u.id}/archive`,
            `<input type="hidden" name="archived" value="${u.archived_at ? '0' : '1'}"><button type="submit" class="secondary small" aria-label="${e(`${u.archived_at ? t.units.restore : t.units.archive}: ${u.name}`)}">${e(u.archived_at ? t.units.restore : t.units.archive)}</button>`,
          ),
        ].join('')
      : '';
    return [
      `${e(u.name)}${u.archived_at ? ` <small>(${e(t.units.archived)})</small>` : ''}`,
      String(u.members),
      codes,
      ...(admin ? [manage] : []),
    ];
  });
  const create = admin
    ? `<section aria-labelledby="create-heading"><h2 id="create-heading">${e(t.units.create)}</h2>
${post('studio/units', `<div class="row"><div><label for="unit-name">${e(t.units.name)}</label><input id="unit-name" name="name" required minlength="2" maxlength="200"></div><div class="shrink"><button type="submit">${e(t.units.create)}</button></div></div>`)}
</section>`
    : '';
  const body = `<h1>${e(t.units.title)}</h1>
<p class="muted">${e(t.units.intro)}${admin ? '' : ` ${e(t.units.readOnly)}`}</p>
${extra.notice ? `<p class="notice" role="status">${e(extra.notice)}</p>` : ''}
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
<section>${table([t.fields.unit, t.units.members, t.units.codes, ...(admin ? [t.fields.action] : [])], rows, [1])}</section>
${create}`;
  p.html(status, { title: t.units.title, current: 'units', body });
}

async function unitOr404(p: Page) {
  const unit = await unitById(p.ctx.db, Number(p.params.id));
  if (!unit) throw new HttpError(404, 'not_found', 'no such unit');
  return unit;
}

export function unitRoutes(ctx: StudioContext): Route[] {
  const { db } = ctx;
  return [
    studioPage(ctx, 'GET', '/studio/units', (p) => render(p, 200)),
    studioPage(
      ctx,
      'POST',
      '/studio/units',
      async (p) => {
        const parsed = z.object({ name: z.string().trim().min(2).max(200) }).safeParse({ name: p.form.get('name') });
        if (!parsed.success) return render(p, 400, { alert: p.t.problems.unit });
        const made = await db.tx(async (q) => {
          const unit = await ensureUnit(q, parsed.data.name);
          const code = await addCode(q, unit.id);
          await audit(q, actorOf(p.actor.account), { action: 'unit_create', subject: `unit:${unit.id}`, after: { name: unit.name, code } });
          return { name: unit.name, code };
        });
        await render(p, 200, { notice: p.t.units.created(made.name, made.code) });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/units/:id/codes',
      async (p) => {
        const unit = await unitOr404(p);
        const rotate = p.form.get('rotate') === '1';
        const code = p.form.get('code').trim().slice(0, 41);
        if (!rotate && code && weakCode(code)) return render(p, 400, { alert: p.t.units.codeWeak });
        let out: { revoked: string[]; code: string };
        try {
          out = await db.tx(async (q) => {
            const result = rotate ? await rotateCodes(q, unit.id) : { revoked: [], code: await addCode(q, unit.id, code || undefined) };
            await audit(q, actorOf(p.actor.account), {
              action: rotate ? 'code_rotate' : 'code_create',
              subject: `unit:${unit.id}`,
              before: { codes: result.revoked },
              after: { code: result.code },
            });
            return result;
          });
        } catch (error) {
          if (error instanceof HttpError) throw error;
          return render(p, 409, { alert: p.t.units.codeTaken });
        }
        await render(p, 200, { notice: rotate ? p.t.units.rotated(out.code) : p.t.units.codeAdded(out.code) });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/codes/revoke',
      async (p) => {
        const code = p.form.get('code').slice(0, 64);
        const removed = await db.tx(async (q) => {
          const n = await revokeCode(q, code);
          if (n > 0) await audit(q, actorOf(p.actor.account), { action: 'code_revoke', subject: `code:${code}` });
          return n;
        });
        if (removed === 0) throw new HttpError(404, 'not_found', 'no such code');
        await render(p, 200, { notice: p.t.units.revoked(code) });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/units/:id/archive',
      async (p) => {
        const unit = await unitOr404(p);
        const archived = p.form.get('archived') === '1';
        await db.tx(async (q) => {
          await setUnitArchived(q, unit.id, archived);
          await audit(q, actorOf(p.actor.account), { action: archived ? 'unit_archive' : 'unit_restore', subject: `unit:${unit.id}` });
        });
        await render(p, 200, { notice: archived ? p.t.units.archivedDone : p.t.units.restoredDone });
      },
      { roles: ADMIN },
    ),
  ];
}
