import { randomInt } from 'node:crypto';

// Enrolment codes: the agency hands each unit (OPD) one or more codes; whoever knows a unit's
// code may enrol in it (and, with a roster, only if their NIP is listed for that unit). Codes are
// made in the studio, random by default; SIAR_ENROLL_CODES seeds them on an empty database.

/** Unit name → its codes. */
export type EnrollCodes = Readonly<Record<string, readonly string[]>>;

/** The units of the demo agency, each with one guessable code: for `npm start` only. */
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
  return normalizeUnit(a).toLocaleLowerCase('id') === normalizeUnit(b).toLocaleLowerCase('id');
}

export function normalizeUnit(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** Codes compare without regard to case or surrounding spaces. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

// Crockford's base32 without I, L, O and U: nothing to misread when a code is read aloud.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `K7QD-M2XP-9HRT`: 60 random bits, in groups a person can type from a printed sheet. */
export function randomCode(groups = 3): string {
  return Array.from({ length: groups }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')).join('-');
}

/**
 * Letters and digits a code chosen by a person must have (dashes not counted): twelve from the
 * 32 a code is read in are enough that, at the failure limits per code and per address, guessing
 * one takes longer than a code is used. The random codes the studio makes have twelve.
 */
export const MIN_CHOSEN_CODE_CHARS = 12;

/** Why a code a person chose is too easy to guess, or undefined if it is not. */
export function weakCode(code: string): string | undefined {
  const chars = normalizeCode(code).replace(/[^A-Z0-9]/g, '').length;
  if (chars >= MIN_CHOSEN_CODE_CHARS) return undefined;
  return `code ${normalizeCode(code)} has ${chars} letters and digits; a code chosen by hand needs at least ${MIN_CHOSEN_CODE_CHARS} (or let the studio make a random one)`;
}

/** Parses `SIAR_ENROLL_CODES`; throws on anything ambiguous or easy to guess rather than go on. */
export function parseEnrollCodes(text: string): EnrollCodes {
  const units: Record<string, string[]> = {};
  const owner = new Map<string, string>();
  for (const entry of text.split(';')) {
    if (!entry.trim()) continue;
    const eq = entry.lastIndexOf('=');
    const unit = normalizeUnit(entry.slice(0, Math.max(eq, 0)));
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
      const weak = weakCode(code);
      if (weak) throw new Error(`SIAR_ENROLL_CODES: ${weak}`);
      // Codes are matched without regard to case, so they must differ in more than case.
      const key = normalizeCode(code);
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
