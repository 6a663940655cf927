// Enrolment codes: the agency hands each unit (OPD) one or more codes; whoever knows a unit's
// code may enrol in it. Configured as `Unit A=CODE-1,CODE-2;Unit B=CODE-3`.

/** Unit name → its codes. */
export type EnrollCodes = Readonly<Record<string, readonly string[]>>;

/** The units of the demo feed (server/demo/feed.ts), each with one code. */
export const DEMO_ENROLL_CODES: EnrollCodes = {
  'Dinas Komunikasi dan Informatika': ['KOMINFO-2026'],
  'Dinas Kesehatan': ['DINKES-2026'],
  'Dinas Pendidikan': ['DISDIK-2026'],
  'Dinas Pekerjaan Umum dan Penataan Ruang': ['PUPR-2026'],
  'Dinas Pertanian': ['DISTAN-2026'],
  'Dinas Koperasi dan UMKM': ['DISKOPUKM-2026'],
  'Badan Perencanaan Pembangunan Daerah': ['BAPPEDA-2026'],
};

/** Unit names compare like people read them: case and runs of spaces do not matter. */
export function sameUnit(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('id');
  return norm(a) === norm(b);
}

/** Parses `SIAR_ENROLL_CODES`; throws on anything ambiguous rather than guess. */
export function parseEnrollCodes(text: string): EnrollCodes {
  const units: Record<string, string[]> = {};
  const owner = new Map<string, string>();
  for (const entry of text.split(';')) {
    if (!entry.trim()) continue;
    const eq = entry.lastIndexOf('=');
    const unit = entry.slice(0, Math.max(eq, 0)).trim().replace(/\s+/g, ' ');
    const codes = entry
      .slice(eq + 1)
      .split(',')
      .map((code) => code.trim())
      .filter(Boolean);
    if (eq < 0 || !unit || codes.length === 0) {
      throw new Error(`SIAR_ENROLL_CODES: "${entry.trim()}" is not "Unit name=CODE[,CODE…]"`);
    }
    const known = Object.keys(units).find((name) => sameUnit(name, unit)) ?? unit;
    for (const code of codes) {
      // Codes are matched without regard to case, so they must differ in more than case.
      const key = code.toUpperCase();
      const other = owner.get(key);
      if (other !== undefined && other !== known) {
        throw new Error(`SIAR_ENROLL_CODES: code ${code} is given to both ${other} and ${known}`);
      }
      owner.set(key, known);
    }
    units[known] = [...new Set([...(units[known] ?? []), ...codes])];
  }
  if (Object.keys(units).length === 0) throw new Error('SIAR_ENROLL_CODES: no unit given');
  return units;
}
