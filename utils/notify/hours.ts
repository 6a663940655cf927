// Working hours: when a notification may interrupt someone. Pure, with the clock passed in.

/** Minutes after midnight: [start, end). start > end spans midnight (a night shift). */
export interface WorkHours {
  start: number;
  end: number;
  /** IANA zone the hours are read in: the agency's, not the browser's. */
  timeZone: string;
}

/** 07:00–17:00 in Western Indonesian Time, unless the agency's policy or the user says otherwise. */
export const DEFAULT_WORK_HOURS = '07:00-17:00';
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';
/** The zones of Indonesia (WIB, WITA, WIT), offered in the options. */
export const INDONESIAN_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "07:00" → 420; anything else → undefined. */
export function parseTime(v: string): number | undefined {
  const m = HHMM.exec(v.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** 420 → "07:00". */
export function formatTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "07:00-17:00" (or with an en dash) → minutes; empty ranges and bad times → undefined. */
export function parseHours(v: string): { start: number; end: number } | undefined {
  const parts = v.split(/\s*[-–]\s*/);
  if (parts.length !== 2) return undefined;
  const [start, end] = parts.map(parseTime);
  if (start === undefined || end === undefined || start === end) return undefined;
  return { start, end };
}

export function isTimeZone(v: string): boolean {
  if (!v.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v.trim() });
    return true;
  } catch {
    return false;
  }
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes after midnight of `now` on the wall clock of `timeZone`. */
export function minuteOfDay(now: number, timeZone: string): number {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    clocks.set(timeZone, f);
  }
  const parts = f.formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (get('hour') % 24) * 60 + get('minute');
}

/** Whether `now` falls inside the working hours, on their zone's clock. */
export function isWorkingTime(now: number, hours: WorkHours): boolean {
  const m = minuteOfDay(now, hours.timeZone);
  return hours.start < hours.end ? m >= hours.start && m < hours.end : m >= hours.start || m < hours.end;
}

/** The hours in force from the candidates, first valid wins (policy, user, default). */
export function resolveWorkHours(hours: (string | undefined)[], zones: (string | undefined)[]): WorkHours {
  const range = hours.map((h) => (h ? parseHours(h) : undefined)).find(Boolean) ?? parseHours(DEFAULT_WORK_HOURS)!;
  const timeZone = zones.find((z): z is string => Boolean(z && isTimeZone(z)))?.trim() ?? DEFAULT_TIME_ZONE;
  return { ...range, timeZone };
}
