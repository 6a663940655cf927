// Times as staff read and type them: in the agency's zone (WIB, WITA or WIT), whatever the zone
// of the browser or the server. Stored and sent as RFC 3339 with the agency's offset. Pure: the
// editor's script converts the date-time inputs with the same functions.

export function zoneName(offsetMinutes: number): string {
  const names: Record<number, string> = { 420: 'WIB', 480: 'WITA', 540: 'WIT' };
  return names[offsetMinutes] ?? `UTC${offsetSuffix(offsetMinutes)}`;
}

export function offsetSuffix(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value (`2026-12-04T08:00`) read in the agency's zone → RFC 3339 with its
 * offset; '' → null; anything that is not a real date and time → undefined.
 */
export function localToRfc3339(value: string, offsetMinutes: number): string | null | undefined {
  const text = value.trim();
  if (!text) return null;
  const m = LOCAL.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Date.UTC rolls 31 February into March: a date that does not round-trip does not exist.
  const back = new Date(ms).toISOString();
  if (back.slice(0, 19) !== `${y}-${mo}-${d}T${h}:${mi}:${s}`) return undefined;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${offsetSuffix(offsetMinutes)}`;
}

/** A stored time → the `datetime-local` value in the agency's zone. */
export function isoToLocal(iso: string | null | undefined, offsetMinutes: number): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 16);
}

/** `4 Des 2026 08.00 WIB` (or `4 Dec 2026 08:00 WIB`). */
export function displayTime(iso: string | null | undefined, offsetMinutes: number, locale: string): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const f = new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    hour12: false,
  });
  return `${f.format(new Date(ms + offsetMinutes * 60_000))} ${zoneName(offsetMinutes)}`;
}
