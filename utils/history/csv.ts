import { csvLine } from '../format/csv';
import type { ShareEvent } from './types';

// The user's own history as CSV, for Excel first: a UTF-8 byte order mark makes Excel read the
// Indonesian text as UTF-8. Titles, OPD names and campaigns come from a feed: the cells are
// written by utils/format/csv.ts, which no spreadsheet reads as a formula.

export const CSV_BOM = '\uFEFF';

/** The header row: stable, machine-readable names (the same in every UI language). */
export const CSV_COLUMNS = ['id', 'waktu', 'item_id', 'judul', 'opd', 'kampanye', 'platform', 'action', 'post_url', 'sync'] as const;

/** One CSV document, BOM first, header row, one row per event in the given order. */
export function historyCsv(events: readonly ShareEvent[]): string {
  const out: string[] = [CSV_BOM, csvLine(CSV_COLUMNS)];
  for (const e of events) {
    out.push(
      csvLine([
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
