import type { Queryable } from '../db/sql';

// Guessing is made slow per target, not only per address: a password guessed from a thousand
// addresses, or enrolment codes tried from a botnet, still meet one counter each. After a few
// free failures each further one waits, 30 s and then doubling, up to an hour (a person who
// mistyped five times waits half a minute; a guesser meets hours); a success clears the counter.
// Passing a threshold writes an alert the dashboard shows.

export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 3_600_000;
/** Failure counts that raise an alert (and then every further multiple of the last). */
const ALERT_AT = [20, 100, 1000];
/** A counter with no failure for this long starts over. */
const FORGET_MS = 24 * 3_600_000;

export function waitAfter(failures: number, free = FREE_FAILURES): number {
  if (failures < free) return 0;
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - free, 30));
}

/** A counter, and how many failures it forgives before each further one makes it wait. */
export interface FailureKey {
  key: string;
  /** Default FREE_FAILURES; Infinity: never blocks, only counts and alerts. */
  free?: number;
}

/** Seconds until `key` may try again; 0 if it may now. */
export async function blockedFor(q: Queryable, key: string, now = Date.now()): Promise<number> {
  const row = await q.get<{ blocked_until: string | null }>('SELECT blocked_until FROM failures WHERE key = $1', [key]);
  const until = row?.blocked_until ? Date.parse(row.blocked_until) : 0;
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

export interface FailureAlert {
  kind: string;
  subject: string;
  detail: string;
}

/** Counts a failure for each key; returns the longest wait now imposed, in seconds. */
export async function recordFailure(
  q: Queryable,
  keys: readonly FailureKey[],
  alert: (key: string, count: number) => FailureAlert | undefined,
  now = Date.now(),
): Promise<number> {
  let longest = 0;
  const stamp = new Date(now).toISOString();
  const stale = new Date(now - FORGET_MS).toISOString();
  for (const { key, free } of keys) {
    const row = await q.get<{ count: number }>(
      `INSERT INTO failures (key, count, first_at, last_at, blocked_until) VALUES ($1, 1, $2, $2, NULL)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN failures.last_at < $3 THEN 1 ELSE failures.count + 1 END,
         first_at = CASE WHEN failures.last_at < $3 THEN $2 ELSE failures.first_at END,
         last_at = $2
       RETURNING count`,
      [key, stamp, stale],
    );
    const count = row?.count ?? 1;
    const wait = free === Infinity ? 0 : waitAfter(count, free);
    if (wait > 0) {
      await q.run('UPDATE failures SET blocked_until = $2 WHERE key = $1', [key, new Date(now + wait).toISOString()]);
      longest = Math.max(longest, Math.ceil(wait / 1000));
    }
    const last = ALERT_AT.at(-1)!;
    if (ALERT_AT.includes(count) || (count > last && count % last === 0)) {
      const a = alert(key, count);
      if (a) {
        await q.run('INSERT INTO alerts (at, kind, subject, detail) VALUES ($1, $2, $3, $4)', [stamp, a.kind, a.subject, a.detail]);
      }
    }
  }
  return longest;
}

export async function clearFailures(q: Queryable, key: string): Promise<void> {
  await q.run('DELETE FROM failures WHERE key = $1', [key]);
}

export async function pruneFailures(q: Queryable, now = Date.now()): Promise<number> {
  return (await q.run('DELETE FROM failures WHERE last_at < $1', [new Date(now - FORGET_MS).toISOString()])).changes;
}
