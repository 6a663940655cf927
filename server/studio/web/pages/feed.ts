import { HttpError, send, type Route } from '../../../http';
import { FeedBuildError } from '../../../publish/versions';
import { verifyFeed } from '../../../signing';
import { REVIEWERS, type StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, table } from '../html';
import { displayTime } from '../time';
import { studioPage, type Page } from '../web';

// "Kesehatan feed": what ASN get right now (the version served, since when, how many posts,
// whether its signature verifies, the public key they must hold), what is wrong, every version
// with a restore (admins), and offline signing: the exact pending bytes to download and the
// signature to upload.

const ADMIN = ['admin'] as const;

function signatureValid(body: Buffer, signature: string | null, publicKey: string): boolean | undefined {
  if (!signature) return undefined;
  try {
    return verifyFeed(body, signature, publicKey);
  } catch {
    return false;
  }
}

async function render(p: Page, status: number, extra: { notice?: string; alert?: string } = {}): Promise<void> {
  const { t, ctx } = p;
  const publisher = ctx.publisher;
  const current = await publisher.current();
  const pending = await publisher.pending();
  const versions = await publisher.versions(50);
  const mode = publisher.options.signing.mode;
  const expected = `${ctx.base()}/feed.json`;
  const valid = current ? signatureValid(current.body, current.signature, publisher.publicKey) : undefined;
  const time = (iso: string | null | undefined) => e(iso ? displayTime(iso, ctx.utcOffsetMinutes, t.locale) : t.common.none);

  const warnings: string[] = [];
  if (!current) warnings.push(t.feed.noVersion);
  if (pending) warnings.push(t.feed.pendingWaiting(pending.version));
  if (current && current.feedUrl && current.feedUrl !== expected) warnings.push(t.feed.addressDiffers(current.feedUrl, expected));
  if (valid === false) warnings.push(t.feed.signatureBad);

  const modeRow = `<dt>${e(t.feed.mode)}</dt><dd>${e(mode === 'online' ? t.feed.online : t.feed.offline)}</dd>`;
  const served = current
    ? `<dl class="meta-list">
<dt>${e(t.feed.version)}</dt><dd><strong>${current.version}</strong></dd>
<dt>${e(t.feed.since)}</dt><dd>${time(current.liveAt)}</dd>
<dt>${e(t.feed.issued)}</dt><dd>${time(current.issuedAt)}</dd>
<dt>${e(t.feed.items)}</dt><dd>${current.items.size}</dd>
<dt>${e(t.feed.signature)}</dt><dd>${e(valid === undefined ? t.feed.unsigned : valid ? t.feed.valid : t.feed.invalid)}</dd>
<dt>${e(t.feed.feedAddress)}</dt><dd><span class="key">${e(current.feedUrl || expected)}</span></dd>
${modeRow}
</dl>`
    : `<p class="alert">${e(t.feed.noVersion)}</p><dl class="meta-list">${modeRow}</dl>`;

  const admin = p.actor.account.role === 'admin';
  const rows = versions.map((v) => [
    String(v.version),
    e(t.feed.state[v.state] ?? v.state),
    time(v.issued_at),
    String(v.items),
    `${e(v.reason)}${v.restored_from ? ` <small>(${e(t.feed.restore)} ${v.restored_from})</small>` : ''}`,
    e(v.created_by ?? 'sistem'),
    e(v.signed ? t.common.yes : t.common.no),
    admin && v.state !== 'discarded' && v.state !== 'live' && v.state !== 'pending'
      ? `<a href="${e(`${p.root}studio/feed/versions/${v.version}/restore`)}">${e(t.feed.restore)} ${v.version}</a>`
      : '',
  ]);

  const offline =
    mode === 'offline' || pending
      ? `<section aria-labelledby="offline-heading">
<h2 id="offline-heading">${e(t.feed.offlineTitle)}</h2>
<p>${e(t.feed.offlineSteps)}</p>
${
  pending
    ? `<p><a class="button" href="${e(`${p.root}studio/feed/pending.json`)}" download="feed.json">${e(t.feed.downloadPending(pending.version))}</a></p>
<p>${e(t.feed.signCommand)}: <code>npm run agency -- sign feed.json --key siar-signing-key.pem</code></p>
<form method="post" action="${e(`${p.root}studio/feed/signature`)}">
${csrfField(p.actor.csrf)}
<label for="signature">${e(t.feed.signatureField)}</label>
<textarea id="signature" name="signature" rows="2" required maxlength="200" spellcheck="false" autocomplete="off"></textarea>
<div class="actions"><button type="submit">${e(t.feed.uploadSignature)}</button></div>
</form>`
    : `<p class="muted">${e(t.feed.noPending)}</p>`
}
</section>`
      : '';

  const body = `<h1>${e(t.feed.title)}</h1>
${extra.notice ? `<p class="notice" role="status">${e(extra.notice)}</p>` : ''}
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
<section aria-labelledby="warn-heading">
<h2 id="warn-heading">${e(t.feed.warnings)}</h2>
${warnings.length ? `<ul class="warnings" role="alert">${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : `<p class="notice">${e(t.feed.ok)}</p>`}
</section>
<section aria-labelledby="served-heading">
<h2 id="served-heading">${e(t.feed.served)}</h2>
${served}
<label for="public-key">${e(t.feed.publicKey)}</label>
<input id="public-key" class="key" value="${e(publisher.publicKey)}" readonly aria-describedby="public-key-hint">
<p class="hint" id="public-key-hint">${e(t.feed.publicKeyHint)}</p>
</section>
${offline}
<section aria-labelledby="versions-heading">
<h2 id="versions-heading">${e(t.feed.versions)}</h2>
${table([t.feed.version, t.fields.status, t.feed.issued, t.feed.items, t.feed.reason, t.feed.by, t.feed.signature, ''], rows, [0, 3])}
</section>`;
  p.html(status, { title: t.feed.title, current: 'feed', body });
}

function versionOf(p: Page): number {
  const n = Number(p.params.n);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(404, 'not_found', 'no such version');
  return n;
}

export function feedPageRoutes(ctx: StudioContext): Route[] {
  return [
    studioPage(
      ctx,
      'GET',
      '/studio/feed',
      async (p) => {
        const restored = Number(p.url.searchParams.get('restored') ?? 0);
        const signed = Number(p.url.searchParams.get('signed') ?? 0);
        await render(p, 200, {
          notice: restored > 0 ? p.t.feed.restored(restored) : signed > 0 ? p.t.feed.signatureAccepted(signed) : undefined,
        });
      },
      { roles: REVIEWERS },
    ),
    studioPage(
      ctx,
      'GET',
      '/studio/feed/versions/:n/restore',
      async (p) => {
        const n = versionOf(p);
        const { t } = p;
        const known = (await p.ctx.publisher.versions(1000)).find((v) => v.version === n && v.state !== 'discarded');
        if (!known) throw new HttpError(404, 'not_found', 'no such version');
        p.html(200, {
          title: t.feed.restoreTitle(n),
          current: 'feed',
          body: `<h1>${e(t.feed.restoreTitle(n))}</h1>
<section><p>${e(t.feed.restoreExplain(n))}</p>
<form method="post" action="${e(`${p.root}studio/feed/versions/${n}/restore`)}">${csrfField(p.actor.csrf)}
<div class="actions"><button type="submit" class="danger">${e(t.feed.restoreConfirm(n))}</button> <a class="button secondary" href="${e(`${p.root}studio/feed`)}">${e(t.common.back)}</a></div>
</form></section>`,
        });
      },
      { roles: ADMIN },
    ),
    studioPage(
      ctx,
      'POST',
      '/studio/feed/versions/:n/restore',
      async (p) => {
        const n = versionOf(p);
        try {
          const made = await p.ctx.publisher.restore(n, actorOf(p.actor.account));
          p.redirect(`studio/feed?restored=${made.version}`);
        } catch (error) {
          if (error instanceof FeedBuildError) throw new HttpError(404, 'not_found', error.message);
          throw error;
        }
      },
      { roles: ADMIN },
    ),
    {
      // The exact bytes awaiting a signature: not a page, a file (same session and roles).
      method: 'GET',
      path: '/studio/feed/pending.json',
      handler: async ({ req, res }) => {
        const actor = await ctx.auth.actor(req);
        if (!actor || actor.kind !== 'cookie') throw new HttpError(401, 'unauthorized', 'log in first');
        if (!REVIEWERS.includes(actor.account.role)) throw new HttpError(403, 'forbidden', 'this needs the role approver or admin');
        const pending = await ctx.publisher.pending();
        if (!pending) throw new HttpError(404, 'not_found', 'no version is waiting for a signature');
        send(
          res,
          200,
          {
            'Content-Type': 'application/feed+json; charset=utf-8',
            'Content-Disposition': 'attachment; filename="feed.json"',
            'Cache-Control': 'no-store',
            'Siar-Feed-Version': String(pending.version),
          },
          pending.body,
        );
      },
    },
    studioPage(
      ctx,
      'POST',
      '/studio/feed/signature',
      async (p) => {
        const result = await p.ctx.publisher.acceptSignature(p.form.get('signature').slice(0, 200), actorOf(p.actor.account));
        if (!result.ok) return render(p, 422, { alert: result.version ? p.t.feed.signatureRefused : p.t.feed.noPending });
        p.redirect(`studio/feed?signed=${result.version}`);
      },
      { roles: REVIEWERS },
    ),
  ];
}
