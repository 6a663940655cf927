// NIP: 18 digits = birth date YYYYMMDD, appointment YYYYMM, sex 1|2, 3-digit sequence.

export type NipProblem = 'length' | 'digits' | 'birth_date' | 'appointment' | 'sex' | 'sequence';
export type NipCheck = { ok: true } | { ok: false; problem: NipProblem };

function isRealDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** The 18 digits of a NIP as people write it: with spaces, dots or dashes between the groups. */
export function normalizeNip(raw: string): string {
  return raw.replace(/[\s.\-\u2010-\u2013]+/g, '');
}

export function checkNip(raw: string, today: Date = new Date()): NipCheck {
  const nip = normalizeNip(raw);
  if (!/^\d*$/.test(nip)) return { ok: false, problem: 'digits' };
  if (nip.length !== 18) return { ok: false, problem: 'length' };
  const n = (a: number, b: number) => Number(nip.slice(a, b));
  const [by, bm, bd] = [n(0, 4), n(4, 6), n(6, 8)];
  const thisYear = today.getUTCFullYear();
  if (by < 1900 || by > thisYear || !isRealDate(by, bm, bd)) return { ok: false, problem: 'birth_date' };
  const [ay, am] = [n(8, 12), n(12, 14)];
  // Appointed after birth (at 15 at the earliest) and not in the future.
  if (am < 1 || am > 12 || ay < by + 15 || ay > thisYear) return { ok: false, problem: 'appointment' };
  if (nip[14] !== '1' && nip[14] !== '2') return { ok: false, problem: 'sex' };
  if (n(15, 18) === 0) return { ok: false, problem: 'sequence' };
  return { ok: true };
}
