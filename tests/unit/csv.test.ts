import { describe, expect, it } from 'vitest';
import { csvCell } from '@/utils/format/csv';
import { CSV_BOM, CSV_COLUMNS, csvFileName, historyCsv } from '@/utils/history/csv';
import type { ShareEvent } from '@/utils/history/types';

/** A strict RFC 4180 reader, to check the text reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        cell += c;
        i++;
      }
    } else if (c === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break at ${i}`);
    } else {
      cell += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length) throw new Error('last row without CRLF');
  return rows;
}

function event(over: Partial<ShareEvent> = {}): ShareEvent {
  return {
    id: '6f1c2b9e-4a7d-4d0e-9b53-0c8e2f7a1d44',
    item_id: '2026-11-21-apel-medsos',
    feed_url: 'https://pemkab.example/siar/feed.json',
    platform: 'x',
    action: 'posted',
    at: '2026-11-21T09:14:03+07:00',
    atMs: Date.parse('2026-11-21T09:14:03+07:00'),
    sync: 'synced',
    post_url: 'https://x.com/contoh/status/1861234567890',
    item: { title: 'Bupati ajak ASN', agencyId: 'diskominfo', agencyName: 'Dinas Kominfo', campaign: 'apel-november' },
    ...over,
  };
}

describe('history CSV', () => {
  it('starts with a BOM and the header row, and ends every row with CRLF', () => {
    const text = historyCsv([event()]);
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const body = text.slice(1);
    expect(body.split('\r\n')[0]).toBe('id,waktu,item_id,judul,opd,kampanye,platform,action,post_url,sync');
    expect(body.endsWith('\r\n')).toBe(true);
    expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(parseCsv(body)).toEqual([
      [...CSV_COLUMNS],
      [
        '6f1c2b9e-4a7d-4d0e-9b53-0c8e2f7a1d44',
        '2026-11-21T09:14:03+07:00',
        '2026-11-21-apel-medsos',
        'Bupati ajak ASN',
        'Dinas Kominfo',
        'apel-november',
        'x',
        'posted',
        'https://x.com/contoh/status/1861234567890',
        'synced',
      ],
    ]);
  });

  it('is just the header with no history', () => {
    expect(historyCsv([])).toBe(`${CSV_BOM}${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('quotes commas, quotes and line breaks, and reads back the same', () => {
    const title = 'Panen "raya", Desa Sukamaju\nhari ke-2\r\nselesai';
    const text = historyCsv([event({ item: { title, agencyName: 'Dinas Pertanian, Pangan', campaign: 'a"b' } })]);
    const [, row] = parseCsv(text.slice(1));
    expect(row![3]).toBe(title);
    expect(row![4]).toBe('Dinas Pertanian, Pangan');
    expect(row![5]).toBe('a"b');
    expect(text).toContain('"Panen ""raya"", Desa Sukamaju\nhari ke-2\r\nselesai"');
  });

  it('leaves empty cells for what is unknown, and names the OPD by id when it has no name', () => {
    const e = event({ item: { agencyId: 'dinkes' } });
    delete e.post_url;
    const [, row] = parseCsv(historyCsv([e]).slice(1));
    expect(row![3]).toBe('');
    expect(row![4]).toBe('dinkes');
    expect(row![5]).toBe('');
    expect(row![8]).toBe('');
    const noItem = event();
    delete noItem.item;
    const [, row2] = parseCsv(historyCsv([noItem]).slice(1));
    expect(row2!.slice(3, 6)).toEqual(['', '', '']);
  });

  it('guards cells a spreadsheet would run as a formula', () => {
    for (const bad of ['=HYPERLINK("http://evil.example")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      const cell = csvCell(bad);
      const read = parseCsv(`${cell}\r\n`)[0]![0]!;
      expect(read, JSON.stringify(bad)).toBe(`'${bad}`);
    }
    // Text that merely contains such characters is left alone.
    expect(csvCell('Kab. A = Kab. B')).toBe('Kab. A = Kab. B');
    expect(csvCell('2026-11-21T09:14:03-05:00')).toBe('2026-11-21T09:14:03-05:00');
    const [, row] = parseCsv(historyCsv([event({ item: { title: "=cmd|' /C calc'!A0" } })]).slice(1));
    expect(row![3]).toBe("'=cmd|' /C calc'!A0");
  });

  it('writes the sync state, with the reason of a rejection', () => {
    const rows = parseCsv(
      historyCsv([event({ sync: 'pending' }), event({ sync: 'rejected', rejectReason: 'unknown item, id x' })]).slice(1),
    );
    expect(rows[1]![9]).toBe('pending');
    expect(rows[2]![9]).toBe('rejected: unknown item, id x');
  });

  it('exports 100,000 events', () => {
    const events = Array.from({ length: 100_000 }, (_, i) => event({ id: `id-${i}` }));
    const t0 = performance.now();
    const text = historyCsv(events);
    console.log(`historyCsv: 100,000 events, ${(text.length / 1e6).toFixed(1)} M characters in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(text.split('\r\n')).toHaveLength(100_002);
  });
});

describe('csvFileName', () => {
  it('names the file by the local date and time', () => {
    const name = csvFileName(new Date(2026, 10, 21, 9, 4));
    expect(name).toBe('siar-riwayat-2026-11-21-0904.csv');
  });
});
