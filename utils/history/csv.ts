import type { ShareEvent } from './types';

// The user's own history as CSV (RFC 4180: CRLF line ends, `"` quoting), for Excel first:
// a UTF-8 byte order mark makes Excel read the Indonesian text as UTF-8. Titles, OPD names and
// campaigns come from a feed, so a cell a spreadsheet would run as a formula gets a leading `'`
// (OWASP's advice on CSV injection), as in the agency's CSV export.

export const CSV_BOM = '\uFEFF';

/** The header row: stable, machine-readable names (the same in every UI language). */
export const CSV_COLUMNS = ['id', 'waktu', 'item_id', 'judul', 'opd', 'kampanye', 'platform', 'action', 'post_url', 'sync'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(cells: readonly (string | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** One CSV document, BOM first, header row, one row per event in the given order. */
export function historyCsv(events: readonly ShareEvent[]): string {
  const out: string[] = [CSV_BOM, row(CSV_COLUMNS)];
  for (const e of events) {
    out.push(
      row([
        e.id,
        e.at, // RFC 3339 with the offset it was recorded in
        e.item_id,
        e.item?.title,
        e.item?.agencyName ?? e.item?.agencyId,
        e.item?.campaign,
        e.platform,
        e.action,
        e.post_url,
        e.sync === 'rejected' && e.rejectReason ? `rejected: ${e.rejectReason}` : e.sync,
      ]),
    );
  }
  return out.join('');
}

/** `siar-riwayat-2026-11-21-0914.csv`, in the browser's local time. */
export function csvFileName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `siar-riwayat-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}` + `-${p(now.getHours())}${p(now.getMinutes())}.csv`
  );
}
