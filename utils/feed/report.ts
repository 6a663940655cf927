import { storage } from '#imports';
import type { FeedState } from './types';
import { memoryFor, randomReporter, reportKind, shouldReport, type ReportMemory } from './report-kind';

// Tells the agency's tally what this browser sees of the feed, so a broken or unsigned feed shows
// on the agency's dashboard within minutes. Kind only: no token, no NIP, a daily random id.
// This module owns the memory of what was sent.

const memory = storage.defineItem<ReportMemory | null>('local:feedReports', { fallback: null, version: 1 });

export interface ReportDeps {
  now?: number;
  fetch?: typeof fetch;
}

// Refreshes can end together (alarm, popup, options): one report decision at a time, so two never
// read the same memory and one's write hides the other's.
let deciding: Promise<unknown> = Promise.resolve();

/** Sends the kind of `state`'s last refresh to `tallyUrl`, unless sent in the period. Never throws. */
export async function reportFeedState(state: FeedState, tallyUrl: string | undefined, deps: ReportDeps = {}): Promise<boolean> {
  const kind = reportKind(state);
  if (!kind || !tallyUrl) return false;
  const now = deps.now ?? Date.now();
  const decision = deciding.then(async () => {
    const m = memoryFor(await memory.getValue(), now, randomReporter);
    if (!shouldReport(m, kind, now)) return undefined;
    // Marked before sending: a report lost on the way is not worth a second one in the period.
    await memory.setValue({ ...m, sent: { ...m.sent, [kind]: now } });
    return m.reporter;
  });
  deciding = decision.catch(() => undefined);
  const reporter = await decision.catch(() => undefined);
  if (!reporter) return false;
  try {
    const res = await (deps.fetch ?? fetch)(new URL('v1/feed-reports', tallyUrl.endsWith('/') ? tallyUrl : `${tallyUrl}/`).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reporter, kind }),
      credentials: 'omit',
      signal: AbortSignal.timeout(20_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Whether this browser told the agency about the current problem (for the words "your agency has been told"). */
export async function reportedKinds(): Promise<Partial<Record<string, number>>> {
  return (await memory.getValue())?.sent ?? {};
}
