// @vitest-environment node
// A bounded load test on loopback (issue 11, "No request can stall the others"): 50 enrolled
// members send their events at once, each through the extension's own outbox (utils/sync/drain.ts:
// batches, Retry-After on 429/503, a resend of events whose answer was "lost"), while one more
// member floods GET v1/me/summary and 1 MiB bodies of nested `[`, and a reader polls the feed.
// Every legitimate request gets an answer, nothing is lost, nothing is counted twice. The figures
// are printed, never timed. On SQLite and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import type { ShareEvent } from '../../utils/history/types';
import { makeShareEvent } from '../../utils/history/record';
import { parseFeedText, type Item } from '../../utils/protocol/feed';
import { SummarySchema, type ShareAction } from '../../utils/protocol/tally';
import { drainOutbox, type SyncStatus } from '../../utils/sync/drain';
import { BACKENDS, KOMINFO, DINKES, startAgency, type Backend, type Harness } from '../support/agency';
import { sleep } from './server-support/http';

const MEMBERS = 50;
/** Events each member records, in waves sent one after another (7 in all). */
const WAVES = [3, 2, 2];
/** Retry-After is honoured, but a test waits at most this long. */
const MAX_WAIT_MS = 200;
const PLATFORMS = ['x', 'facebook', 'whatsapp', 'telegram'] as const;

interface Figures {
  requests: number;
  statuses: Record<string, number>;
  networkErrors: string[];
}

/** "fetch failed" says nothing: the cause (ECONNRESET, UND_ERR_SOCKET, …) says what went wrong. */
function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = String((error as Error)?.message ?? error);
  return cause ? `${message} (${cause.code ?? ''} ${cause.message ?? ''})`.trim() : message;
}

function counted(figures: Figures): typeof fetch {
  return async (input, init) => {
    figures.requests++;
    try {
      const res = await fetch(input, init);
      figures.statuses[res.status] = (figures.statuses[res.status] ?? 0) + 1;
      return res;
    } catch (error) {
      figures.networkErrors.push(describeError(error));
      throw error;
    }
  };
}

/** One member's browser: its history (the outbox) and the sync loop the background runs. */
class Browser {
  readonly events: ShareEvent[] = [];
  status: SyncStatus = { failures: 0 };
  syncs = 0;

  constructor(
    readonly token: string,
    private readonly tallyUrl: string,
    private readonly send: typeof fetch,
  ) {}

  record(item: Item, feedUrl: string, platform: string, action: ShareAction): void {
    this.events.push(makeShareEvent({ item, feedUrl, platform, action }, new Date()));
  }

  /** Syncs until nothing is pending, waiting as the outbox says (capped small). */
  async syncAll(): Promise<void> {
    for (let round = 0; this.events.some((e) => e.sync === 'pending'); round++) {
      if (round > 200) throw new Error('the outbox never emptied');
      const wait = (this.status.nextAttemptAt ?? 0) - Date.now();
      if (wait > 0) await sleep(Math.min(wait, MAX_WAIT_MS));
      this.syncs++;
      const report = await drainOutbox(
        {
          tallyUrl: this.tallyUrl,
          token: this.token,
          fetch: this.send,
          pending: async (limit) => this.events.filter((e) => e.sync === 'pending').slice(0, limit),
          markSynced: async (ids, at) => {
            for (const e of this.events) if (ids.includes(e.id)) Object.assign(e, { sync: 'synced', syncedAt: at });
          },
          markRejected: async (refused) => {
            for (const r of refused) {
              const e = this.events.find((x) => x.id === r.id);
              if (e) Object.assign(e, { sync: 'rejected', rejectReason: r.reason });
            }
          },
          now: Date.now,
          timeoutMs: 30_000,
        },
        this.status,
      );
      this.status = report.status;
      if (this.status.needsEnrol) throw new Error('the tally refused the token');
    }
  }

  /** The browser closed before it stored the answer: these events go again. */
  forgetAnswers(count: number): string[] {
    const again = this.events.filter((e) => e.sync === 'synced').slice(0, count);
    for (const e of again) e.sync = 'pending';
    return again.map((e) => e.id);
  }
}

async function answered(h: Harness, path: string, init: RequestInit, figures: Figures): Promise<number> {
  figures.requests++;
  try {
    const res = await h.call(path, init);
    await res.arrayBuffer();
    figures.statuses[res.status] = (figures.statuses[res.status] ?? 0) + 1;
    return res.status;
  } catch (error) {
    figures.networkErrors.push(describeError(error));
    return 0;
  }
}

describe.each(BACKENDS)('under load on %s', (backend: Backend) => {
  it('50 members at once, one flooding: every request answered, nothing lost, nothing counted twice', async () => {
    // A small burst (3) but a quick refill (10 a second) per member: a member's fourth request in
    // a row may be told 429 and comes back as the outbox says, which the test keeps short. The
    // flooder's own bucket runs dry — that is the point of a limit per member.
    // The 50 browsers share one address here (127.0.0.1); in the field each has its own, or sits
    // behind a proxy the server trusts. With the default cap of 100 connections per address they
    // were sometimes refused: their fetch pool had up to 100 sockets open at once. The cap itself is
    // tested in security-server.test.ts.
    const h = await startAgency(backend, {
      rateLimit: { perMinute: 600, burst: 3 },
      enrollRateLimit: { perMinute: 6000, burst: 500 },
      maxConnectionsPerAddress: 1000,
    });
    try {
      const parsed = parseFeedText(await (await h.call('/feed.json')).text());
      if (!parsed.ok) throw new Error('the demo feed does not parse');
      const items = parsed.feed.items.filter((i) => !i._siar?.expires_at || Date.parse(i._siar.expires_at) > Date.now()).slice(0, 5);
      expect(items.length).toBeGreaterThanOrEqual(3);

      const legit: Figures = { requests: 0, statuses: {}, networkErrors: [] };
      const flood: Figures = { requests: 0, statuses: {}, networkErrors: [] };
      const tallyUrl = `${h.origin}/`;
      const browsers: Browser[] = [];
      for (let i = 0; i < MEMBERS; i += 10) {
        const tokens = await Promise.all(
          Array.from({ length: Math.min(10, MEMBERS - i) }, (_, k) => h.member(i + k + 1, (i + k) % 2 ? DINKES : KOMINFO)),
        );
        for (const token of tokens) browsers.push(new Browser(token, tallyUrl, counted(legit)));
      }
      const flooder = await h.member(MEMBERS + 1);

      // What each member does: a mix of items, platforms and actions, with the same post shared
      // twice on the same platform now and then (one post, two events).
      const plan = (m: number, n: number) => {
        const item = items[(m + n) % items.length]!;
        const platform = PLATFORMS[(m * 3 + n) % PLATFORMS.length]!;
        const action: ShareAction = n % 4 === 3 ? 'copied' : 'posted';
        return { item, platform, action };
      };
      let resent = 0;
      const members = browsers.map(async (b, m) => {
        const first = plan(m, 0);
        let n = 0;
        for (const [w, size] of WAVES.entries()) {
          for (let k = 0; k < size; k++, n++) {
            const { item, platform, action } = plan(m, n);
            // Every fifth member posts the first item again on the same platform.
            if (w === 2 && k === 1 && m % 5 === 0) b.record(first.item, h.feedUrl, first.platform, 'posted');
            else b.record(item, h.feedUrl, platform, action);
          }
          await b.syncAll();
          // After the second and the last wave the answers of two events are "lost": they are
          // sent again, with new events and then alone.
          if (w >= 1) resent += b.forgetAnswers(2).length;
        }
        await b.syncAll();
      });

      const nested: number[] = [];
      const feedReads: number[] = [];
      const wall = '['.repeat(1024 * 1024);
      const nestedBody = async () =>
        nested.push(
          await answered(
            h,
            '/v1/shares',
            { method: 'POST', headers: { authorization: `Bearer ${flooder}`, 'content-type': 'application/json' }, body: wall },
            flood,
          ),
        );
      // The flooder: two nested bodies while its bucket is full (they are read, and refused
      // unparsed), then summaries from three loops and more nested bodies from two, at once.
      const flooding = (async () => {
        await nestedBody();
        await nestedBody();
        await Promise.all([
          ...Array.from({ length: 3 }, async () => {
            for (let i = 0; i < 40; i++) await answered(h, '/v1/me/summary', { headers: { authorization: `Bearer ${flooder}` } }, flood);
          }),
          ...Array.from({ length: 2 }, async () => {
            for (let i = 0; i < 3; i++) await nestedBody();
          }),
        ]);
      })();
      const reader = (async () => {
        for (let i = 0; i < 20; i++) feedReads.push(await answered(h, '/feed.json', {}, legit));
      })();

      await Promise.all([...members, flooding, reader]);

      // Every legitimate request got an answer: no connection refused, reset or timed out, and
      // the feed was served all along.
      expect(legit.networkErrors).toEqual([]);
      expect(feedReads.every((s) => s === 200)).toBe(true);
      expect(Object.keys(legit.statuses).every((s) => ['200', '429', '503'].includes(s))).toBe(true);
      // The flood was answered too, and its nested bodies refused unparsed (or never read, 429).
      expect(flood.networkErrors).toEqual([]);
      expect(nested).toHaveLength(8);
      expect(nested.slice(0, 2)).toEqual([400, 400]);
      expect(nested.every((s) => s === 400 || s === 429 || s === 503)).toBe(true);

      // Nothing lost: every event is synced (its id came back accepted or duplicate), none refused.
      const all = browsers.flatMap((b) => b.events);
      expect(all.filter((e) => e.sync !== 'synced').map((e) => `${e.id} ${e.sync} ${e.rejectReason ?? ''}`)).toEqual([]);
      const ids = new Set(all.map((e) => e.id));
      expect(ids.size).toBe(MEMBERS * WAVES.reduce((a, b) => a + b, 0));
      expect(resent).toBe(MEMBERS * 4);

      // Nothing counted twice: the events, the rollups and every summary agree with the ids.
      const one = async (sql: string) => Number((await h.agency.db.get<{ n: number }>(sql))!.n);
      expect(await one('SELECT COUNT(*) AS n FROM shares')).toBe(ids.size);
      expect(await one('SELECT COALESCE(SUM(events), 0) AS n FROM rollup_unit')).toBe(ids.size);
      expect(await one('SELECT COALESCE(SUM(events), 0) AS n FROM rollup_member')).toBe(ids.size);
      const distinctPosted = new Set(
        browsers.flatMap((b, m) => b.events.filter((e) => e.action === 'posted').map((e) => `${m}\u0000${e.item_id}\u0000${e.platform}`)),
      );
      expect(await one('SELECT COUNT(*) AS n FROM posted_firsts')).toBe(distinctPosted.size);
      expect(await one('SELECT COALESCE(SUM(posted), 0) AS n FROM rollup_unit')).toBe(distinctPosted.size);
      expect(await one('SELECT COALESCE(SUM(posted), 0) AS n FROM rollup_member')).toBe(distinctPosted.size);
      // Some member×item×platform was posted twice: the test would see double counting.
      expect(distinctPosted.size).toBeLessThan(all.filter((e) => e.action === 'posted').length);

      let summed = 0;
      for (const b of browsers) {
        const res = await h.json('GET', '/v1/me/summary', undefined, b.token);
        expect(res.status).toBe(200);
        const summary = SummarySchema.parse(await res.json());
        const mine = new Set(b.events.filter((e) => e.action === 'posted').map((e) => `${e.item_id}\u0000${e.platform}`));
        expect(summary.events).toBe(b.events.length);
        expect(summary.posted).toBe(mine.size);
        const byPlatform: Record<string, number> = {};
        for (const key of mine) {
          const platform = key.split('\u0000')[1]!;
          byPlatform[platform] = (byPlatform[platform] ?? 0) + 1;
        }
        expect(summary.by_platform).toEqual(byPlatform);
        summed += summary.posted;
      }
      expect(summed).toBe(distinctPosted.size);

      console.log(
        `[load ${backend}] members ${MEMBERS}, events ${ids.size} (+${resent} resent), posts ${distinctPosted.size}; ` +
          `legit requests ${legit.requests} ${JSON.stringify(legit.statuses)} (429: ${legit.statuses[429] ?? 0}, 503: ${legit.statuses[503] ?? 0}), ` +
          `syncs ${browsers.reduce((a, b) => a + b.syncs, 0)}; ` +
          `flood requests ${flood.requests} ${JSON.stringify(flood.statuses)} (429: ${flood.statuses[429] ?? 0}, 503: ${flood.statuses[503] ?? 0}), nested bodies ${JSON.stringify(nested)}`,
      );
    } finally {
      await h.close();
    }
  }, 60_000);
});
