import { describe, expect, it, vi } from 'vitest';
import { reportFeedState } from '@/utils/feed/report';
import { memoryFor, randomReporter, REPORT_PERIOD_MS, reportKind, shouldReport } from '@/utils/feed/report-kind';
import type { FeedState } from '@/utils/feed/types';
import { FeedReportSchema } from '@/utils/protocol/tally';

const state = (lastError?: FeedState['lastError']): FeedState => ({
  feedUrl: 'https://kab.example/feed.json',
  items: [],
  dropped: 0,
  lastError,
});
const at = 1;

describe('feed reports: the kind only', () => {
  it('maps each refresh outcome to a kind; this browser’s own setup is not reported', () => {
    expect(reportKind(state())).toBe('ok');
    expect(reportKind(state({ code: 'network', detail: 'offline', at }))).toBe('unreachable');
    expect(reportKind(state({ code: 'timeout', at }))).toBe('unreachable');
    expect(reportKind(state({ code: 'http', status: 503, at }))).toBe('http');
    expect(reportKind(state({ code: 'invalid', problem: { kind: 'not_json' }, at } as FeedState['lastError']))).toBe('invalid');
    expect(reportKind(state({ code: 'too_large', at }))).toBe('invalid');
    expect(reportKind(state({ code: 'bad_signature', at }))).toBe('bad_signature');
    expect(reportKind(state({ code: 'unsigned', at }))).toBe('unsigned');
    expect(reportKind(state({ code: 'replayed', at }))).toBe('replayed');
    expect(reportKind(state({ code: 'permission', at }))).toBeUndefined();
  });

  it('a new random reporter each day; one report of a kind per period', () => {
    const day1 = Date.parse('2026-12-03T10:00:00Z');
    const m = memoryFor(null, day1, () => 'r1');
    expect(memoryFor(m, day1 + 3_600_000, () => 'r2').reporter).toBe('r1');
    expect(memoryFor(m, day1 + 86_400_000, () => 'r2')).toEqual({ reporter: 'r2', day: '2026-12-04', sent: {} });
    const sent = { ...m, sent: { invalid: day1 } };
    expect(shouldReport(sent, 'invalid', day1 + REPORT_PERIOD_MS - 1)).toBe(false);
    expect(shouldReport(sent, 'ok', day1 + 1)).toBe(true);
    expect(shouldReport(sent, 'invalid', day1 + REPORT_PERIOD_MS)).toBe(true);
    expect(FeedReportSchema.safeParse({ reporter: randomReporter(), kind: 'ok' }).success).toBe(true);
  });

  it('posts {reporter, kind} to the tally, once per kind per period, and never throws', async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
      return new Response(null, { status: 204 });
    }) as unknown as typeof globalThis.fetch;
    const now = Date.parse('2026-12-03T10:00:00Z');
    const bad = state({ code: 'bad_signature', at });
    expect(await reportFeedState(bad, 'https://kab.example/tally', { now, fetch })).toBe(true);
    expect(await reportFeedState(bad, 'https://kab.example/tally', { now: now + 60_000, fetch })).toBe(false);
    expect(await reportFeedState(state(), 'https://kab.example/tally', { now: now + 120_000, fetch })).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(['https://kab.example/tally/v1/feed-reports', 'https://kab.example/tally/v1/feed-reports']);
    expect(calls.map((c) => (c.body as { kind: string }).kind)).toEqual(['bad_signature', 'ok']);
    for (const c of calls) expect(Object.keys(c.body as object).sort()).toEqual(['kind', 'reporter']);
    const failing = vi.fn(async () => {
      throw new TypeError('offline');
    }) as unknown as typeof globalThis.fetch;
    expect(
      await reportFeedState(state({ code: 'network', detail: 'offline', at }), 'https://kab.example/tally', { now, fetch: failing }),
    ).toBe(false);
    expect(await reportFeedState(state(), undefined, { now, fetch })).toBe(false);
  });
});
