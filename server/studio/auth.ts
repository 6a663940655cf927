import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SESSION_HOURS } from '../../utils/protocol/studio';
import type { Database } from '../db/sql';
import { clientAddress } from '../guard/client';
import { lockFor } from '../db/partitions';
import { blockedFor, clearFailures, recordFailure } from '../guard/failures';
import { takeToken, type RateLimit } from '../guard/rate';
import { bearerToken } from '../tally/tokens';
import { accountById, accountByUsername, type Account } from './accounts';
import { DUMMY_HASH, verifyPassword } from './passwords';

// Who is asking: studio sessions (the pages' cookie) and API tokens (Bearer), both rows in the
// database keyed by the secret's SHA-256, so any server process can check them and a restart
// logs nobody out. Cookie sessions carry a CSRF token every form and state-changing call repeats.

export const SESSION_COOKIE = 'siar_session';
export const LOGIN_LIMIT: RateLimit = { perMinute: 10, burst: 10 };

export interface Actor {
  account: Account;
  kind: 'cookie' | 'api';
  csrf: string;
  hash: Buffer;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

export function sessionCookie(id: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    // Strict: no other site can make the browser send it; forms carry a CSRF token as well.
    'SameSite=Strict',
    `Max-Age=${SESSION_HOURS * 3600}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const CLEARED_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sameSecret(a: string, b: string): boolean {
  const x = digest(a);
  const y = digest(b);
  return timingSafeEqual(x, y);
}

export type LoginResult =
  { ok: true; token: string; csrf: string; account: Account; expiresAt: string } | { ok: false; status: 401 | 429; retryAfter?: number };

export class StudioAuth {
  constructor(
    private readonly db: Database,
    private readonly trustProxy: number,
  ) {}

  address(req: IncomingMessage): string {
    return clientAddress(req, this.trustProxy);
  }

  /**
   * Checks a user and password, slowly for guessers: a budget per address, and failures counted
   * per account and per address with growing waits. The same answer for an unknown user and a
   * wrong password, after the same work.
   */
  async login(user: string, password: string, address: string, kind: 'cookie' | 'api', now = Date.now()): Promise<LoginResult> {
    const userKey = `login-user:${user.trim().toLowerCase().slice(0, 100)}`;
    const addrKey = `login-addr:${address}`;
    const spent = await takeToken(this.db, addrKey, LOGIN_LIMIT, now);
    if (spent > 0) return { ok: false, status: 429, retryAfter: spent };
    const alert = (key: string, count: number) => ({
      kind: 'login_guessing',
      subject: key.startsWith('login-user:') ? `akun ${key.slice(11)}` : `alamat ${key.slice(11)}`,
      detail: `${count} percobaan masuk gagal dalam 24 jam`,
    });
    // Each try is counted against the account before the password is checked, in one step with
    // the check of its wait: guesses sent all at once cannot all slip in while scrypt runs.
    const blocked = await this.db.tx(async (q) => {
      await lockFor(q, userKey);
      const wait = Math.max(await blockedFor(q, userKey, now), await blockedFor(q, addrKey, now));
      if (wait > 0) return wait;
      await recordFailure(q, [{ key: userKey }], alert, now);
      return 0;
    });
    if (blocked > 0) return { ok: false, status: 429, retryAfter: blocked };
    const account = await accountByUsername(this.db, user);
    const good = await verifyPassword(password, account?.password_hash ?? DUMMY_HASH);
    if (!account || !good || account.disabled_at) {
      const wait = await this.db.tx(async (q) => {
        const perAddress = await recordFailure(q, [{ key: addrKey }], alert, now);
        return Math.max(perAddress, await blockedFor(q, userKey, now));
      });
      return wait > 0 ? { ok: false, status: 429, retryAfter: wait } : { ok: false, status: 401 };
    }
    // The right password: the account's count starts over (the try counted above included).
    await clearFailures(this.db, userKey);
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now + SESSION_HOURS * 3_600_000).toISOString();
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM sessions WHERE expires_at < $1', [new Date(now).toISOString()]);
      await q.run('INSERT INTO sessions (hash, account_id, kind, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        digest(token),
        account.id,
        kind,
        csrf,
        new Date(now).toISOString(),
        expiresAt,
      ]);
      await q.run('UPDATE accounts SET last_login_at = $2 WHERE id = $1', [account.id, new Date(now).toISOString()]);
    });
    return { ok: true, token, csrf, account, expiresAt };
  }

  /** The account behind the request's Bearer token or session cookie, if live. */
  async actor(req: IncomingMessage, now = Date.now()): Promise<Actor | undefined> {
    const bearer = bearerToken(req.headers.authorization);
    const secret = bearer ?? cookieValue(req, SESSION_COOKIE);
    if (!secret || secret.length > 200) return undefined;
    const hash = digest(secret);
    const row = await this.db.get<{ account_id: number; kind: 'cookie' | 'api'; csrf: string; expires_at: string }>(
      'SELECT account_id, kind, csrf, expires_at FROM sessions WHERE hash = $1',
      [hash],
    );
    if (!row || Date.parse(row.expires_at) <= now) return undefined;
    // A token made for the API is not a cookie, and a cookie is not a Bearer token.
    if ((bearer !== undefined) !== (row.kind === 'api')) return undefined;
    const account = await accountById(this.db, Number(row.account_id));
    if (!account || account.disabled_at) return undefined;
    return { account, kind: row.kind, csrf: row.csrf, hash };
  }

  async logout(actor: Actor): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE hash = $1', [actor.hash]);
  }
}

/**
 * Whether a state-changing request may proceed: API tokens are not sent by browsers on their own,
 * so only cookie sessions need the CSRF token (a form field or the `X-CSRF-Token` header), and a
 * browser that says the request comes from another site is refused outright.
 */
export function csrfOk(req: IncomingMessage, actor: Actor, given: string | undefined): boolean {
  if (actor.kind === 'api') return true;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const token = given ?? (req.headers['x-csrf-token'] as string | undefined);
  return typeof token === 'string' && token.length > 0 && sameSecret(token, actor.csrf);
}

export { SESSION_HOURS };
