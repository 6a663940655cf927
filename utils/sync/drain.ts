import type { ShareEvent } from '../history/types';
import { toWire } from '../history/record';
import { MAX_REQUEST_BYTES, MAX_SHARES_PER_REQUEST, SharesResponseSchema } from '../protocol/tally';
import { backoffMs, retryAfterMs } from './backoff';

// Draining the outbox to the tally (docs/protocol.md "Share events and the tally"). An event is marked synced only when its id
// comes back `accepted` or `duplicate`; `rejected` keeps it with the reason and never resends it;
// anything else leaves it pending for a later try. Pure apart from the injected dependencies.

export interface SyncStatus {
  /** Do not try before this time (backoff or Retry-After). */
  nextAttemptAt?: number;
  /** Failed attempts in a row, for backoff. */
  failures: number;
  lastSuccessAt?: number;
  lastError?: SyncError & { at: number };
  /** The tally said 401: the user must enrol again. Nothing is sent until then. */
  needsEnrol?: boolean;
  /** The token that got the 401, so a new enrolment (a new token) lifts the stop. */
  needsEnrolToken?: string;
}

export type SyncError =
  | { code: 'network'; detail?: string }
  | { code: 'timeout' }
  | { code: 'http'; status: number }
  | { code: 'rate_limited'; status: number }
  | { code: 'bad_reply' }
  | { code: 'unauthorized' };

export interface SyncDeps {
  tallyUrl: string;
  token: string;
  fetch: typeof fetch;
  pending(limit: number): Promise<ShareEvent[]>;
  markSynced(ids: readonly string[], at: number): Promise<unknown>;
  markRejected(r: readonly { id: string; reason: string }[], at: number): Promise<unknown>;
  now(): number;
  random?(): number;
  timeoutMs?: number;
}

export interface SyncReport {
  status: SyncStatus;
  /** Requests made and events carried, for logs and tests. */
  requests: number;
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
}

/**
 * Pending events read at once, then sent 500 at a time: each read of the `by_sync` index walks
 * the entries the previous marks left behind, so reading per batch made a 10,000-event drain
 * spend seconds reading. Events are still marked only from the tally's replies, each in a check
 * that it is still pending, so reading ahead sends nothing twice.
 */
export const READ_AHEAD = 10 * MAX_SHARES_PER_REQUEST;

type BatchResult = { ok: true } | { ok: false; error: SyncError; retryAt?: number };

export function sharesEndpoint(tallyUrl: string): string {
  return new URL('v1/shares', tallyUrl.endsWith('/') ? tallyUrl : `${tallyUrl}/`).href;
}

/**
 * Sends pending events in batches of at most 500 (and 1 MiB) until none is left or an attempt
 * fails. Returns the new sync status; callers persist it.
 */
export async function drainOutbox(deps: SyncDeps, status: SyncStatus): Promise<SyncReport> {
  const report: SyncReport = { status: { ...status }, requests: 0, sent: 0, accepted: 0, duplicate: 0, rejected: 0 };
  const url = sharesEndpoint(deps.tallyUrl);
  const random = deps.random ?? Math.random;
  // The marks of the last reply, still being written while the next batch is on its way (they
  // are other events). Awaited before the outbox is read again and before returning, so a
  // read never finds an answered event pending and a failed write is never lost.
  let marking: Promise<void> = Promise.resolve();
  let markFailed = false;
  const mark = (work: () => Promise<void>) => {
    const next = marking.then(work);
    // Seen when awaited (below); not reported as unhandled meanwhile.
    next.catch(() => (markFailed = true));
    marking = next;
  };

  const send = async (batch: ShareEvent[]): Promise<BatchResult> => {
    const body = JSON.stringify({ shares: batch.map(toWire) });
    // Split before sending what the tally would refuse as too large.
    if (batch.length > 1 && new TextEncoder().encode(body).byteLength > MAX_REQUEST_BYTES) return split(batch);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deps.timeoutMs ?? 30_000);
    let res: Response;
    try {
      report.requests++;
      report.sent += batch.length;
      res = await deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${deps.token}` },
        body,
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      clearTimeout(timer);
      return {
        ok: false,
        error: controller.signal.aborted ? { code: 'timeout' } : { code: 'network', detail: String((err as Error)?.message ?? err) },
      };
    }
    // The deadline covers the reply's body too (a tally that sends headers and then stalls).
    try {
      return await answer(batch, res, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * An answer's body that is not read is let go of: until then the connection is not free for the
   * next request (Node's fetch), so a browser backing off after many 429s or 503s held a socket
   * each, and a tally capping connections per address turned the next ones away.
   */
  const discard = (res: Response) => void res.body?.cancel().catch(() => undefined);

  const answer = async (batch: ShareEvent[], res: Response, deadline: AbortSignal): Promise<BatchResult> => {
    if (!res.ok) discard(res);
    if (res.status === 401) return { ok: false, error: { code: 'unauthorized' } };
    if (res.status === 413) {
      if (batch.length > 1) return split(batch);
      // One event the tally will never take: keep it, marked, instead of retrying forever.
      const at = deps.now();
      mark(async () => void (await deps.markRejected([{ id: batch[0]!.id, reason: 'too_large' }], at)));
      report.rejected++;
      return { ok: true };
    }
    if (res.status === 429 || res.status === 503) {
      const wait = retryAfterMs(res.headers.get('retry-after'), deps.now());
      return {
        ok: false,
        error: { code: 'rate_limited', status: res.status },
        retryAt: wait !== undefined ? deps.now() + wait : undefined,
      };
    }
    if (!res.ok) return { ok: false, error: { code: 'http', status: res.status } };
    let reply: unknown;
    try {
      reply = await res.json();
    } catch {
      return { ok: false, error: deadline.aborted ? { code: 'timeout' } : { code: 'bad_reply' } };
    }
    const parsed = SharesResponseSchema.safeParse(reply);
    if (!parsed.success) return { ok: false, error: { code: 'bad_reply' } };
    const ours = new Set(batch.map((e) => e.id));
    const done = [...parsed.data.accepted, ...parsed.data.duplicate].filter((id) => ours.has(id));
    const refused = parsed.data.rejected.filter((r) => ours.has(r.id));
    const at = deps.now();
    mark(async () => {
      if (done.length > 0) await deps.markSynced(done, at);
      if (refused.length > 0) await deps.markRejected(refused, at);
    });
    report.accepted += parsed.data.accepted.filter((id) => ours.has(id)).length;
    report.duplicate += parsed.data.duplicate.filter((id) => ours.has(id)).length;
    report.rejected += refused.length;
    // A reply that leaves some of our ids out is not trusted to be complete: they stay pending,
    // and we back off rather than resend them in a tight loop.
    if (done.length + refused.length < batch.length) return { ok: false, error: { code: 'bad_reply' } };
    return { ok: true };
  };

  const split = async (batch: ShareEvent[]): Promise<BatchResult> => {
    const half = Math.ceil(batch.length / 2);
    const first = await send(batch.slice(0, half));
    return first.ok ? send(batch.slice(half)) : first;
  };

  let queue: ShareEvent[] = [];
  for (;;) {
    if (queue.length === 0) {
      await marking;
      queue = await deps.pending(READ_AHEAD);
    }
    // A write that failed (a full disk) stops the drain with its error before more is sent.
    if (markFailed) await marking;
    const batch = queue.splice(0, MAX_SHARES_PER_REQUEST);
    if (batch.length === 0) {
      // Everything pending has an answer: the tally is reachable and we are up to date.
      if (report.requests > 0) report.status = { failures: 0, lastSuccessAt: deps.now() };
      else delete report.status.nextAttemptAt;
      return report;
    }
    const r = await send(batch);
    if (r.ok) continue;
    await marking;
    const now = deps.now();
    const failures = report.status.failures + 1;
    report.status = {
      ...report.status,
      failures,
      lastError: { ...r.error, at: now },
      needsEnrol: r.error.code === 'unauthorized' || undefined,
      nextAttemptAt: r.error.code === 'unauthorized' ? undefined : (r.retryAt ?? now + backoffMs(failures, random)),
    };
    return report;
  }
}
