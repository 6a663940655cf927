import type { Database } from '../db/sql';
import { xPost } from './validate';

// Checking X posts after they were stored, never while a request waits: a `posted` event on X
// whose post_url is under the member's own handle is asked about at X's public oEmbed endpoint.
// The answer must name the same author: oEmbed finds a post by its number alone, so a number
// copied from somebody else's post under one's own handle is caught here.

export type Verdict = 'verified' | 'unverified' | 'gone' | 'retry';

export interface VerifierOptions {
  /** X's oEmbed endpoint; tests use a stand-in on loopback. */
  oembedUrl: string;
  timeoutMs?: number;
  /** Jobs per run. */
  batch?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_OEMBED_URL = 'https://publish.twitter.com/oembed';
const MAX_ATTEMPTS = 6;
const CLAIM_MS = 120_000;

/** What X's answer means for a post claimed by `handle`. */
export async function askX(postUrl: string, handle: string, options: VerifierOptions): Promise<Verdict> {
  const url = new URL(options.oembedUrl);
  url.searchParams.set('url', postUrl);
  url.searchParams.set('omit_script', 'true');
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      headers: { Accept: 'application/json' },
      redirect: 'error',
    });
  } catch {
    return 'retry';
  }
  if (res.status === 404) return 'gone';
  // A protected account or a post X will not embed: it may exist, but nobody can confirm it.
  if (res.status === 403) return 'unverified';
  if (res.status !== 200) return 'retry';
  let body: unknown;
  try {
    const text = await res.text();
    if (text.length > 256 * 1024) return 'unverified';
    body = JSON.parse(text);
  } catch {
    return 'retry';
  }
  const author = (body as { author_url?: unknown } | null)?.author_url;
  if (typeof author !== 'string') return 'unverified';
  const authorHandle = /^https:\/\/(?:www\.)?(?:x|twitter)\.com\/([A-Za-z0-9_]{1,15})\/?$/.exec(author)?.[1];
  return authorHandle?.toLowerCase() === handle.toLowerCase() ? 'verified' : 'unverified';
}

interface Job {
  share_id: string;
  member_id: number;
  item_id: string;
  platform: string;
  post_url: string;
  attempts: number;
}

/** Runs the jobs that are due; any number of processes may do so at once (each claims its jobs). */
export async function runVerifications(db: Database, options: VerifierOptions, now = Date.now()): Promise<Record<Verdict, number>> {
  const done: Record<Verdict, number> = { verified: 0, unverified: 0, gone: 0, retry: 0 };
  const due = await db.all<Job>(
    'SELECT share_id, member_id, item_id, platform, post_url, attempts FROM verify_jobs WHERE next_at <= $1 ORDER BY next_at LIMIT $2',
    [new Date(now).toISOString(), options.batch ?? 50],
  );
  for (const job of due) {
    const claimed = await db.run('UPDATE verify_jobs SET next_at = $2, attempts = attempts + 1 WHERE share_id = $1 AND next_at <= $3', [
      job.share_id,
      new Date(now + CLAIM_MS).toISOString(),
      new Date(now).toISOString(),
    ]);
    if (claimed.changes !== 1) continue;
    const member = await db.get<{ x_handle: string | null }>('SELECT x_handle FROM members WHERE id = $1', [Number(job.member_id)]);
    const claimedHandle = xPost(job.post_url)?.handle;
    let verdict: Verdict =
      member?.x_handle && claimedHandle === member.x_handle.toLowerCase()
        ? await askX(job.post_url, member.x_handle, options)
        : 'unverified';
    if (verdict === 'retry' && job.attempts + 1 >= MAX_ATTEMPTS) verdict = 'unverified';
    if (verdict === 'retry') {
      done.retry++;
      const backoff = 60_000 * 2 ** job.attempts;
      await db.run('UPDATE verify_jobs SET next_at = $2 WHERE share_id = $1', [job.share_id, new Date(now + backoff).toISOString()]);
      continue;
    }
    await db.tx(async (q) => {
      if (verdict === 'verified') {
        // One post on X, one member: a colleague claiming the same status is not verified with it.
        const status = xPost(job.post_url)!.id;
        await q.run('INSERT INTO verified_posts (status_id, member_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
          status,
          Number(job.member_id),
          new Date(now).toISOString(),
        ]);
        const owner = await q.get<{ member_id: number }>('SELECT member_id FROM verified_posts WHERE status_id = $1', [status]);
        if (Number(owner?.member_id) !== Number(job.member_id)) verdict = 'unverified';
      }
      await q.run('UPDATE shares SET verification = $2 WHERE id = $1', [job.share_id, verdict]);
      if (verdict === 'verified') {
        const first = await q.get<{ unit_id: number }>(
          `UPDATE posted_firsts SET verified = 1 WHERE member_id = $1 AND item_id = $2 AND platform = $3 AND verified = 0
           RETURNING unit_id`,
          [Number(job.member_id), job.item_id, job.platform],
        );
        if (first) {
          await q.run('UPDATE rollup_member SET posted_verified = posted_verified + 1 WHERE member_id = $1', [Number(job.member_id)]);
          await q.run('UPDATE rollup_unit SET posted_verified = posted_verified + 1 WHERE unit_id = $1', [Number(first.unit_id)]);
        }
      }
      await q.run('DELETE FROM verify_jobs WHERE share_id = $1', [job.share_id]);
    });
    done[verdict]++;
  }
  return done;
}
