import type { FeedReportKind } from '../protocol/tally';
import type { FeedState } from './types';

// What a browser tells the agency about its feed (POST v1/feed-reports): the kind only. Pure.

/** How long one kind is not said again: under the dashboard's 30-minute window, so a browser stays counted. */
export const REPORT_PERIOD_MS = 25 * 60_000;

/** The kind of the last refresh; undefined for problems of this browser's own setup, not the feed's. */
export function reportKind(state: Pick<FeedState, 'lastError'>): FeedReportKind | undefined {
  const e = state.lastError;
  if (!e) return 'ok';
  switch (e.code) {
    case 'network':
    case 'timeout':
      return 'unreachable';
    case 'http':
      return 'http';
    case 'invalid':
    case 'too_large':
    case 'too_many_redirects':
      return 'invalid';
    case 'unsigned':
    case 'bad_signature':
    case 'replayed':
      return e.code;
    default:
      // 'permission', 'bad_url': the browser was not allowed to ask, the agency's feed may be fine.
      return undefined;
  }
}

export interface ReportMemory {
  /** The random id of this browser for `day`: a new one each day, so browsers are counted, not followed. */
  reporter: string;
  /** UTC day the reporter belongs to (YYYY-MM-DD). */
  day: string;
  /** When each kind was last sent, under this reporter. */
  sent: Partial<Record<FeedReportKind, number>>;
}

/** The memory for `now`: a new reporter (and nothing sent) on a new day. */
export function memoryFor(memory: ReportMemory | null, now: number, newId: () => string): ReportMemory {
  const day = new Date(now).toISOString().slice(0, 10);
  return memory?.day === day ? memory : { reporter: newId(), day, sent: {} };
}

/** At most one report of a kind per period. */
export function shouldReport(memory: ReportMemory, kind: FeedReportKind, now: number): boolean {
  const last = memory.sent[kind];
  return last === undefined || now - last >= REPORT_PERIOD_MS || now < last;
}

/** 22 base64url characters from 16 random bytes. */
export function randomReporter(random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  const bytes = random(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
