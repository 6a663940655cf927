import type { Route } from '../../../http';
import { loadRoster, MAX_ROSTER_LINES, rosterSize, type RosterResult } from '../../../tally/members';
import { audit } from '../../audit';
import type { StudioContext } from '../../context';
import { actorOf } from '../../posts';
import { csrfField, e, table } from '../html';
import type { Dict } from '../i18n';
import { studioPage, type Page } from '../web';

// "Daftar pegawai": the personnel list (NIP, name, unit) from the agency's HR system. Whether
// one is loaded changes who can enrol, so the page says which is the case in plain words; an
// upload answers line by line what was added, updated or refused and why.

const ADMIN = ['admin'] as const;

/** loadRoster's reasons (English, for the API) in the page's words; anything new as it is. */
function reasonIn(t: Dict, reason: string): string {
  const r = t.roster.reasons;
  const nip = /^invalid NIP \((.*)\)$/.exec(reason);
  if (nip) return r.nip(nip[1]!);
  const unit = /^unknown unit "(.*)"$/.exec(reason);
  if (unit) return r.unit(unit[1]!);
  if (reason === 'no name') return r.noName;
  if (reason === 'name over 200 characters') return r.longName;
  if (reason === 'NIP listed twice') return r.twice;
  return reason;
}
const ROSTER_BYTES = 20 * 1024 * 1024;

async function render(p: Page, status: number, extra: { result?: RosterResult; alert?: string } = {}): Promise<void> {
  const { t, ctx } = p;
  const size = await rosterSize(ctx.db);
  const r = extra.result;
  const result = r
    ? `<section aria-labelledby="result-heading" role="status">
<h2 id="result-heading">${e(t.roster.result)}</h2>
<dl class="meta-list"><dt>${e(t.roster.added)}</dt><dd>${r.added}</dd><dt>${e(t.roster.updated)}</dt><dd>${r.updated}</dd><dt>${e(t.roster.removed)}</dt><dd>${r.removed}</dd><dt>${e(t.roster.refused)}</dt><dd>${r.refused.length}</dd></dl>
${
  r.refused.length
    ? table(
        [t.roster.line, t.roster.reason],
        r.refused.slice(0, 1000).map((x) => [String(x.line), e(reasonIn(t, x.reason))]),
        [0],
      )
    : ''
}
</section>`
    : '';
  const body = `<h1>${e(t.roster.title)}</h1>
<p class="${size > 0 ? 'notice' : 'warn'}">${e(size > 0 ? t.roster.loaded(size) : t.roster.notLoaded)}</p>
${extra.alert ? `<p class="alert" role="alert">${e(extra.alert)}</p>` : ''}
${result}
<section aria-labelledby="upload-heading">
<h2 id="upload-heading">${e(t.roster.upload)}</h2>
<p class="muted" id="roster-format">${e(t.roster.format)}</p>
<form method="post" action="${e(`${p.root}studio/roster`)}" enctype="multipart/form-data">
${csrfField(p.actor.csrf)}
<label for="roster-file">${e(t.roster.file)}</label>
<input type="file" id="roster-file" name="roster" accept=".csv,text/csv,text/plain" aria-describedby="roster-format">
<label for="roster-text">${e(t.roster.paste)}</label>
<textarea id="roster-text" name="text" rows="6" spellcheck="false" aria-describedby="roster-format"></textarea>
<p><label class="inline"><input type="checkbox" name="replace" value="1"> ${e(t.roster.replace)}</label></p>
<div class="actions"><button type="submit">${e(t.roster.upload)}</button></div>
</form>
</section>`;
  p.html(status, { title: t.roster.title, current: 'roster', body });
}

export function rosterRoutes(ctx: StudioContext): Route[] {
  return [
    studioPage(ctx, 'GET', '/studio/roster', (p) => render(p, 200), { roles: ADMIN }),
    studioPage(
      ctx,
      'POST',
      '/studio/roster',
      async (p) => {
        const file = p.form.files.get('roster');
        if (file?.tooLarge) return render(p, 413, { alert: p.t.errors.tooLarge });
        const text = file && file.size > 0 ? file.bytes.toString('utf8') : p.form.get('text');
        if (!text.trim()) return render(p, 400, { alert: p.t.roster.empty });
        let result: RosterResult;
        try {
          result = await ctx.db.tx(async (q) => {
            const r = await loadRoster(q, text, { replace: p.form.get('replace') === '1' });
            await audit(q, actorOf(p.actor.account), {
              action: 'roster_upload',
              subject: 'roster',
              after: { added: r.added, updated: r.updated, removed: r.removed, refused: r.refused.length },
            });
            return r;
          });
        } catch (error) {
          // loadRoster refuses a file past its line limit with a plain Error of this message.
          if (error instanceof Error && /^at most \d+ lines$/.test(error.message))
            return render(p, 400, { alert: `${p.t.roster.failed} (${MAX_ROSTER_LINES})` });
          throw error;
        }
        await render(p, 200, { result });
      },
      {
        roles: ADMIN,
        body: {
          max: ROSTER_BYTES,
          multipart: { fieldBytes: ROSTER_BYTES, fileBytes: ROSTER_BYTES, totalBytes: ROSTER_BYTES * 2 + 64 * 1024, parts: 10 },
        },
      },
    ),
  ];
}
