// @vitest-environment node
// The X post verifier (server/tally/verifier.ts; issue 11, "Verified posts"): an X `posted` event
// whose post_url is under the member's own handle is checked after it is stored, through X's
// oEmbed endpoint — here a stand-in on loopback — and becomes `verified`, `unverified` or `gone`.
// The verifier is driven by hand (`jobs: false`, `agency.verify()`); each test has an agency of
// its own, on SQLite and on PostgreSQL.
import { randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runVerifications } from '../../server/tally/verifier';
import { EnrollResponseSchema, SharesResponseSchema, SummarySchema, type ShareEventWire } from '../../utils/protocol/tally';
import { BACKENDS, DEMO, KOMINFO, nip, startAgency, type Backend, type Harness } from '../support/agency';
import { formLogin } from './server-support/http';
import { startOembed, type OembedStandIn } from './server-support/oembed';

/** A status number of its own for each post. */
const statusId = () => `18${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e6)).padStart(6, '0')}`;
const xUrl = (handle: string, id: string) => `https://x.com/${handle}/status/${id}`;

describe.each(BACKENDS)('the X verifier on %s', (backend: Backend) => {
  let x: OembedStandIn;
  let h: Harness;
  /** What happened, in order: the stand-in's requests and the test's own marks. */
  let log: string[];

  beforeEach(async () => {
    log = [];
    x = await startOembed(log);
    h = await startAgency(backend, { oembedUrl: x.url, jobs: false });
  });
  afterEach(async () => {
    await h?.close();
    await x?.close();
  });

  async function enrolWith(seq: number, handle?: string): Promise<string> {
    const res = await h.json('POST', '/v1/enroll', {
      nip: nip(seq),
      name: `Pegawai ${seq}`,
      ...KOMINFO,
      ...(handle ? { x_handle: handle } : {}),
    });
    expect(res.status).toBe(201);
    return EnrollResponseSchema.parse(await res.json()).token;
  }

  async function post(token: string, events: ShareEventWire[]) {
    const res = await h.json('POST', '/v1/shares', { shares: events }, token);
    expect(res.status).toBe(200);
    const body = SharesResponseSchema.parse(await res.json());
    expect(body.accepted.sort()).toEqual(events.map((e) => e.id).sort());
    return body;
  }

  const verification = async (id: string) =>
    (await h.agency.db.get<{ verification: string | null }>('SELECT verification FROM shares WHERE id = $1', [id]))?.verification;
  const job = (id: string) =>
    h.agency.db.get<{ attempts: number; next_at: string }>('SELECT attempts, next_at FROM verify_jobs WHERE share_id = $1', [id]);
  const summary = async (token: string) => SummarySchema.parse(await (await h.json('GET', '/v1/me/summary', undefined, token)).json());

  it('verifies a post X says the member wrote, asking about exactly that post', async () => {
    const token = await enrolWith(1, '@Budi_S');
    const id = statusId();
    x.answers.set(id, { status: 200, author: 'budi_s' });
    const event = h.share({ post_url: xUrl('budi_s', id) });
    await post(token, [event]);
    expect(await verification(event.id)).toBe('pending');
    expect(await job(event.id)).toMatchObject({ attempts: 0 });

    await h.agency.verify();
    expect(x.requests).toEqual([{ postUrl: xUrl('budi_s', id), omitScript: 'true' }]);
    expect(await verification(event.id)).toBe('verified');
    expect(await job(event.id)).toBeUndefined();
    expect(await summary(token)).toMatchObject({ posted: 1, verified: 1 });
  });

  it("leaves a post unverified when X names another author (a status number copied under one's own handle)", async () => {
    const token = await enrolWith(2, 'budi_s');
    const id = statusId();
    x.answers.set(id, { status: 200, author: 'akun_lain' });
    const event = h.share({ post_url: xUrl('budi_s', id) });
    await post(token, [event]);
    await h.agency.verify();
    expect(x.requests).toHaveLength(1);
    expect(await verification(event.id)).toBe('unverified');
    expect(await summary(token)).toMatchObject({ posted: 1, verified: 0 });
  });

  it('does not ask X at all when the post_url is under another handle, or the member gave none', async () => {
    const withHandle = await enrolWith(3, 'budi_s');
    const without = await enrolWith(4);
    const id = statusId();
    // X would confirm the other account's post: it must not even be asked.
    x.answers.set(id, { status: 200, author: 'akun_lain' });
    const theirs = h.share({ post_url: xUrl('akun_lain', id) });
    const noHandle = h.share({ post_url: xUrl('budi_s', statusId()) });
    await post(withHandle, [theirs]);
    await post(without, [noHandle]);
    expect(await verification(theirs.id)).toBe('unverified');
    expect(await verification(noHandle.id)).toBe('unverified');
    expect(await job(theirs.id)).toBeUndefined();
    expect(await job(noHandle.id)).toBeUndefined();
    await h.agency.verify();
    expect(x.requests).toEqual([]);
    expect((await summary(withHandle)).verified).toBe(0);
    expect((await summary(without)).verified).toBe(0);
  });

  it('marks a post X does not know as gone (404), and one X will not show as unverified (403)', async () => {
    const token = await enrolWith(5, 'budi_s');
    const [gone, hidden] = [statusId(), statusId()];
    x.answers.set(gone, { status: 404 });
    x.answers.set(hidden, { status: 403 });
    const a = h.share({ post_url: xUrl('budi_s', gone) });
    const b = h.share({ post_url: xUrl('budi_s', hidden), item_id: 'kab-contoh-stunting-turun-posyandu' });
    await post(token, [a, b]);
    await h.agency.verify();
    expect(x.requests).toHaveLength(2);
    expect(await verification(a.id)).toBe('gone');
    expect(await verification(b.id)).toBe('unverified');
    expect(await job(a.id)).toBeUndefined();
    expect(await job(b.id)).toBeUndefined();
    expect((await summary(token)).verified).toBe(0);
  });

  it('retries after a 500 with growing waits, then gives up as unverified after the maximum attempts', async () => {
    const token = await enrolWith(6, 'budi_s');
    const id = statusId();
    x.answers.set(id, { status: 500 });
    const event = h.share({ post_url: xUrl('budi_s', id) });
    await post(token, [event]);

    const waits: number[] = [];
    let rounds = 0;
    while ((await verification(event.id)) === 'pending') {
      expect(rounds, 'rounds').toBeLessThan(10);
      if (rounds > 0) {
        // The backoff has not run out; make the job due, as time passing would.
        const { changes } = await h.agency.db.run('UPDATE verify_jobs SET next_at = $2 WHERE share_id = $1', [
          event.id,
          new Date(Date.now() - 1000).toISOString(),
        ]);
        expect(changes).toBe(1);
      }
      const before = Date.now();
      await h.agency.verify();
      rounds++;
      expect(x.requests).toHaveLength(rounds);
      const left = await job(event.id);
      if (left) {
        expect(left.attempts).toBe(rounds);
        waits.push(Date.parse(left.next_at) - before);
        // Not due again at once: a later run of the verifier leaves it alone.
        await h.agency.verify();
        expect(x.requests).toHaveLength(rounds);
      }
    }
    expect(await verification(event.id)).toBe('unverified');
    expect(await job(event.id)).toBeUndefined();
    expect(rounds).toBeGreaterThanOrEqual(3);
    expect(waits.length).toBe(rounds - 1);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]!);
    expect((await summary(token)).verified).toBe(0);
  });

  it("retries when X answers too slowly (past the verifier's timeout)", async () => {
    const token = await enrolWith(7, 'budi_s');
    const id = statusId();
    x.answers.set(id, { delayMs: 30_000 });
    const event = h.share({ post_url: xUrl('budi_s', id) });
    await post(token, [event]);
    await h.agency.verify();
    expect(x.requests).toHaveLength(1);
    expect(await verification(event.id)).toBe('pending');
    expect(await job(event.id)).toMatchObject({ attempts: 1 });
    expect(Date.parse((await job(event.id))!.next_at)).toBeGreaterThan(Date.now());

    // X answers in time at the next attempt.
    x.answers.set(id, { status: 200, author: 'budi_s' });
    await h.agency.db.run('UPDATE verify_jobs SET next_at = $2 WHERE share_id = $1', [event.id, new Date(Date.now() - 1000).toISOString()]);
    await h.agency.verify();
    expect(await verification(event.id)).toBe('verified');
  }, 30_000);

  it("counts each verified post once, in the member's summary and on the dashboard", async () => {
    const token = await enrolWith(8, 'budi_s');
    const other = await enrolWith(9, 'sri_w');
    const ids = [statusId(), statusId(), statusId(), statusId()];
    for (const id of ids.slice(0, 3)) x.answers.set(id, { status: 200, author: 'budi_s' });
    x.answers.set(ids[3]!, { status: 200, author: 'sri_w' });
    const second = 'kab-contoh-stunting-turun-posyandu';
    // The same post shared twice (two links, both real), and another post: two posts, three events.
    await post(token, [
      h.share({ post_url: xUrl('budi_s', ids[0]!) }),
      h.share({ post_url: xUrl('budi_s', ids[1]!) }),
      h.share({ post_url: xUrl('budi_s', ids[2]!), item_id: second }),
    ]);
    await post(other, [h.share({ post_url: xUrl('sri_w', ids[3]!) })]);
    // Two verifiers at once (two server processes): each job is claimed by one of them.
    const results = await Promise.all([h.agency.verify(), runVerifications(h.agency.db, { oembedUrl: x.url })]);
    expect(results[1].verified).toBeLessThanOrEqual(4);
    // A later run finds nothing left to do and changes nothing.
    await h.agency.verify();
    expect(x.requests).toHaveLength(4);
    expect(await summary(token)).toMatchObject({ events: 3, posted: 2, verified: 2 });
    expect(await summary(other)).toMatchObject({ events: 1, posted: 1, verified: 1 });
    const totals = await h.agency.db.get<{ n: number }>('SELECT COALESCE(SUM(posted_verified), 0) AS n FROM rollup_unit');
    expect(Number(totals!.n)).toBe(3);

    const login = await formLogin(h, 'admin', DEMO.admin!.password);
    const page = await (await h.call('/', { headers: { cookie: login.cookie! } })).text();
    const card = /<span>Terverifikasi di X<\/span><strong>([^<]*)<\/strong>/.exec(page);
    expect(card?.[1]).toBe('3');
    // Facebook posts cannot be checked from outside: they stay self-reported, and the page says so.
    expect(page).toContain('Postingan di Facebook tidak dapat diverifikasi dari luar: yang dihitung adalah yang dilihat ekstensi.');
  });

  it('never asks X while POST v1/shares waits: the request is answered first', async () => {
    const token = await enrolWith(10, 'budi_s');
    const events = Array.from({ length: 3 }, () => {
      const id = statusId();
      x.answers.set(id, { status: 200, author: 'budi_s' });
      return h.share({ post_url: xUrl('budi_s', id), item_id: 'kab-contoh-stunting-turun-posyandu' });
    });
    log.push('shares sent');
    const res = await h.json('POST', '/v1/shares', { shares: events }, token);
    log.push(`shares answered ${res.status}`);
    expect(SharesResponseSchema.parse(await res.json()).accepted).toHaveLength(3);
    for (const e of events) expect(await verification(e.id)).toBe('pending');
    log.push('verifier run');
    await h.agency.verify();
    expect(log.slice(0, 3)).toEqual(['shares sent', 'shares answered 200', 'verifier run']);
    expect(log.slice(3).sort()).toEqual(events.map((e) => `oembed ${e.post_url}`).sort());
    for (const e of events) expect(await verification(e.id)).toBe('verified');
  });

  // Found by this suite: two members could give the same handle and both get one post verified.
  // A handle now belongs to one member (409 at enrolment), and a status is verified for one
  // member only, even if a handle changes hands later.
  it('one post on X is verified for one member only, however many claim its handle', async () => {
    const budi = await enrolWith(11, 'budi_s');
    const taken = await h.json('POST', '/v1/enroll', { nip: nip(12), name: 'Peniru', code: KOMINFO.code, x_handle: '@Budi_S' });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: string }).error).toBe('handle_taken');
    const copycat = await enrolWith(12, 'peniru');
    const id = statusId();
    x.answers.set(id, { status: 200, author: 'budi_s' });
    const real = h.share({ post_url: xUrl('budi_s', id) });
    const copied = h.share({ post_url: xUrl('budi_s', id) });
    await post(budi, [real]);
    await h.agency.verify();
    expect(await verification(real.id)).toBe('verified');
    // The handle changes hands afterwards (say the studio corrected a typo): the status stays Budi's.
    await h.agency.db.run("UPDATE members SET x_handle = NULL WHERE x_handle = 'budi_s'");
    await h.agency.db.run("UPDATE members SET x_handle = 'budi_s' WHERE x_handle = 'peniru'");
    await post(copycat, [copied]);
    await h.agency.verify();
    expect(await verification(copied.id)).not.toBe('verified');
    expect((await summary(copycat)).verified).toBe(0);
    expect((await summary(budi)).verified).toBe(1);
  });

  // Found by this suite: a job fired by hand with `jobs: false` armed its own timer.
  it('a job fired by hand with jobs: false does not arm its own timer', async () => {
    await h.agency.verify();
    const timers = (h.agency.jobs as unknown as { timers: Map<string, NodeJS.Timeout> }).timers;
    expect(timers.size).toBe(0);
  });
});
