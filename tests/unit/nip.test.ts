import { describe, expect, it } from 'vitest';
import { checkNip } from '@/utils/protocol/nip';
import { EnrollRequestSchema } from '@/utils/protocol/tally';

const today = new Date('2026-11-29T00:00:00Z');

describe('NIP', () => {
  it.each([
    ['198503152010012003', { ok: true }],
    ['19850315 201001 2 003', { ok: true }],
    ['20000229 202001 1 001', { ok: true }],
    ['19850315201001200', { ok: false, problem: 'length' }],
    ['1985031520100120031', { ok: false, problem: 'length' }],
    ['19850315201001200X', { ok: false, problem: 'digits' }],
    ['198502302010012003', { ok: false, problem: 'birth_date' }],
    ['19990229 202001 1 001', { ok: false, problem: 'birth_date' }],
    ['185003152010012003', { ok: false, problem: 'birth_date' }],
    ['202712012050012003', { ok: false, problem: 'birth_date' }],
    ['198503152010132003', { ok: false, problem: 'appointment' }],
    ['198503151995012003', { ok: false, problem: 'appointment' }],
    ['198503152030012003', { ok: false, problem: 'appointment' }],
    ['198503152010013003', { ok: false, problem: 'sex' }],
    ['198503152010011000', { ok: false, problem: 'sequence' }],
  ])('%s → %o', (nip, expected) => {
    expect(checkNip(nip, today)).toEqual(expected);
  });

  it('the enrolment schema uses the same check', () => {
    const base = { name: 'Contoh Pegawai', unit: 'Dinas Kominfo', code: 'KOMINFO-2026' };
    expect(EnrollRequestSchema.safeParse({ ...base, nip: '198503152010012003' }).success).toBe(true);
    expect(EnrollRequestSchema.safeParse({ ...base, nip: '198502302010012003' }).success).toBe(false);
    expect(EnrollRequestSchema.safeParse({ ...base, nip: '198503152010012003', name: '  ' }).success).toBe(false);
  });
});
