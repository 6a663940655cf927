import type { MessageKey } from '@/utils/i18n';
import { checkNip, normalizeNip } from '@/utils/protocol/nip';
import { X_HANDLE } from '@/utils/protocol/tally';
import type { EnrolFailure, EnrolProblem } from '@/utils/sync/enrol-answer';

// The enrolment form's pure parts: what people type → what is sent, and every answer of the
// tally → the words that tell them what to do. Words are message keys with their substitutions.

export type Words = [MessageKey, ...string[]];

/** A NIP as written on an ID card or an SK (spaces, dots, dashes) → its 18 digits, or why not. */
export function nipInput(raw: string): { ok: true; nip: string } | { ok: false; words: Words } {
  const nip = normalizeNip(raw.trim());
  if (!nip) return { ok: false, words: ['field_required'] };
  const r = checkNip(nip);
  if (r.ok) return { ok: true, nip };
  if (r.problem === 'length') return { ok: false, words: ['nip_length', String(nip.length)] };
  return { ok: false, words: [`nip_${r.problem}`] };
}

/** An optional X handle, `@budi_s` or `budi_s` (or its x.com address) → `budi_s`; '' when left empty. */
export function xHandleInput(raw: string): { ok: true; handle: string } | { ok: false; words: Words } {
  const text = raw
    .trim()
    .replace(/^https?:\/\/(www\.|mobile\.)?(x|twitter)\.com\//i, '')
    .replace(/\/+$/, '');
  if (!text) return { ok: true, handle: '' };
  const m = X_HANDLE.exec(text);
  return m ? { ok: true, handle: m[1]! } : { ok: false, words: ['x_handle_invalid'] };
}

const PROBLEM_KEYS = {
  wrong_code: 'enrol_wrong_code',
  unit_mismatch: 'enrol_unit_mismatch',
  not_on_roster: 'enrol_not_on_roster',
  personal_code_needed: 'enrol_personal_code_needed',
  personal_code_wrong: 'enrol_personal_code_wrong',
  enrolled_elsewhere: 'enrol_enrolled_elsewhere',
  handle_taken: 'enrol_handle_taken',
  invalid_nip: 'enrol_invalid_nip',
  bad_request: 'enrol_bad_request',
  rate_limited: 'enrol_rate_limited',
  unreachable: 'enrol_network',
  server: 'enrol_server',
  bad_reply: 'enrol_bad_reply',
} as const satisfies Record<EnrolProblem, MessageKey>;

export interface WordsContext {
  /** The tally's host, named when it cannot be reached. */
  host: string;
  /** The unit the code belongs to, named when the roster does not list the NIP there. */
  unit?: string;
  now: number;
  /** A clock time in the UI's language (`16.05`). */
  formatClock: (ms: number) => string;
}

/** Words for a refused enrolment or code check: what happened and what to do about it. */
export function enrolFailureWords(f: Pick<EnrolFailure, 'problem' | 'retryAfterS'>, ctx: WordsContext): Words {
  switch (f.problem) {
    case 'rate_limited':
      return f.retryAfterS ? ['enrol_rate_limited_until', ctx.formatClock(ctx.now + f.retryAfterS * 1000)] : ['enrol_rate_limited'];
    case 'unreachable':
      return ['enrol_network', ctx.host];
    case 'not_on_roster':
      return ['enrol_not_on_roster', ctx.unit ?? ''];
    default:
      return [PROBLEM_KEYS[f.problem]];
  }
}
