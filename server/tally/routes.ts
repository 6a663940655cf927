import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkNip } from '../../utils/protocol/nip';
import {
  EnrollRequestSchema,
  MAX_REQUEST_BYTES,
  MAX_SHARES_PER_REQUEST,
  SharesRequestSchema,
} from '../../utils/protocol/tally';
import { HttpError, readJson, send, sendJson, type Route } from '../http';
import type { ShareFault, ShareFaults } from './faults';
import { RateLimiter, type RateLimit } from './rate-limit';
import type { TallyStore } from './store';
import { bearerToken, hashToken } from './tokens';

// The tally API of PROTOCOL.md §2 under the base URL `T` = `/`: v1/enroll, v1/shares,
// v1/me/summary. The extension calls it from its background (no CORS needed there); CORS is
// answered anyway so a page-context client or a future web app works too.

export interface TallyRouteOptions {
  store: TallyStore;
  /** Per token, for v1/shares and v1/me/summary. */
  rateLimit: RateLimit;
  /** Per client address, for v1/enroll (no token yet): slows down guessing codes. */
  enrollRateLimit: RateLimit;
  faults?: ShareFaults;
}

const ENROLL_MAX_BYTES = 16 * 1024;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  // Without this a page-context client could not read how long to wait after 429/503.
  'Access-Control-Expose-Headers': 'Retry-After',
};

const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'authorization, content-type',
  'Access-Control-Max-Age': '86400',
};

const FAULT_ERRORS = { 429: 'rate_limited', 500: 'internal', 503: 'unavailable' } as const;

function rateLimited(seconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `too many requests; retry in ${seconds} s`, {
    'Retry-After': String(seconds),
  });
}

/** 400 for a malformed enrolment, naming the NIP's problem so the client can explain it. */
function enrollProblem(body: unknown, issues: readonly { path: PropertyKey[]; message: string }[]) {
  const nip = (body as { nip?: unknown } | null)?.nip;
  const nipCheck = typeof nip === 'string' ? checkNip(nip) : undefined;
  if (nipCheck && !nipCheck.ok) {
    return new HttpError(400, 'invalid_nip', `nip: ${nipCheck.problem}`);
  }
  const text = issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  return new HttpError(400, 'bad_request', text.join('; '));
}

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

export function tallyRoutes({ store, rateLimit, enrollRateLimit, faults }: TallyRouteOptions): Route[] {
  const perToken = new RateLimiter(rateLimit);
  const perAddress = new RateLimiter(enrollRateLimit);

  /** The member behind the request's token, within its rate limit; else 401 or 429. */
  function authenticate(req: IncomingMessage): number {
    const token = bearerToken(req.headers.authorization);
    const memberId = token === undefined ? undefined : store.memberOf(token);
    if (token === undefined || memberId === undefined) {
      throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked token', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const wait = perToken.take(hashToken(token).toString('hex'));
    if (wait > 0) throw rateLimited(wait);
    return memberId;
  }

  /** Runs the injected fault; true when it has dealt with the request entirely. */
  async function inject(fault: ShareFault, req: IncomingMessage): Promise<boolean> {
    if (fault === 'drop-before-store') {
      req.socket.destroy();
      return true;
    }
    if (typeof fault === 'object' && 'status' in fault) {
      const headers = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
      throw new HttpError(fault.status, FAULT_ERRORS[fault.status], 'injected fault', headers);
    }
    if (typeof fault === 'object') await sleep(fault.delayMs);
    return false;
  }

  const preflight = (path: string): Route => ({
    method: 'OPTIONS',
    path,
    handler: ({ res }) => send(res, 204, PREFLIGHT_HEADERS),
  });

  const withCors =
    (handler: Route['handler']): Route['handler'] =>
    (ctx) => {
      // Set before anything can throw, so error answers carry it too.
      for (const [name, value] of Object.entries(CORS_HEADERS)) ctx.res.setHeader(name, value);
      return handler(ctx);
    };

  const enroll = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const wait = perAddress.take(req.socket.remoteAddress ?? '');
    if (wait > 0) throw rateLimited(wait);
    const body = await readJson(req, ENROLL_MAX_BYTES);
    const parsed = EnrollRequestSchema.safeParse(body);
    if (!parsed.success) throw enrollProblem(body, parsed.error.issues);
    const outcome = store.enroll(parsed.data);
    if (!outcome.ok) throw new HttpError(outcome.status, outcome.error, outcome.message);
    sendJson(res, 201, { token: outcome.token, member: outcome.member });
  };

  const shares = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const memberId = authenticate(req);
    const body = await readJson(req, MAX_REQUEST_BYTES);
    const batch = (body as { shares?: unknown } | null)?.shares;
    if (Array.isArray(batch) && batch.length > MAX_SHARES_PER_REQUEST) {
      throw new HttpError(413, 'too_large', `at most ${MAX_SHARES_PER_REQUEST} shares per request`);
    }
    const parsed = SharesRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new HttpError(400, 'bad_request', 'body must be {"shares": [ … ]}');
    }
    const fault = faults ? await faults({ req, shares: parsed.data.shares }) : 'ok';
    if (await inject(fault, req)) return;
    let result;
    try {
      result = store.recordShares(memberId, parsed.data.shares);
    } catch (error) {
      // Another process held the database past busy_timeout: nothing was stored, try later.
      if (!isBusy(error)) throw error;
      throw new HttpError(503, 'unavailable', 'database busy', { 'Retry-After': '5' });
    }
    if (fault === 'drop-after-store') {
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, result);
  };

  const summary = ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    sendJson(res, 200, store.summary(authenticate(req)));
  };

  return [
    { method: 'POST', path: '/v1/enroll', handler: withCors(enroll) },
    { method: 'POST', path: '/v1/shares', handler: withCors(shares) },
    { method: 'GET', path: '/v1/me/summary', handler: withCors(summary) },
    preflight('/v1/enroll'),
    preflight('/v1/shares'),
    preflight('/v1/me/summary'),
  ];
}
