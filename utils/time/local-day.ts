// Local days in an IANA time zone, found with Intl, never with the process's own zone: which day
// an instant falls on, where a day starts, its `YYYY-MM-DD` and weekday. Days are numbered from
// 1970-01-01 (day 0) in that zone.

export const DAY_MS = 86_400_000;

export function defaultTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface ZoneCache {
  offsetAt: (ms: number) => number;
  /** UTC day → the offset at its first millisecond. */
  atDayStart: Map<number, number>;
  /** UTC day → its offset, or NaN where the offset changes during that day. */
  byUtcDay: Map<number, number>;
  /** Minute → offset, on the days that change. */
  byMinute: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let z = zones.get(timeZone);
  if (z) return z;
  const f = wallClockFormatter(timeZone);
  const offsetAt = (ms: number): number => {
    const s = Math.floor(ms / 1000) * 1000;
    let y = 1970;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let se = 0;
    for (const p of f.formatToParts(s)) {
      const n = Number(p.value);
      switch (p.type) {
        case 'year':
          y = n;
          break;
        case 'month':
          mo = n;
          break;
        case 'day':
          d = n;
          break;
        case 'hour':
          h = n;
          break;
        case 'minute':
          mi = n;
          break;
        case 'second':
          se = n;
          break;
      }
    }
    return Date.UTC(y, mo - 1, d, h, mi, se) - s;
  };
  z = { offsetAt, atDayStart: new Map(), byUtcDay: new Map(), byMinute: new Map() };
  zones.set(timeZone, z);
  return z;
}

/**
 * A function from epoch ms to the local day number (days since 1970-01-01 in `timeZone`).
 *
 * Fast for 100,000 events: Intl is asked for the zone's offset once per UTC day (at its first
 * millisecond) and the answers are kept for the page's life. Where a day starts with the same
 * offset as the next one — every day but the few with a daylight-saving change — the whole day
 * has that offset. Only times on a changing day ask Intl themselves, memoised by minute (zones
 * change offset on whole minutes).
 */
export function localDayNumberer(timeZone: string): (ms: number) => number {
  const { offsetAt, atDayStart, byUtcDay, byMinute } = zoneCache(timeZone);
  const startOffset = (u: number): number => {
    let o = atDayStart.get(u);
    if (o === undefined) atDayStart.set(u, (o = offsetAt(u * DAY_MS)));
    return o;
  };
  // Events mostly come in time order: the last day's answer is kept at hand.
  let lastU = NaN;
  let lastOff = NaN;
  return (ms: number): number => {
    const u = Math.floor(ms / DAY_MS);
    if (u === lastU) return Math.floor((ms + lastOff) / DAY_MS);
    let off = byUtcDay.get(u);
    if (off === undefined) {
      const a = startOffset(u);
      off = a === startOffset(u + 1) ? a : NaN;
      byUtcDay.set(u, off);
    }
    if (off === off) {
      lastU = u;
      lastOff = off;
    } else {
      // NaN: this day changes offset.
      const m = Math.floor(ms / 60_000);
      off = byMinute.get(m);
      if (off === undefined) {
        off = offsetAt(ms);
        byMinute.set(m, off);
      }
    }
    return Math.floor((ms + off) / DAY_MS);
  };
}

/**
 * A function from a local day number to the epoch ms its first millisecond falls on (the
 * smallest ms whose day is `day` or later). A search, not arithmetic: a day may start at 01:00
 * where the clocks skip midnight.
 */
export function localDayStarter(timeZone: string): (day: number) => number {
  const dayOf = localDayNumberer(timeZone);
  return (day: number): number => {
    // Offsets lie within ±16 h, so the start lies in this window.
    let lo = day * DAY_MS - 16 * 3_600_000;
    let hi = day * DAY_MS + 16 * 3_600_000;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (dayOf(mid) >= day) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** `YYYY-MM-DD` of a day number. */
export function dayKey(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6 (1970-01-01, day 0, was a Thursday). */
export function isoWeekday(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}
