import { storage } from '#imports';
import { EnrollResponseSchema, ErrorSchema, SummarySchema, type EnrollRequest, type Summary } from '../protocol/tally';

// The member's tally token: extension-local storage only (never sync storage, which would copy it
// to other devices, and never reachable by web pages). This module is its only owner.

export interface Enrolment {
  tallyUrl: string;
  token: string;
  member: { nip: string; name: string; unit: string };
  at: number;
}

const enrolment = storage.defineItem<Enrolment | null>('local:enrolment', { fallback: null, version: 1 });

export const getEnrolment = () => enrolment.getValue();
export const forgetEnrolment = () => enrolment.removeValue();
export const watchEnrolment = (cb: (e: Enrolment | null) => void) => enrolment.watch((v) => cb(v ?? null));

export type EnrolProblem = 'bad_request' | 'wrong_code' | 'other_unit' | 'network' | 'server' | 'bad_reply';

function endpoint(tallyUrl: string, path: string): string {
  return new URL(path, tallyUrl.endsWith('/') ? tallyUrl : `${tallyUrl}/`).href;
}

export async function enrol(
  tallyUrl: string,
  req: EnrollRequest,
  doFetch: typeof fetch = fetch,
): Promise<{ ok: true; enrolment: Enrolment } | { ok: false; problem: EnrolProblem; message?: string }> {
  let res: Response;
  try {
    res = await doFetch(endpoint(tallyUrl, 'v1/enroll'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
      credentials: 'omit',
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    return { ok: false, problem: 'network' };
  }
  const body: unknown = await res.json().catch(() => undefined);
  const message = ErrorSchema.safeParse(body).data?.message;
  if (res.status === 400) return { ok: false, problem: 'bad_request', message };
  if (res.status === 403) return { ok: false, problem: 'wrong_code', message };
  if (res.status === 409) return { ok: false, problem: 'other_unit', message };
  if (res.status !== 201 && res.status !== 200) return { ok: false, problem: 'server', message };
  const parsed = EnrollResponseSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: 'bad_reply' };
  const e: Enrolment = { tallyUrl, token: parsed.data.token, member: parsed.data.member, at: Date.now() };
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
