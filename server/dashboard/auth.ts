import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// The dashboard's single admin account and its sessions. Sessions live in memory: a restart
// logs the admin out, which is cheaper than storing session secrets.

export interface AdminCredentials {
  user: string;
  password: string;
}

/** For the demo only; `npm start` prints it, and a real agency sets SIAR_ADMIN_PASSWORD. */
export const DEMO_ADMIN: AdminCredentials = { user: 'admin', password: 'siar-demo' };

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant time: equal-length digests, and both fields always compared. */
export function credentialsMatch(given: AdminCredentials, expected: AdminCredentials): boolean {
  const user = timingSafeEqual(digest(given.user), digest(expected.user));
  const password = timingSafeEqual(digest(given.password), digest(expected.password));
  return user && password;
}

export const SESSION_COOKIE = 'siar_session';
const SESSION_HOURS = 12;

export function sessionCookie(id: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    // Strict: no other site can make the browser send it, so forms need no CSRF token.
    'SameSite=Strict',
    `Max-Age=${SESSION_HOURS * 3600}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const CLEARED_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class Sessions {
  /** Session id → when it expires (ms). */
  private readonly expiry = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  create(): string {
    const now = this.now();
    for (const [id, until] of this.expiry) if (until <= now) this.expiry.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.expiry.set(id, now + SESSION_HOURS * 3_600_000);
    return id;
  }

  /** The request's live session id, if it has one. */
  of(req: IncomingMessage): string | undefined {
    const id = cookieValue(req, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const until = this.expiry.get(id);
    if (until === undefined) return undefined;
    if (until > this.now()) return id;
    this.expiry.delete(id);
    return undefined;
  }

  delete(id: string): void {
    this.expiry.delete(id);
  }
}
