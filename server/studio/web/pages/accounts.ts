import { randomBytes } from 'node:crypto';
import { AccountRequestSchema, ROLES } from '../../../../utils/protocol/studio';
import { HttpError, type Route } from '../../../http';
import { listUnits } from '../../../tally/members';
import { AccountError, accountByUsername, createAccount, listAccounts, publicAccount, setDisabled, setPassword } from '../../accounts';
import { audit } from '../../audit';
import type { StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, options, table } from '../html';
import type { Dict } from '../i18n';
import { studioPage, type Page } from '../web';

// "Akun" (admins): studio accounts with their role and unit; create one, disable or enable it,
// reset its password (a new random one, shown once). Disabling and a new password end the
// account's sessions (the data functions do that).

const ADMIN = ['admin'] as const;

function accountProblem(t: Dict, error: AccountError): string {
  if (error.code === 'user_exists') return t.accounts.exists;
  if (error.code === 'weak_password') return t.accounts.weak;
  if (error.code === 'unknown_unit') return t.accounts.unknownUnit;
  return t.errors.badRequest;
}

async function render(
  p: Page,
  status: number,
  extra: { notice?: string; alert?: string; secret?: { label: string; value: string } } = {},
): Promise<void> {
  const { t, ctx, actor } = p;
  const accounts = await listAccounts(ctx.db);
  const units = (await listUnits(ctx.db)).filter((u) => !u.archived_at);
  const post = (path: string, inner: string) =>
    `<form method="post" action="${e(`${p.root}${path}`)}">${csrfField(actor.csrf)}${inner}</form>`;
  const rows = accounts.map((a) => {
    const path = `studio/accounts/${encodeURIComponent(a.username)}`;
    const self = a.id === actor.account.id;
    return [
      `<strong>${e(a.username)}</strong><br><small>${e(a.name)}</small>`,
      e(t.roles[a.role]),
      e(a.unit ?? t.common.none),
      e(a.disabled_at ? t.accounts.disabled : t.accounts.active),
      [
        self
          ? ''
          : post(
              `${path}/disable`,
              `<input type="hidden" name="disabled" value="${a.disabled_at ? '0' : '1'}"><button type="submit" class="secondary small" aria-label="${e(`${a.disabled_at ? t.accounts.enable : t.accounts.disable}: ${a.username}`)}">${e(
                a.disabled_at ? t.accounts.enable : t.accounts.disable,
              )}</button>`,
            ),
        post(
          `${path}/password`,
          `<button type="submit" class="secondary small" aria-label="${e(`${t.accounts.reset}: ${a.username}`)}">${e(t.accounts.reset)}</button>`,
        ),
      ].join(''),
    ];
  });
  const body = `<h1>${e(t.accounts.title)}</h1>
${extra.notice ? `<p class="notice" role="status">${e(extra.notice)}</p>` : ''}
${extra.secret ? `<p class="notice" role="status">${e(extra.secret.label)} <span class="secret">${e(extra.secret.value)}</span></p>` : ''}
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
<section>${table([t.fields.user, t.fields.role, t.fields.unit, t.fields.status, t.fields.action], rows)}</section>
<section aria-labelledby="create-heading">
<h2 id="create-heading">${e(t.accounts.create)}</h2>
${post(
  'studio/accounts',
  `<div class="row">
<div><label for="acc-user">${e(t.fields.user)}</label><input id="acc-user" name="user" required minlength="3" maxlength="40" autocomplete="off" pattern="[A-Za-z0-9._\\-]{3,40}"></div>
<div><label for="acc-name">${e(t.fields.name)}</label><input id="acc-name" name="name" required maxlength="200"></div>
</div>
<div class="row">
<div><label for="acc-password">${e(t.fields.password)}</label><input id="acc-password" name="password" type="password" required minlength="12" autocomplete="new-password" aria-describedby="acc-password-hint"><p class="hint" id="acc-password-hint">${e(t.accounts.passwordHint)}</p></div>
<div><label for="acc-role">${e(t.fields.role)}</label><select id="acc-role" name="role">${options(
    ROLES.map((r) => [r, t.roles[r]] as [string, string]),
    'editor',
  )}</select></div>
<div><label for="acc-unit">${e(t.fields.unit)}</label><select id="acc-unit" name="unit" aria-describedby="acc-unit-hint">${options([['', t.common.none], ...units.map((u) => [u.name, u.name] as [string, string])], '')}</select><p class="hint" id="acc-unit-hint">${e(t.accounts.unitHint)}</p></div>
</div>
<div class="actions"><button type="submit">${e(t.accounts.create)}</button></div>`,
)}
</section>`;
  p.html(status, { title: t.accounts.title, current: 'accounts', body });
}

async function accountOr404(p: Page) {
  const account = await accountByUsername(p.ctx.db, p.params.user ?? '');
  if (!account) throw new HttpError(404, 'not_found', 'no such account');
  return account;
}

export function accountRoutes(ctx: StudioContext): Route[] {
  const { db } = ctx;
  return [
    studioPage(ctx, 'GET', '/studio/accounts', (p) => render(p, 200), { roles: ADMIN }),
    studioPage(
      ctx,
      'POST',
      '/studio/accounts',
      async (p) => {
        const { t } = p;
        const parsed = AccountRequestSchema.safeParse({
          user: p.form.get('user'),
          name: p.form.get('name'),
          password: p.form.get('password'),
          role: p.form.get('role'),
          unit: p.form.get('unit') || undefined,
        });
        if (!parsed.success) {
          const field = parsed.error.issues[0]?.path[0];
          return render(p, 400, {
            alert:
              field === 'user'
                ? t.accounts.badUser
                : field === 'name'
                  ? t.accounts.badName
                  : field === 'password'
                    ? t.accounts.weak
                    : t.errors.badRequest,
          });
        }
        try {
          const made = await db.tx(async (q) => {
            const account = await createAccount(q, parsed.data);
            await audit(q, actorOf(p.actor.account), {
              action: 'account_create',
              subject: `account:${account.username}`,
              after: publicAccount(account),
            });
            return account;
          });
          await render(p, 200, { notice: t.accounts.created(made.username) });
        } catch (error) {
          if (!(error instanceof AccountError)) throw error;
          await render(p, error.status, { alert: accountProblem(t, error) });
        }
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/accounts/:user/disable',
      async (p) => {
        const account = await accountOr404(p);
        const disabled = p.form.get('disabled') === '1';
        // Locking oneself out would leave the agency without this admin until someone else helps.
        if (account.id === p.actor.account.id) return render(p, 409, { alert: p.t.accounts.self });
        await db.tx(async (q) => {
          await setDisabled(q, account.id, disabled);
          await audit(q, actorOf(p.actor.account), {
            action: disabled ? 'account_disable' : 'account_enable',
            subject: `account:${account.username}`,
          });
        });
        await render(p, 200, {
          notice: disabled ? p.t.accounts.disabledDone(account.username) : p.t.accounts.enabledDone(account.username),
        });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/accounts/:user/password',
      async (p) => {
        const account = await accountOr404(p);
        const password = randomBytes(12).toString('base64url');
        await db.tx(async (q) => {
          await setPassword(q, account.id, password);
          // The log says that it happened and who did it, never the password.
          await audit(q, actorOf(p.actor.account), { action: 'account_password', subject: `account:${account.username}` });
        });
        await render(p, 200, { secret: { label: p.t.accounts.resetDone(account.username), value: password } });
      },
      { roles: ADMIN },
    ),
  ];
}
