import type { IncomingMessage } from 'node:http';
import type { Role } from '../../utils/protocol/studio';
import type { Database } from '../db/sql';
import { HttpError } from '../http';
import type { FeedPublisher } from '../publish/versions';
import type { Account } from './accounts';
import { csrfOk, type Actor, type StudioAuth } from './auth';
import type { MediaStore } from './media-store';
import type { Posts } from './posts';

// Everything the studio's pages and its JSON API share: one object built by the app, so a page
// and an API call do the same thing through the same functions.

export interface StudioContext {
  db: Database;
  auth: StudioAuth;
  posts: Posts;
  publisher: FeedPublisher;
  media: MediaStore;
  base: () => string;
  secure: () => boolean;
  utcOffsetMinutes: number;
  /** The server runs as a demo (npm start): said on every page. */
  demo: boolean;
}

export const REVIEWERS: readonly Role[] = ['approver', 'admin'];
export const EVERYONE: readonly Role[] = ['editor', 'approver', 'admin'];

/** The actor of an API request with one of `roles`; 401 without a session, 403 for another role. */
export async function requireActor(ctx: StudioContext, req: IncomingMessage, roles: readonly Role[] = EVERYONE): Promise<Actor> {
  const actor = await ctx.auth.actor(req);
  if (!actor) throw new HttpError(401, 'unauthorized', 'log in first (POST api/v1/session)', { 'WWW-Authenticate': 'Bearer' });
  if (!roles.includes(actor.account.role)) throw new HttpError(403, 'forbidden', `this needs the role ${roles.join(' or ')}`);
  return actor;
}

/** State-changing calls from a cookie session must carry its CSRF token. */
export function requireCsrf(req: IncomingMessage, actor: Actor, given?: string): void {
  if (!csrfOk(req, actor, given)) throw new HttpError(403, 'csrf', 'missing or wrong CSRF token; reload the page');
}

/** An editor sees their own unit only. */
export function unitScope(account: Account): number | undefined {
  return account.role === 'editor' ? (account.unit_id ?? -1) : undefined;
}
