import { storage } from '#imports';
import { markRejected, markSynced } from '../history/marks';
import { pendingEvents } from '../history/queries';
import { drainOutbox, type SyncReport, type SyncStatus } from './drain';
import { getEnrolment } from './enrolment';

// The background's side of syncing: loads the token and status, drains, stores the new status.
// All sync state lives in storage, so a stopped service worker or a restarted browser resumes.

const status = storage.defineItem<SyncStatus>('local:sync', { fallback: { failures: 0 }, version: 1 });
export const getSyncStatus = () => status.getValue();
export const watchSyncStatus = (cb: (s: SyncStatus) => void) => status.watch((v) => cb(v ?? { failures: 0 }));

let running: Promise<SyncReport | undefined> | undefined;

/**
 * One sync run, unless one is already running (then that one is awaited). `force` ignores the
 * backoff wait (the user pressed Sync now), never a 401.
 */
export function syncNow(opts: { force?: boolean; fetch?: typeof fetch } = {}): Promise<SyncReport | undefined> {
  running ??= (async () => {
    const enrolment = await getEnrolment();
    const current = await status.getValue();
    if (!enrolment) return undefined;
    if (current.needsEnrol && current.needsEnrolToken === enrolment.token) return undefined;
    if (!opts.force && current.nextAttemptAt && current.nextAttemptAt > Date.now()) return undefined;
    const report = await drainOutbox(
      {
        tallyUrl: enrolment.tallyUrl,
        token: enrolment.token,
        fetch: opts.fetch ?? fetch.bind(globalThis),
        pending: pendingEvents,
        markSynced,
        markRejected,
        now: Date.now,
      },
      current,
    );
    const next: SyncStatus = { ...report.status };
    if (next.needsEnrol) next.needsEnrolToken = enrolment.token;
    await status.setValue(next);
    if (report.requests > 0) {
      console.info('[siar] sync', {
        requests: report.requests,
        sent: report.sent,
        accepted: report.accepted,
        duplicate: report.duplicate,
        rejected: report.rejected,
        error: next.lastError,
      });
    }
    return report;
  })().finally(() => {
    running = undefined;
  });
  return running;
}
