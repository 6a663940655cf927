import { retryAfterMs } from './backoff';

// What the tally's answer to `POST v1/enroll` or `POST v1/enroll/check` means for the person in
// front of the form (docs/protocol.md, "Enrolment"). Pure: the status, the `error` code of the
// body and the Retry-After header in, one problem out; the options page puts it in words.

export type EnrolProblem =
  /** 403 wrong_code: no unit has this enrolment code. */
  | 'wrong_code'
  /** 403 unit_mismatch: the code now belongs to another unit than the one shown. */
  | 'unit_mismatch'
  /** 403 not_on_roster: the agency's personnel list has no such NIP in the code's unit. */
  | 'not_on_roster'
  /** 409 already_enrolled: the NIP holds a live token; a personal code is needed. */
  | 'personal_code_needed'
  /** 403 wrong_code while a personal code was sent: that code is wrong, used or expired. */
  | 'personal_code_wrong'
  /** 409 enrolled_elsewhere: the NIP is a member of another unit. */
  | 'enrolled_elsewhere'
  /** 409 handle_taken: another member gave this X handle. */
  | 'handle_taken'
  /** 400 invalid_nip: the server found the NIP wrong (the form checks first; a newer rule). */
  | 'invalid_nip'
  /** Any other 400: the form sent something the tally does not take. */
  | 'bad_request'
  /** 429: too many tries; wait `retryAfterS` seconds. */
  | 'rate_limited'
  /** No answer at all (offline, DNS, refused, timed out). */
  | 'unreachable'
  /** 5xx or another status: the tally is in trouble. */
  | 'server'
  /** A success status whose body is not the protocol's. */
  | 'bad_reply';

export interface EnrolFailure {
  ok: false;
  problem: EnrolProblem;
  /** For `rate_limited`: whole seconds to wait, when the tally said. */
  retryAfterS?: number;
  /** The tally's own message, for logs (never shown in place of our words). */
  message?: string;
}

/**
 * The problem in a refused answer. `sentPersonalCode`: a personal code went with the request, so a
 * `wrong_code` is about that code (the enrolment code was checked first and passed).
 */
export function enrolProblemOf(
  status: number,
  body: unknown,
  retryAfter: string | null,
  opts: { sentPersonalCode?: boolean; now?: number } = {},
): EnrolFailure {
  const error = typeof (body as { error?: unknown } | null)?.error === 'string' ? (body as { error: string }).error : undefined;
  const message = typeof (body as { message?: unknown } | null)?.message === 'string' ? (body as { message: string }).message : undefined;
  const fail = (problem: EnrolProblem, extra: Partial<EnrolFailure> = {}): EnrolFailure => ({
    ok: false,
    problem,
    ...(message ? { message: message.slice(0, 300) } : {}),
    ...extra,
  });
  if (status === 429) {
    const ms = retryAfterMs(retryAfter, opts.now ?? Date.now());
    return fail('rate_limited', ms !== undefined ? { retryAfterS: Math.max(1, Math.ceil(ms / 1000)) } : {});
  }
  if (status === 400) return fail(error === 'invalid_nip' ? 'invalid_nip' : 'bad_request');
  if (status === 403) {
    if (error === 'unit_mismatch') return fail('unit_mismatch');
    if (error === 'not_on_roster') return fail('not_on_roster');
    return fail(opts.sentPersonalCode ? 'personal_code_wrong' : 'wrong_code');
  }
  if (status === 409) {
    if (error === 'already_enrolled') return fail('personal_code_needed');
    if (error === 'handle_taken') return fail('handle_taken');
    return fail('enrolled_elsewhere');
  }
  return fail('server');
}
