import type { Database, Queryable } from '../db/sql';

// Token buckets kept in the database, so every server process behind a load balancer draws from
// the same bucket: `burst` requests at once, then `perMinute` on average. One statement takes a
// token atomically on SQLite and PostgreSQL alike (an upsert that refills, then spends if it can).

export interface RateLimit {
  perMinute: number;
  burst: number;
}

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!(limit.perMinute > 0) || !(limit.burst >= 1)) {
    throw new Error(`rate limit needs perMinute > 0 and burst ≥ 1, got ${JSON.stringify(limit)}`);
  }
  return limit;
}

// $1 key, $2 burst, $3 now (ms), $4 tokens per ms. `refill` is the bucket after the time passed.
// The casts tell PostgreSQL the parameters' types, which it cannot infer from the arithmetic.
const BURST = 'CAST($2 AS DOUBLE PRECISION)';
const NOW = 'CAST($3 AS BIGINT)';
const PER_MS = 'CAST($4 AS DOUBLE PRECISION)';
const GROWN = `rate_buckets.tokens + (${NOW} - rate_buckets.at) * ${PER_MS}`;
const REFILL = `(CASE WHEN ${GROWN} > ${BURST} THEN ${BURST} ELSE ${GROWN} END)`;
/** A new bucket's row after its first take: `SELECT $1, …` or `VALUES ($1, …)` with the key first. */
export const BUCKET_FIRST_TAKE = `${BURST} - 1, ${NOW}, 1`;
/** The take on a bucket that exists (its `ON CONFLICT (key)` clause), returning `tokens, allowed`. */
export const BUCKET_TAKE = `ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN ${REFILL} >= 1 THEN ${REFILL} - 1 ELSE ${REFILL} END,
    allowed = CASE WHEN ${REFILL} >= 1 THEN 1 ELSE 0 END,
    at = ${NOW}
  RETURNING tokens, allowed`;
const TAKE = `INSERT INTO rate_buckets (key, tokens, at, allowed) VALUES ($1, ${BUCKET_FIRST_TAKE}) ${BUCKET_TAKE}`;

/** Parameters $2–$4 of a take. */
export function takeParams(limit: RateLimit, now: number): [number, number, number] {
  return [limit.burst, now, limit.perMinute / 60_000];
}

/** 0 if the take was allowed, else whole seconds until one would be. */
export function waitAfter(row: { tokens: number; allowed: number } | undefined, limit: RateLimit): number {
  if (!row || Number(row.allowed) === 1) return 0;
  const perMs = limit.perMinute / 60_000;
  return Math.max(1, Math.ceil((1 - Number(row.tokens)) / perMs / 1000));
}

/**
 * Takes one request from `key`'s bucket: 0 if allowed, else whole seconds until it would be.
 * `key` names what is limited (`member:12`, `addr:10.0.0.1`), never a secret.
 */
export async function takeToken(q: Queryable, key: string, limit: RateLimit, now = Date.now()): Promise<number> {
  return waitAfter(await q.get<{ tokens: number; allowed: number }>(TAKE, [key, ...takeParams(limit, now)]), limit);
}

/** Buckets untouched for an hour are full again: the same as no row. */
export async function pruneBuckets(q: Queryable, now = Date.now()): Promise<number> {
  return (await q.run('DELETE FROM rate_buckets WHERE at < $1', [now - 3_600_000])).changes;
}

/** Takes waiting together in one SQLite transaction, at most. */
const TAKES_PER_TRANSACTION = 512;

/**
 * `takeToken` for requests on the hot path. On SQLite each write outside a transaction is a commit
 * of its own, and waits for the transaction being stored: at a thousand requests a second those
 * commits were half the writer's work. Takes that arrive together go in one transaction, in the
 * order they came. PostgreSQL takes each in its own statement (connections work in parallel, and
 * one statement is one round trip).
 */
export class RateLimiter {
  private waiting: { key: string; limit: RateLimit; now: number; done: (wait: number) => void; failed: (e: unknown) => void }[] = [];
  private draining = false;

  constructor(private readonly db: Database) {}

  take(key: string, limit: RateLimit, now = Date.now()): Promise<number> {
    if (this.db.dialect !== 'sqlite') return takeToken(this.db, key, limit, now);
    return new Promise((done, failed) => {
      this.waiting.push({ key, limit, now, done, failed });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const takes = this.waiting.splice(0, TAKES_PER_TRANSACTION);
        try {
          const waits = await this.db.tx(async (q) => {
            const out: number[] = [];
            for (const t of takes) out.push(await takeToken(q, t.key, t.limit, t.now));
            return out;
          });
          takes.forEach((t, i) => t.done(waits[i]!));
        } catch (error) {
          for (const t of takes) t.failed(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
