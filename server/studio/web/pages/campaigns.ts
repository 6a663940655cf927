import { z } from 'zod';
import type { Route } from '../../../http';
import { audit } from '../../audit';
import { createCampaign, listCampaigns, setCampaignArchived } from '../../campaigns';
import type { StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, table } from '../html';
import { studioPage, type Page } from '../web';

// "Kampanye" (admins): the list posts pick their campaign from. People only ever see the display
// name; archived campaigns stay on the posts that have them.

const ADMIN = ['admin'] as const;

async function render(p: Page, status: number, extra: { notice?: string; alert?: string } = {}): Promise<void> {
  const { t, ctx, actor } = p;
  const campaigns = await listCampaigns(ctx.db, true);
  const post = (path: string, inner: string) =>
    `<form method="post" action="${e(`${p.root}${path}`)}">${csrfField(actor.csrf)}${inner}</form>`;
  const rows = campaigns.map((c) => [
    `${e(c.name)}${c.archived_at ? ` <small>(${e(t.campaigns.archived)})</small>` : ''}`,
    `<code>${e(c.slug)}</code>`,
    post(
      `studio/campaigns/${encodeURIComponent(c.slug)}/archive`,
      `<input type="hidden" name="archived" value="${c.archived_at ? '0' : '1'}"><button type="submit" class="secondary small" aria-label="${e(`${c.archived_at ? t.campaigns.restore : t.campaigns.archive}: ${c.name}`)}">${e(
        c.archived_at ? t.campaigns.restore : t.campaigns.archive,
      )}</button>`,
    ),
  ]);
  const body = `<h1>${e(t.campaigns.title)}</h1>
<p class="muted">${e(t.campaigns.intro)}</p>
${extra.notice ? `<p class="notice" role="status">${e(extra.notice)}</p>` : ''}
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
<section>${table([t.campaigns.name, 'ID', t.fields.action], rows)}</section>
<section aria-labelledby="create-heading"><h2 id="create-heading">${e(t.campaigns.create)}</h2>
${post(
  'studio/campaigns',
  `<div class="row"><div><label for="c-name">${e(t.campaigns.name)}</label><input id="c-name" name="name" required maxlength="200"></div>
<div><label for="c-slug">${e(t.campaigns.slug)}</label><input id="c-slug" name="slug" maxlength="64" pattern="[a-z0-9\\-]*"></div>
<div class="shrink"><button type="submit">${e(t.campaigns.create)}</button></div></div>`,
)}
</section>`;
  p.html(status, { title: t.campaigns.title, current: 'campaigns', body });
}

export function campaignRoutes(ctx: StudioContext): Route[] {
  const { db } = ctx;
  return [
    studioPage(ctx, 'GET', '/studio/campaigns', (p) => render(p, 200), { roles: ADMIN }),
    studioPage(
      ctx,
      'POST',
      '/studio/campaigns',
      async (p) => {
        const parsed = z
          .object({ name: z.string().trim().min(1).max(200), slug: z.string().trim().max(64).optional() })
          .safeParse({ name: p.form.get('name'), slug: p.form.get('slug') });
        if (!parsed.success) return render(p, 400, { alert: p.t.campaigns.exists });
        try {
          const made = await db.tx(async (q) => {
            const c = await createCampaign(q, parsed.data.name, parsed.data.slug || undefined);
            await audit(q, actorOf(p.actor.account), { action: 'campaign_create', subject: `campaign:${c.slug}`, after: c });
            return c;
          });
          await render(p, 200, { notice: p.t.campaigns.created(made.name) });
        } catch (error) {
          // createCampaign refuses a taken or malformed id with a plain Error, as the API maps it.
          if (error instanceof Error && !('status' in error)) return render(p, 409, { alert: p.t.campaigns.exists });
          throw error;
        }
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/campaigns/:slug/archive',
      async (p) => {
        const archived = p.form.get('archived') === '1';
        const slug = p.params.slug ?? '';
        await db.tx(async (q) => {
          await setCampaignArchived(q, slug, archived);
          await audit(q, actorOf(p.actor.account), {
            action: archived ? 'campaign_archive' : 'campaign_restore',
            subject: `campaign:${slug}`,
          });
        });
        await render(p, 200);
      },
      { roles: ADMIN },
    ),
  ];
}
