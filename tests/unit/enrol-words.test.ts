import { describe, expect, it } from 'vitest';
import en from '../../public/_locales/en/messages.json';
import id from '../../public/_locales/id/messages.json';
import { enrolFailureWords, nipInput, xHandleInput } from '@/components/enrol-words';
import { rejectReasonWords, syncWord } from '@/components/stats/format';
import { REJECT_REASONS } from '@/utils/protocol/tally';
import { enrolProblemOf, type EnrolProblem } from '@/utils/sync/enrol-answer';
import { checkEnrolCode, enrol, getEnrolment } from '@/utils/sync/enrolment';

// The enrolment form's pure parts (what people type → what is sent; every answer → its words)
// and the history's words for each reason the tally gives for refusing an event.

const NIP = '198503152010012003';
const TALLY = 'https://tally.example/siar/';

describe('NIP as people write it', () => {
  it.each([
    ['19850315-201001-2-003'],
    ['19850315 201001 2 003'],
    ['19850315.201001.2.003'],
    ['  198503152010012003 '],
    ['19850315 – 201001 – 2 – 003'],
  ])('%s becomes the 18 digits', (raw) => {
    expect(nipInput(raw)).toEqual({ ok: true, nip: NIP });
  });

  it('says how many digits there are when it is not 18, counting digits only', () => {
    expect(nipInput('19850315-201001-2-00')).toEqual({ ok: false, words: ['nip_length', '17'] });
    expect(nipInput('19850315 201001 2 0031')).toEqual({ ok: false, words: ['nip_length', '19'] });
  });

  it('names the part that is wrong', () => {
    expect(nipInput('')).toEqual({ ok: false, words: ['field_required'] });
    expect(nipInput('19850315-201001-2-00A')).toEqual({ ok: false, words: ['nip_digits'] });
    expect(nipInput('19850231-201001-2-003')).toEqual({ ok: false, words: ['nip_birth_date'] });
    expect(nipInput('19850315-201013-2-003')).toEqual({ ok: false, words: ['nip_appointment'] });
    expect(nipInput('19850315-201001-3-003')).toEqual({ ok: false, words: ['nip_sex'] });
    expect(nipInput('19850315-201001-2-000')).toEqual({ ok: false, words: ['nip_sequence'] });
  });
});

describe('X handle', () => {
  it('is optional, taken with or without @ or as its x.com address, and kept without @', () => {
    expect(xHandleInput('')).toEqual({ ok: true, handle: '' });
    expect(xHandleInput('  ')).toEqual({ ok: true, handle: '' });
    expect(xHandleInput('@budi_s')).toEqual({ ok: true, handle: 'budi_s' });
    expect(xHandleInput('budi_s')).toEqual({ ok: true, handle: 'budi_s' });
    expect(xHandleInput('https://x.com/Budi_S/')).toEqual({ ok: true, handle: 'Budi_S' });
  });

  it('refuses what X would not take', () => {
    for (const bad of ['@budi s', 'budi-s', '@', 'a'.repeat(16), '@@budi', 'https://facebook.com/budi']) {
      expect(xHandleInput(bad), bad).toEqual({ ok: false, words: ['x_handle_invalid'] });
    }
  });
});

describe('the tally’s answer to an enrolment', () => {
  const problem = (status: number, error?: string, retry: string | null = null, sentPersonalCode = false) =>
    enrolProblemOf(status, error ? { error, message: 'm' } : undefined, retry, { sentPersonalCode, now: 0 }).problem;

  it('tells each refusal apart', () => {
    expect(problem(403, 'wrong_code')).toBe('wrong_code');
    expect(problem(403, 'unit_mismatch')).toBe('unit_mismatch');
    expect(problem(403, 'not_on_roster')).toBe('not_on_roster');
    expect(problem(409, 'already_enrolled')).toBe('personal_code_needed');
    expect(problem(403, 'wrong_code', null, true)).toBe('personal_code_wrong');
    expect(problem(409, 'enrolled_elsewhere')).toBe('enrolled_elsewhere');
    expect(problem(409, 'handle_taken')).toBe('handle_taken');
    expect(problem(400, 'invalid_nip')).toBe('invalid_nip');
    expect(problem(400, 'bad_request')).toBe('bad_request');
    expect(problem(429, 'rate_limited')).toBe('rate_limited');
    expect(problem(500, 'internal')).toBe('server');
    expect(problem(503)).toBe('server');
    expect(problem(404)).toBe('server');
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(enrolProblemOf(429, {}, '42', { now: 0 }).retryAfterS).toBe(42);
    expect(enrolProblemOf(429, {}, new Date(90_000).toUTCString(), { now: 0 }).retryAfterS).toBe(90);
    expect(enrolProblemOf(429, {}, 'soon', { now: 0 }).retryAfterS).toBeUndefined();
  });

  it('puts every problem in words of its own, naming what the person needs', () => {
    const ctx = { host: 'tally.example', unit: 'Dinas Kesehatan', now: 0, formatClock: (ms: number) => `clock:${ms}` };
    const all: EnrolProblem[] = [
      'wrong_code',
      'unit_mismatch',
      'not_on_roster',
      'personal_code_needed',
      'personal_code_wrong',
      'enrolled_elsewhere',
      'handle_taken',
      'invalid_nip',
      'bad_request',
      'rate_limited',
      'unreachable',
      'server',
      'bad_reply',
    ];
    const keys = all.map((p) => enrolFailureWords({ problem: p }, ctx)[0]);
    expect(new Set(keys).size).toBe(all.length);
    for (const k of keys) {
      expect(en[k].message.length, k).toBeGreaterThan(20);
      expect(id[k].message.length, k).toBeGreaterThan(20);
    }
    expect(enrolFailureWords({ problem: 'rate_limited', retryAfterS: 60 }, ctx)).toEqual(['enrol_rate_limited_until', 'clock:60000']);
    expect(enrolFailureWords({ problem: 'unreachable' }, ctx)).toEqual(['enrol_network', 'tally.example']);
    expect(enrolFailureWords({ problem: 'not_on_roster' }, ctx)).toEqual(['enrol_not_on_roster', 'Dinas Kesehatan']);
    // Who issues a personal code is said where it is asked for.
    expect(id.personal_code_help.message).toMatch(/Editor unit kerja.*admin Siar.*studio/);
    expect(en.personal_code_help.message).toMatch(/editor or a Siar admin.*studio/);
  });
});

describe('checkEnrolCode and enrol over HTTP', () => {
  const answer =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    async () =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  it('a code gives its unit, and whether a roster is loaded', async () => {
    const calls: [string, RequestInit][] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return answer(200, { unit: 'Dinas Kesehatan', roster: true })();
    }) as unknown as typeof globalThis.fetch;
    expect(await checkEnrolCode(TALLY, ' DINKES-2026 ', fetch)).toEqual({ ok: true, unit: 'Dinas Kesehatan', roster: true });
    expect(calls[0]![0]).toBe(`${TALLY}v1/enroll/check`);
    expect(JSON.parse(String(calls[0]![1].body))).toEqual({ code: 'DINKES-2026' });
    expect(calls[0]![1].credentials).toBe('omit');
  });

  it('a wrong code, a wait, no answer and a bad answer are told apart', async () => {
    const f = (x: () => Promise<Response>) => x as unknown as typeof fetch;
    expect(await checkEnrolCode(TALLY, 'X', f(answer(403, { error: 'wrong_code', message: 'no' })))).toMatchObject({
      problem: 'wrong_code',
    });
    expect(await checkEnrolCode(TALLY, 'X', f(answer(429, { error: 'rate_limited' }, { 'retry-after': '30' })))).toMatchObject({
      problem: 'rate_limited',
      retryAfterS: 30,
    });
    expect(
      await checkEnrolCode(
        TALLY,
        'X',
        f(async () => {
          throw new TypeError('Failed to fetch');
        }),
      ),
    ).toMatchObject({ problem: 'unreachable' });
    expect(await checkEnrolCode(TALLY, 'X', f(answer(200, { unit: 3 })))).toMatchObject({ problem: 'bad_reply' });
    expect(
      await checkEnrolCode(
        TALLY,
        'X',
        f(async () => new Response('<html>', { status: 200 })),
      ),
    ).toMatchObject({ problem: 'bad_reply' });
  });

  it('a wrong personal code is not a wrong enrolment code', async () => {
    const f = answer(403, { error: 'wrong_code', message: 'no' }) as unknown as typeof fetch;
    const req = { nip: NIP, name: 'A', code: 'KOMINFO-2026' };
    expect(await enrol(TALLY, req, f)).toMatchObject({ problem: 'wrong_code' });
    expect(await enrol(TALLY, { ...req, personal_code: 'P-1' }, f)).toMatchObject({ problem: 'personal_code_wrong' });
    expect(await getEnrolment()).toBeNull();
  });

  it('keeps the member the tally answered, X handle included', async () => {
    const member = { nip: NIP, name: 'Nama Dari Daftar', unit: 'Dinas Kesehatan', x_handle: 'budi_s' };
    const r = await enrol(
      TALLY,
      { nip: NIP, name: 'A', code: 'K' },
      answer(201, { token: 't'.repeat(43), member }) as unknown as typeof fetch,
    );
    expect(r.ok).toBe(true);
    expect((await getEnrolment())?.member).toEqual(member);
  });
});

describe('refused events in the history', () => {
  it('every reason the tally gives has a phrase of its own in both languages', () => {
    const keys = [...REJECT_REASONS, 'too_large'].map((r) => rejectReasonWords(r)[0]);
    expect(new Set(keys).size).toBe(REJECT_REASONS.length + 1);
    const phrases = new Set<string>();
    for (const k of keys) {
      expect(id[k], k).toBeDefined();
      phrases.add(id[k].message);
      phrases.add(en[k].message);
    }
    expect(phrases.size).toBe(keys.length * 2);
  });

  it('a reason newer than the extension is named as given, and none at all still says not counted', () => {
    expect(rejectReasonWords('brand_new')).toEqual(['reject_other', 'brand_new']);
    expect(rejectReasonWords(undefined)).toEqual(['reject_unknown']);
    expect(rejectReasonWords('toString')).toEqual(['reject_other', 'toString']);
  });

  it('the history cell says refused, with the reason in words', () => {
    // The test i18n answers with the key and its substitutions.
    expect(syncWord('rejected', 'over_cap')).toBe('sync_state_rejected_reason|reject_over_cap');
    expect(syncWord('synced')).toBe('sync_state_synced');
  });
});
