import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { _resetHistoryDbForTests } from '@/utils/history/db';
import { deleteHistory } from '@/utils/history/delete';
import { markRejected, markSynced } from '@/utils/history/marks';
import { countBySync, pendingEvents, recentEvents } from '@/utils/history/queries';
import { makeShareEvent, recordShare } from '@/utils/history/record';
import { ItemSchema } from '@/utils/protocol/feed';
import { backoffMs, BACKOFF, retryAfterMs } from '@/utils/sync/backoff';
import { drainOutbox, READ_AHEAD, type SyncDeps, type SyncStatus } from '@/utils/sync/drain';

const item = ItemSchema.parse({ id: 'panen', title: 'Panen raya' });
const feedUrl = 'https://pemkab.example/siar/feed.json';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  _resetHistoryDbForTests();
});

async function record(n: number) {
  for (let i = 0; i < n; i++)
    await recordShare({ item, feedUrl, platform: 'x', action: i % 2 ? 'posted' : 'inserted' }, new Date(Date.UTC(2026, 10, 21, 1, 0, i)));
}

type Handler = (body: { shares: { id: string }[] }, call: number) => Response | Promise<Response> | 'throw';

/** A scripted tally: each call gets the parsed body; records every id it was sent. */
function tally(handler: Handler) {
  const sent: string[][] = [];
  const fetchImpl = (async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { shares: { id: string }[] };
    sent.push(body.shares.map((s) => s.id));
    const r = await handler(body, sent.length);
    if (r === 'throw') throw new TypeError('Failed to fetch');
    return r;
  }) as typeof fetch;
  return { fetchImpl, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const acceptAll: Handler = (b) => json(200, { accepted: b.shares.map((s) => s.id), duplicate: [], rejected: [] });

function deps(fetchImpl: typeof fetch, now = 1_000_000): SyncDeps {
  return {
    tallyUrl: 'https://tally.example/siar/',
    token: 'tok',
    fetch: fetchImpl,
    pending: pendingEvents,
    markSynced,
    markRejected,
    now: () => now,
    random: () => 0.5,
  };
}
const fresh: SyncStatus = { failures: 0 };

/** The outbox in memory (the drain's own logic, without IndexedDB's time): ids in order. */
function memoryOutbox(n: number) {
  const state = new Map<string, 'pending' | 'synced' | 'rejected'>();
  const events = Array.from({ length: n }, (_, i) => {
    const e = makeShareEvent({ item, feedUrl, platform: 'x', action: 'inserted' }, new Date(Date.UTC(2026, 10, 21, 1, 0, 0, i)));
    state.set(e.id, 'pending');
    return e;
  });
  const reads: number[] = [];
  const set = (ids: readonly string[], to: 'synced' | 'rejected') => {
    let k = 0;
    for (const id of ids) if (state.get(id) === 'pending' && (state.set(id, to), true)) k++;
    return Promise.resolve(k);
  };
  const deps: Pick<SyncDeps, 'pending' | 'markSynced' | 'markRejected'> = {
    pending: async (limit) => {
      const got = events.filter((e) => state.get(e.id) === 'pending').slice(0, limit);
      reads.push(got.length);
      return got;
    },
    markSynced: (ids) => set(ids, 'synced'),
    markRejected: (r) =>
      set(
        r.map((x) => x.id),
        'rejected',
      ),
  };
  const count = () => {
    const out: Record<string, number> = {};
    for (const v of state.values()) out[v] = (out[v] ?? 0) + 1;
    return { pending: 0, ...out };
  };
  return { deps, reads, count };
}

describe('outbox drain', () => {
  it('sends in batches of at most 500 and marks only what came back accepted or duplicate', async () => {
    await record(1203);
    const t = tally((b, call) =>
      call === 2
        ? json(200, { accepted: b.shares.slice(1).map((s) => s.id), duplicate: [b.shares[0]!.id], rejected: [] })
        : acceptAll(b, call),
    );
    const r = await drainOutbox(deps(t.fetchImpl), fresh);
    expect(t.sent.map((s) => s.length)).toEqual([500, 500, 203]);
    expect(new Set(t.sent.flat()).size).toBe(1203);
    expect(r).toMatchObject({ accepted: 1202, duplicate: 1, rejected: 0 });
    expect(await countBySync()).toEqual({ pending: 0, synced: 1203, rejected: 0 });
    expect(r.status).toEqual({ failures: 0, lastSuccessAt: 1_000_000 });
  });

  it('keeps rejected events with their reason and never resends them', async () => {
    await record(3);
    const t = tally((b) =>
      json(200, {
        accepted: [b.shares[0]!.id, b.shares[1]!.id],
        duplicate: [],
        rejected: [{ id: b.shares[2]!.id, reason: 'unknown item' }],
      }),
    );
    await drainOutbox(deps(t.fetchImpl), fresh);
    expect(await countBySync()).toEqual({ pending: 0, synced: 2, rejected: 1 });
    expect((await recentEvents(10)).find((e) => e.sync === 'rejected')?.rejectReason).toBe('unknown item');
    await drainOutbox(deps(t.fetchImpl), fresh);
    expect(t.sent).toHaveLength(1);
  });

  it('401: stops, asks to enrol again, keeps everything pending', async () => {
    await record(4);
    const t = tally(() => json(401, { error: 'unauthorized', message: 'revoked' }));
    const r = await drainOutbox(deps(t.fetchImpl), fresh);
    expect(r.status.needsEnrol).toBe(true);
    expect(r.status.lastError?.code).toBe('unauthorized');
    expect(r.status.nextAttemptAt).toBeUndefined();
    expect(await countBySync()).toEqual({ pending: 4, synced: 0, rejected: 0 });
  });

  it('lets go of the body of every answer it does not read (429, 503, 401, 413, 500), so the connection is free', async () => {
    for (const status of [429, 503, 401, 413, 500]) {
      let cancelled = 0;
      const body = () =>
        new ReadableStream({
          pull: (c) => c.enqueue(new TextEncoder().encode('{"error":"x","message":"y"}')),
          cancel: () => void cancelled++,
        });
      const fetchImpl = (async () => new Response(body(), { status, headers: { 'retry-after': '5' } })) as typeof fetch;
      const events = memoryOutbox(1);
      await drainOutbox({ ...deps(fetchImpl), ...events.deps }, fresh);
      expect(cancelled, `status ${status}`).toBeGreaterThan(0);
    }
  });

  it('a reply whose body stalls after its headers ends at the deadline as a timeout, events kept', async () => {
    await record(2);
    const fetchImpl = (async (_url: string, init?: RequestInit) => {
      // Headers now, a body that never comes; the request's signal ends it, as a browser's does.
      const stalled = new ReadableStream({
        start: (c) => init?.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError'))),
      });
      return new Response(stalled, { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const r = await drainOutbox({ ...deps(fetchImpl), timeoutMs: 20 }, fresh);
    expect(r.status.lastError?.code).toBe('timeout');
    expect(await countBySync()).toEqual({ pending: 2, synced: 0, rejected: 0 });
  });

  it('413: splits the batch until it fits; a single event that never fits is kept as rejected', async () => {
    await record(8);
    const t = tally((b) => (b.shares.length > 3 ? json(413, { error: 'too_large', message: '' }) : acceptAll(b, 0)));
    await drainOutbox(deps(t.fetchImpl), fresh);
    expect(await countBySync()).toEqual({ pending: 0, synced: 8, rejected: 0 });
    expect(t.sent.map((s) => s.length)).toEqual([8, 4, 2, 2, 4, 2, 2]);

    await record(1);
    const never = tally(() => json(413, { error: 'too_large', message: '' }));
    await drainOutbox(deps(never.fetchImpl), fresh);
    expect(await countBySync()).toEqual({ pending: 0, synced: 8, rejected: 1 });
  });

  it.each([
    [429, '120', 120_000],
    [503, '7', 7_000],
    [503, 'Sat, 21 Nov 2026 00:00:30 GMT', 30_000],
  ])('%i honours Retry-After %s', async (status, header, wait) => {
    await record(2);
    const now = Date.parse('Sat, 21 Nov 2026 00:00:00 GMT');
    const t = tally(() => json(status, { error: 'busy', message: '' }, { 'retry-after': header }));
    const r = await drainOutbox(deps(t.fetchImpl, now), fresh);
    expect(r.status.nextAttemptAt).toBe(now + wait);
    expect(r.status.lastError).toMatchObject({ code: 'rate_limited', status });
    expect((await countBySync()).pending).toBe(2);
  });

  it.each([
    ['a network error', (): 'throw' => 'throw', 'network'],
    ['a 500', () => json(500, { error: 'x', message: '' }), 'http'],
    ['a 502', () => new Response('<html>Bad Gateway</html>', { status: 502 }), 'http'],
    ['a reply that is not JSON', () => new Response('oops', { status: 200 }), 'bad_reply'],
    ['a reply of the wrong shape', () => json(200, { ok: true }), 'bad_reply'],
    ['a reply that leaves ids out', () => json(200, { accepted: [], duplicate: [], rejected: [] }), 'bad_reply'],
  ])('%s: backs off with jitter and keeps events pending', async (_n, h, code) => {
    await record(3);
    const t = tally(h as Handler);
    const r1 = await drainOutbox(deps(t.fetchImpl, 0), fresh);
    expect(r1.status.lastError?.code).toBe(code);
    expect(r1.status.failures).toBe(1);
    expect(r1.status.nextAttemptAt).toBe(backoffMs(1, () => 0.5));
    const r2 = await drainOutbox(deps(t.fetchImpl, 0), r1.status);
    expect(r2.status.failures).toBe(2);
    expect(r2.status.nextAttemptAt).toBe(backoffMs(2, () => 0.5));
    expect(await countBySync()).toEqual({ pending: 3, synced: 0, rejected: 0 });
    // Then the tally is back: all go, once.
    const ok = tally(acceptAll);
    const r3 = await drainOutbox(deps(ok.fetchImpl, 5), r2.status);
    expect(r3.status).toEqual({ failures: 0, lastSuccessAt: 5 });
    expect(await countBySync()).toEqual({ pending: 0, synced: 3, rejected: 0 });
  });

  it('ignores ids in a reply that were not in the batch', async () => {
    await record(1);
    const t = tally((b) =>
      json(200, { accepted: [...b.shares.map((s) => s.id), '00000000-0000-4000-8000-000000000000'], duplicate: [], rejected: [] }),
    );
    const r = await drainOutbox(deps(t.fetchImpl), fresh);
    expect(r.accepted).toBe(1);
  });

  it('reads the outbox ahead, not once per batch, and never finds an answered event pending', async () => {
    const box = memoryOutbox(1203);
    const t = tally(acceptAll);
    await drainOutbox({ ...deps(t.fetchImpl), ...box.deps }, fresh);
    // One read of everything (READ_AHEAD is more than 1,203), one that finds nothing left.
    expect(box.reads).toEqual([1203, 0]);
    expect(t.sent.map((s) => s.length)).toEqual([500, 500, 203]);
    expect(new Set(t.sent.flat()).size).toBe(1203);
    expect(box.count()).toEqual({ pending: 0, synced: 1203 });
  });

  it('marks of a reply are written before the outbox is read again or the drain returns', async () => {
    const box = memoryOutbox(READ_AHEAD + 700);
    const t = tally(acceptAll);
    let marksDone = 0;
    const d = { ...deps(t.fetchImpl), ...box.deps };
    d.markSynced = async (ids, at) => {
      // A slow write: the next batch goes out meanwhile.
      await new Promise((r) => setTimeout(r, 5));
      marksDone++;
      return box.deps.markSynced(ids, at);
    };
    d.pending = async (limit) => {
      // Every reply so far is marked when the outbox is read.
      expect(marksDone).toBe(t.sent.length);
      return box.deps.pending(limit);
    };
    await drainOutbox(d, fresh);
    expect(marksDone).toBe(12);
    expect(t.sent.flat()).toHaveLength(READ_AHEAD + 700);
    expect(new Set(t.sent.flat()).size).toBe(READ_AHEAD + 700);
    expect(box.count()).toEqual({ pending: 0, synced: READ_AHEAD + 700 });
  });

  it('a mark that fails ends the drain with its error; the unmarked events stay pending', async () => {
    const box = memoryOutbox(700);
    const t = tally(acceptAll);
    const d = { ...deps(t.fetchImpl), ...box.deps };
    let call = 0;
    d.markSynced = async (ids, at) => {
      if (++call === 1) throw new Error('QuotaExceededError');
      return box.deps.markSynced(ids, at);
    };
    await expect(drainOutbox(d, fresh)).rejects.toThrow('QuotaExceededError');
    // The first batch's marks were never written (nor any after them): those events are sent
    // again next time (the tally answers them duplicate) and only then marked.
    const left = box.count().pending;
    expect(left).toBeGreaterThanOrEqual(500);
    const again = tally((b) => json(200, { accepted: [], duplicate: b.shares.map((s) => s.id), rejected: [] }));
    const r = await drainOutbox({ ...deps(again.fetchImpl), ...box.deps }, fresh);
    expect(r).toMatchObject({ accepted: 0, duplicate: left });
    expect(box.count()).toEqual({ pending: 0, synced: 700 });
  });

  it('sends nothing with an empty outbox', async () => {
    const t = tally(acceptAll);
    const r = await drainOutbox(deps(t.fetchImpl), { failures: 2, nextAttemptAt: 5 });
    expect(t.sent).toHaveLength(0);
    expect(r.status).toEqual({ failures: 2 });
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and has jitter', () => {
    expect(backoffMs(1, () => 1)).toBe(BACKOFF.baseMs);
    expect(backoffMs(2, () => 1)).toBe(BACKOFF.baseMs * 2);
    expect(backoffMs(30, () => 1)).toBe(BACKOFF.capMs);
    expect(backoffMs(3, () => 0.25)).toBe(BACKOFF.baseMs);
    expect(backoffMs(1, () => 0)).toBe(1000);
  });

  it('reads Retry-After as seconds or a date, capped to a day', () => {
    expect(retryAfterMs('5', 0)).toBe(5000);
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs('999999', 0)).toBe(BACKOFF.maxRetryAfterMs);
  });
});

describe('deleting history', () => {
  it('keeps events the tally has not counted yet', async () => {
    await record(4);
    const [a, b] = (await pendingEvents(2)).map((e) => e.id);
    await markSynced([a!], 1);
    await markRejected([{ id: b!, reason: 'x' }], 1);
    expect(await deleteHistory()).toBe(2);
    expect(await countBySync()).toEqual({ pending: 2, synced: 0, rejected: 0 });
    expect(await deleteHistory({ includePending: true })).toBe(2);
  });
});
