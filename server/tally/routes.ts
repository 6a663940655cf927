import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkNip } from '../../utils/protocol/nip';
import {
  FeedReportSchema,
  EnrollCheckRequestSchema,
  EnrollRequestSchema,
  MAX_REQUEST_BYTES,
  MAX_SHARES_PER_REQUEST,
  SharesRequestSchema,
} from '../../utils/protocol/tally';
import type { Database } from '../db/sql';
import { clientAddress } from '../guard/client';
import { ingestEnded, ingestStarted } from '../guard/ingest-first';
import { RateLimiter, takeToken, type RateLimit } from '../guard/rate';
import { HttpError, readJson, send, sendJson, type Route } from '../http';
import type { Enrolment, EnrolOutcome, TokenHolder } from './enrol';
import type { ShareFault, ShareFaults } from './faults';
import type { ShareIngest } from './ingest';
import { memberSummary } from './summary';
import { bearerToken } from './tokens';

// The tally API under the base URL `T` = `/`: v1/enroll, v1/enroll/check, v1/shares and
// v1/me/summary. The extension calls it from its background (no CORS needed there); CORS is
// answered anyway so a page-context client or a future web app works too.

export interface TallyRouteOptions {
  db: Database;
  enrolment: Enrolment;
  ingest: ShareIngest;
  /** Per member (whatever token they use), for v1/shares and v1/me/summary. */
  rateLimit: RateLimit;
  /** Per client address, for v1/enroll and v1/enroll/check (no token yet). */
  enrollRateLimit: RateLimit;
  /** How many reverse proxies in front of the server write X-Forwarded-For (0: none). */
  trustProxy: number;
  faults?: ShareFaults;
  /** `POST v1/shares` handled at once; more are answered 503 at once (default DEFAULT_SHARES_IN_FLIGHT). */
  sharesInFlight?: number;
  /** Of those, small ones (≤ SMALL_BATCH_BYTES) have their own cap (default SMALL_IN_FLIGHT_FACTOR × sharesInFlight). */
  smallSharesInFlight?: number;
  /** Body bytes of those read and parsed at once (default SHARES_PARSE_BYTES). */
  sharesParseBytes?: number;
}

/**
 * Admission control for ingest: past this many batches in this process at once, a new one is
 * answered 503 with Retry-After before its body is read — an answer in microseconds rather than
 * a wait of seconds in a queue that only grows (and holds memory) while the database catches up.
 * The extension's outbox keeps the events and sends them again after Retry-After.
 */
export const DEFAULT_SHARES_IN_FLIGHT = 64;
const SHARES_RETRY_AFTER_S = 2;

/**
 * A body this small (by Content-Length; a few dozen events) is counted against a cap of its own,
 * eight times the batches' cap: a one-event request holds a socket and a few hundred bytes, and
 * at a mandatory post's 08:00 peak hundreds arrive at once. Group commit stores them together, so
 * a short stall of the writer is a queue of milliseconds to them, where a cap of 64 answered the
 * rest 503 and made them come back two seconds later.
 */
export const SMALL_BATCH_BYTES = 8 * 1024;
export const SMALL_IN_FLIGHT_FACTOR = 8;

/**
 * Of the batches admitted, how many body bytes are read, parsed and stored at once (by their
 * Content-Length; a body without one counts as the largest allowed). The others wait with their
 * bodies unread (in the socket, not in memory): the database takes one transaction at a time
 * anyway, so two parsed 500-event batches (about 100 KB of JSON each) keep it busy, while fifty
 * parsed at once held tens of megabytes of objects that outlived young-generation collections (the
 * server's memory peak; every collection copied them, and the feed waited for it). Small batches
 * fit by the hundred, so a flood of one-event requests is still stored back to back. One batch is
 * always let through, whatever its size.
 */
export const SHARES_PARSE_BYTES = 256 * 1024;

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

export function rateLimited(seconds: number): HttpError {
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

function refused(outcome: Extract<EnrolOutcome, { ok: false }>): HttpError {
  const headers = outcome.retryAfter ? { 'Retry-After': String(outcome.retryAfter) } : {};
  return new HttpError(outcome.status, outcome.error, outcome.message, headers);
}

export function tallyRoutes(options: TallyRouteOptions): Route[] {
  const { db, enrolment, ingest, rateLimit, enrollRateLimit, trustProxy, faults } = options;
  const limiter = new RateLimiter(db);
  const maxInFlight = options.sharesInFlight ?? DEFAULT_SHARES_IN_FLIGHT;
  const maxSmallInFlight = options.smallSharesInFlight ?? SMALL_IN_FLIGHT_FACTOR * maxInFlight;
  let inFlight = 0;
  let smallInFlight = 0;
  const parseBudget = options.sharesParseBytes ?? SHARES_PARSE_BYTES;
  let parsing = 0;
  const waitingToParse: { bytes: number; go: () => void }[] = [];
  /** A turn to read and store a body of `bytes`, first come first served; returns its release. */
  async function parseTurn(bytes: number): Promise<() => void> {
    const cost = Math.min(bytes, parseBudget);
    if (waitingToParse.length > 0 || (parsing > 0 && parsing + cost > parseBudget)) {
      await new Promise<void>((go) => waitingToParse.push({ bytes: cost, go }));
    } else parsing += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      parsing -= cost;
      // Strictly in order: a large batch is not passed over for ever by small ones.
      while (waitingToParse.length > 0 && (parsing === 0 || parsing + waitingToParse[0]!.bytes <= parseBudget)) {
        const next = waitingToParse.shift()!;
        parsing += next.bytes;
        next.go();
      }
    };
  }

  /** The member behind the request's token, within the member's rate limit; else 401 or 429. */
  async function authenticate(req: IncomingMessage): Promise<TokenHolder> {
    const token = bearerToken(req.headers.authorization);
    const found = token === undefined ? undefined : await enrolment.memberWithin(token, limiter, rateLimit);
    if (found === undefined) {
      throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked token', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (found.wait > 0) throw rateLimited(found.wait);
    return found.member;
  }

  async function limitAddress(req: IncomingMessage): Promise<string> {
    const address = clientAddress(req, trustProxy);
    const wait = await takeToken(db, `enrol-addr:${address}`, enrollRateLimit);
    if (wait > 0) throw rateLimited(wait);
    return address;
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
    const address = await limitAddress(req);
    const body = await readJson(req, ENROLL_MAX_BYTES);
    const parsed = EnrollRequestSchema.safeParse(body);
    if (!parsed.success) throw enrollProblem(body, parsed.error.issues);
    const outcome = await enrolment.enrol(parsed.data, address);
    if (!outcome.ok) throw refused(outcome);
    sendJson(res, 201, { token: outcome.token, member: outcome.member });
  };

  const check = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const address = await limitAddress(req);
    const parsed = EnrollCheckRequestSchema.safeParse(await readJson(req, ENROLL_MAX_BYTES));
    if (!parsed.success) throw new HttpError(400, 'bad_request', 'body must be {"code": "…"}');
    const outcome = await enrolment.check(parsed.data.code, address);
    if (!outcome.ok) throw refused(outcome);
    sendJson(res, 200, { unit: outcome.unit, roster: outcome.roster });
  };

  const shares = async (ctx: { req: IncomingMessage; res: ServerResponse }) => {
    const declared = Number(ctx.req.headers['content-length']);
    const small = Number.isFinite(declared) && declared >= 0 && declared <= SMALL_BATCH_BYTES;
    const [held, cap] = small ? [smallInFlight, maxSmallInFlight] : [inFlight, maxInFlight];
    if (held >= cap) {
      throw new HttpError(503, 'unavailable', `busy: ${held} batches being stored; retry in ${SHARES_RETRY_AFTER_S} s`, {
        'Retry-After': String(SHARES_RETRY_AFTER_S),
      });
    }
    if (small) smallInFlight++;
    else inFlight++;
    ingestStarted();
    try {
      await storeShares(ctx);
    } finally {
      if (small) smallInFlight--;
      else inFlight--;
      ingestEnded();
    }
  };

  const storeShares = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const member = await authenticate(req);
    const declared = Number(req.headers['content-length']);
    const release = await parseTurn(Number.isFinite(declared) && declared >= 0 ? declared : MAX_REQUEST_BYTES);
    try {
      await parseAndStore(req, res, member);
    } finally {
      release();
    }
  };

  const parseAndStore = async (req: IncomingMessage, res: ServerResponse, member: TokenHolder) => {
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
    const result = await ingest.record(member, parsed.data.shares);
    if (fault === 'drop-after-store') {
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, result);
  };

  const feedReport = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const address = clientAddress(req, trustProxy);
    const wait = await takeToken(db, `report-addr:${address}`, enrollRateLimit);
    if (wait > 0) throw rateLimited(wait);
    const parsed = FeedReportSchema.safeParse(await readJson(req, 1024));
    if (!parsed.success) throw new HttpError(400, 'bad_request', 'body must be {"reporter", "kind"}');
    await db.run(
      `INSERT INTO feed_reports (reporter, kind, at) VALUES ($1, $2, $3)
       ON CONFLICT (reporter) DO UPDATE SET kind = excluded.kind, at = excluded.at`,
      [parsed.data.reporter, parsed.data.kind, new Date().toISOString()],
    );
    send(res, 204, {});
  };

  const summary = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    sendJson(res, 200, await memberSummary(db, (await authenticate(req)).id));
  };

  return [
    { method: 'POST', path: '/v1/enroll', handler: withCors(enroll) },
    { method: 'POST', path: '/v1/enroll/check', handler: withCors(check) },
    { method: 'POST', path: '/v1/shares', handler: withCors(shares) },
    { method: 'GET', path: '/v1/me/summary', handler: withCors(summary) },
    { method: 'POST', path: '/v1/feed-reports', handler: withCors(feedReport) },
    preflight('/v1/feed-reports'),
    preflight('/v1/enroll'),
    preflight('/v1/enroll/check'),
    preflight('/v1/shares'),
    preflight('/v1/me/summary'),
  ];
}
