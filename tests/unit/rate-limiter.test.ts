// @vitest-environment node
// The per-member rate limit on the hot path: takes that arrive together on SQLite go in one
// transaction, with the same answers as one at a time; PostgreSQL takes each on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database';
import type { Database, Queryable } from '../../server/db/sql';
import { RateLimiter, takeToken } from '../../server/guard/rate';
import { BACKENDS, freshDatabase, type Backend } from '../support/agency';

const LIMIT = { perMinute: 60, burst: 5 };

function counted(db: Database): { db: Database; transactions: () => number } {
  let transactions = 0;
  const proxy = new Proxy(db, {
    get(target, name) {
      if (name === 'tx') {
        return <T>(body: (q: Queryable) => Promise<T>) => {
          transactions++;
          return target.tx(body);
        };
      }
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, transactions: () => transactions };
}

describe.each(BACKENDS)('rate limiter on %s', (backend: Backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase(await freshDatabase(backend));
  });
  afterAll(() => db.close());

  it('answers takes that arrive together as one at a time would: the burst, then the wait', async () => {
    const now = 1_800_000_000_000;
    const watched = counted(db);
    const limiter = new RateLimiter(watched.db);
    const waits = await Promise.all(Array.from({ length: 12 }, () => limiter.take('member:1', LIMIT, now)));
    // Five from the burst, then one a second: the sixth waits a second, and so do the rest (no
    // token is taken by a refused request). SQLite answers in the order they came; PostgreSQL's
    // statements race, so which five get through is theirs to decide.
    const expected = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    expect(backend === 'sqlite' ? waits : [...waits].sort()).toEqual(expected);
    // Another key has its own bucket, even in the same transaction.
    expect(await Promise.all([limiter.take('member:2', LIMIT, now), limiter.take('member:1', LIMIT, now)])).toEqual([0, 1]);
    if (backend === 'sqlite') expect(watched.transactions()).toBeLessThanOrEqual(4);
    else expect(watched.transactions()).toBe(0);
    // The same state as one statement at a time would have left.
    expect(await takeToken(db, 'member:1', LIMIT, now + 1000)).toBe(0);
    expect(await takeToken(db, 'member:1', LIMIT, now + 1000)).toBe(1);
  });

  // Only SQLite groups takes in a transaction.
  it.skipIf(backend !== 'sqlite')('a failing transaction fails its takes, and the next takes go on', async () => {
    let fail = true;
    const flaky = new Proxy(db, {
      get(target, name) {
        if (name === 'tx' && fail) {
          return () => {
            fail = false;
            return Promise.reject(new Error('disk full'));
          };
        }
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const limiter = new RateLimiter(flaky);
    await expect(limiter.take('member:3', LIMIT)).rejects.toThrow('disk full');
    expect(await limiter.take('member:3', LIMIT)).toBe(0);
  });
});
