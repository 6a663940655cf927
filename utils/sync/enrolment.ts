import { storage } from '#imports';
import { EnrollCheckResponseSchema, EnrollResponseSchema, SummarySchema, type EnrollRequest, type Summary } from '../protocol/tally';
import { enrolProblemOf, type EnrolFailure } from './enrol-answer';

// The member's tally token: extension-local storage only (never sync storage, which would copy it
// to other devices, and never reachable by web pages). This module is its only owner.

export interface Enrolment {
  tallyUrl: string;
  token: string;
  member: { nip: string; name: string; unit: string; x_handle?: string };
  at: number;
}

const enrolment = storage.defineItem<Enrolment | null>('local:enrolment', { fallback: null, version: 1 });

export const getEnrolment = () => enrolment.getValue();
export const forgetEnrolment = () => enrolment.removeValue();
export const watchEnrolment = (cb: (e: Enrolment | null) => void) => enrolment.watch((v) => cb(v ?? null));

export type { EnrolProblem, EnrolFailure } from './enrol-answer';

function endpoint(tallyUrl: string, path: string): string {
  return new URL(path, tallyUrl.endsWith('/') ? tallyUrl : `${tallyUrl}/`).href;
}

/** POSTs `body` to the tally without credentials; undefined when no answer came at all. */
async function post(tallyUrl: string, path: string, body: unknown, doFetch: typeof fetch): Promise<Response | undefined> {
  try {
    return await doFetch(endpoint(tallyUrl, path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    return undefined;
  }
}

/** `POST v1/enroll/check`: the unit an enrolment code belongs to, shown before the person confirms. */
export async function checkEnrolCode(
  tallyUrl: string,
  code: string,
  doFetch: typeof fetch = fetch,
): Promise<{ ok: true; unit: string; roster: boolean } | EnrolFailure> {
  const res = await post(tallyUrl, 'v1/enroll/check', { code: code.trim() }, doFetch);
  if (!res) return { ok: false, problem: 'unreachable' };
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status !== 200) return enrolProblemOf(res.status, body, res.headers.get('retry-after'));
  const parsed = EnrollCheckResponseSchema.safeParse(body);
  return parsed.success ? { ok: true, unit: parsed.data.unit, roster: parsed.data.roster } : { ok: false, problem: 'bad_reply' };
}

export async function enrol(
  tallyUrl: string,
  req: EnrollRequest,
  doFetch: typeof fetch = fetch,
): Promise<{ ok: true; enrolment: Enrolment } | EnrolFailure> {
  const res = await post(tallyUrl, 'v1/enroll', req, doFetch);
  if (!res) return { ok: false, problem: 'unreachable' };
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status !== 201 && res.status !== 200)
    return enrolProblemOf(res.status, body, res.headers.get('retry-after'), { sentPersonalCode: Boolean(req.personal_code) });
  const parsed = EnrollResponseSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: 'bad_reply' };
  const { nip, name, unit, x_handle } = parsed.data.member;
  const e: Enrolment = {
    tallyUrl,
    token: parsed.data.token,
    member: { nip, name, unit, ...(x_handle ? { x_handle } : {}) },
    at: Date.now(),
  };
  await enrolment.setValue(e);
  return { ok: true, enrolment: e };
}

export async function fetchSummary(
  e: Enrolment,
  doFetch: typeof fetch = fetch,
): Promise<Summary | { error: 'unauthorized' | 'unavailable' }> {
  try {
    const res = await doFetch(endpoint(e.tallyUrl, 'v1/me/summary'), {
      headers: { authorization: `Bearer ${e.token}` },
      credentials: 'omit',
      signal: AbortSignal.timeout(20_000),
    });
    if (res.status === 401) return { error: 'unauthorized' };
    const parsed = SummarySchema.safeParse(await res.json());
    return res.ok && parsed.success ? parsed.data : { error: 'unavailable' };
  } catch {
    return { error: 'unavailable' };
  }
}
