import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, dayKey, defaultTimeZone, isoWeekday, localDayNumberer, localDayStarter } from '@/utils/time/local-day';

// Local days in IANA zones, checked against Intl asked directly, instant by instant: the module
// asks Intl once per UTC day and keeps the answers, and that shortcut must never show.

const ZONES = ['Asia/Jakarta', 'Asia/Jayapura', 'Europe/Berlin', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Kiritimati'];
/** Zones with odd offsets or odd changes: 45 minutes, a 30-minute daylight saving, a skipped day. */
const ODD_ZONES = ['Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Apia', 'America/New_York', 'UTC'];

/** The local date of `ms` in `zone`, asked of Intl for that one instant. */
function referenceDay(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(ms);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day')) / DAY_MS;
}

/** Instants from 2010 to 2030, seconds apart, plus the minutes around daylight-saving changes. */
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2030, 0, 1) }),
  fc
    .tuple(
      fc.constantFrom(Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 3, 5, 15), Date.UTC(2011, 11, 30, 10)),
      fc.integer({ min: -7_200_000, max: 7_200_000 }),
    )
    .map(([t, d]) => t + d),
);

describe('localDayNumberer', () => {
  it('gives the day Intl gives, for any instant in any zone, whatever was asked before', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES, ...ODD_ZONES), fc.array(instant, { minLength: 1, maxLength: 40 }), (zone, times) => {
        // One numberer for the whole run, so its memory of earlier answers is what is tested.
        const dayOf = localDayNumberer(zone);
        for (const t of times) expect(dayOf(t), `${zone} ${new Date(t).toISOString()}`).toBe(referenceDay(zone, t));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('skips the day Samoa skipped: 30 December 2011 never began in Apia', () => {
    const apia = localDayNumberer('Pacific/Apia');
    // 23:59:59 on 29 December (UTC−10) is followed by 00:00 on 31 December (UTC+14).
    expect(dayKey(apia(Date.parse('2011-12-30T09:59:59Z')))).toBe('2011-12-29');
    expect(dayKey(apia(Date.parse('2011-12-30T10:00:00Z')))).toBe('2011-12-31');
  });

  it('handles half-hour zones and a daylight-saving change within a day', () => {
    const kolkata = localDayNumberer('Asia/Kolkata'); // +05:30
    expect(dayKey(kolkata(Date.parse('2026-11-20T18:29:59Z')))).toBe('2026-11-20');
    expect(dayKey(kolkata(Date.parse('2026-11-20T18:30:00Z')))).toBe('2026-11-21');
    // New York leaves daylight saving at 02:00 EDT on Sunday 1 November 2026.
    const ny = localDayNumberer('America/New_York');
    expect(dayKey(ny(Date.parse('2026-11-01T03:59:59Z')))).toBe('2026-10-31'); // 23:59:59 EDT
    expect(dayKey(ny(Date.parse('2026-11-01T04:00:00Z')))).toBe('2026-11-01'); // 00:00 EDT
    expect(dayKey(ny(Date.parse('2026-11-01T06:30:00Z')))).toBe('2026-11-01'); // 01:30 EST
    expect(dayKey(ny(Date.parse('2026-11-02T04:59:59Z')))).toBe('2026-11-01'); // 23:59:59 EST
    expect(dayKey(ny(Date.parse('2026-11-02T05:00:00Z')))).toBe('2026-11-02');
    // Spring forward: 8 March 2026, 02:00 EST → 03:00 EDT.
    expect(dayKey(ny(Date.parse('2026-03-08T04:59:59Z')))).toBe('2026-03-07');
    expect(dayKey(ny(Date.parse('2026-03-09T03:59:59Z')))).toBe('2026-03-08');
    expect(dayKey(ny(Date.parse('2026-03-09T04:00:00Z')))).toBe('2026-03-09');
  });
});

describe('localDayStarter', () => {
  it('finds the first millisecond of local days, including ones that skip midnight', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 19_000, max: 21_000 }), (zone, day) => {
        const dayOf = localDayNumberer(zone);
        const start = localDayStarter(zone)(day);
        expect(dayOf(start)).toBeGreaterThanOrEqual(day);
        expect(dayOf(start - 1)).toBeLessThan(day);
      }),
      { seed: 20261129, numRuns: 300 },
    );
    // Chile moved its clocks from 24:00 to 01:00 on 2026-09-06: that day began at 01:00.
    const santiago = localDayStarter('America/Santiago')(Date.UTC(2026, 8, 6) / DAY_MS);
    expect(new Date(santiago).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('is the first millisecond of the day in zones with a 45-minute offset and a 30-minute daylight saving', () => {
    for (const zone of ['Asia/Kathmandu', 'Australia/Lord_Howe']) {
      const dayOf = localDayNumberer(zone);
      const startOf = localDayStarter(zone);
      for (let day = Date.UTC(2026, 0, 1) / DAY_MS; day < Date.UTC(2027, 0, 1) / DAY_MS; day++) {
        const start = startOf(day);
        expect(dayOf(start)).toBe(day);
        expect(dayOf(start - 1)).toBe(day - 1);
      }
    }
  });
});

describe('day numbers', () => {
  it('name days by their date, day 0 being Thursday 1 January 1970', () => {
    expect(dayKey(0)).toBe('1970-01-01');
    expect(dayKey(20_000)).toBe('2024-10-04');
    expect(dayKey(-1)).toBe('1969-12-31');
    expect(isoWeekday(0)).toBe(3); // Thursday
    expect(isoWeekday(Date.UTC(2026, 10, 30) / DAY_MS)).toBe(0); // Monday 30 November 2026
    expect(isoWeekday(Date.UTC(2026, 11, 6) / DAY_MS)).toBe(6); // Sunday
    expect(isoWeekday(-4)).toBe(6); // Sunday 28 December 1969
  });

  it('the default zone is the one Intl reports, which Intl itself accepts', () => {
    const zone = defaultTimeZone();
    expect(zone).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    expect(() => localDayNumberer(zone)(Date.now())).not.toThrow();
  });
});
