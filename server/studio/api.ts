import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  AccountRequestSchema,
  CommentBodySchema,
  CreatePostSchema,
  PatchPostSchema,
  POST_STATUSES,
  ReasonSchema,
  SessionRequestSchema,
  type PostStatus,
} from '../../utils/protocol/studio';
import { normalizeNip } from '../../utils/protocol/nip';
import { coverageByUnit, coverageMembers } from '../dashboard/coverage';
import { HttpError, readBody, readJson, send, sendJson, type Route } from '../http';
import { FeedBuildError } from '../publish/versions';
import {
  addCode,
  ensureUnit,
  issuePersonalCode,
  listUnits,
  loadRoster,
  memberById,
  moveMember,
  revokeCode,
  personalCodeUnit,
  revokeTokens,
  rotateCodes,
  searchMembers,
  setUnitArchived,
  unitById,
  unitByName,
} from '../tally/members';
import { weakCode } from '../tally/codes';
import { accountByUsername, AccountError, createAccount, listAccounts, publicAccount, setDisabled, setPassword } from './accounts';
import { audit, auditEntries } from './audit';
import { CampaignError, createCampaign, listCampaigns, setCampaignArchived } from './campaigns';
import { EVERYONE, requireActor, requireCsrf, REVIEWERS, unitScope, type StudioContext } from './context';
import { mediaUrl, UPLOAD_PIECE, type MediaRow } from './media-store';
import { actorOf } from './posts';
import { previewItem, previewPost } from './preview';

// The studio as a JSON API (docs/protocol.md, "The studio API") under `S api/v1/`: what the
// studio's pages do, for an agency's scripts and its CMS. Bearer tokens from `POST api/v1/session`;
// the pages' own cookie works too, with its CSRF token in `X-CSRF-Token`.

const JSON_MAX = 256 * 1024;
const ROSTER_MAX = 20 * 1024 * 1024;

type Ctx = { req: IncomingMessage; res: ServerResponse; url: URL; params: Record<string, string> };

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const text = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, 'bad_request', text.slice(0, 1000));
  }
  return parsed.data;
}

const ADMIN = ['admin'] as const;

export function studioApiRoutes(ctx: StudioContext): Route[] {
  const { db, posts, publisher, media } = ctx;

  /** A route for `roles`; state-changing methods check the cookie session's CSRF token. */
  const api = (
    method: Route['method'],
    path: string,
    roles: readonly ('editor' | 'approver' | 'admin')[],
    handler: (c: Ctx, actor: Awaited<ReturnType<typeof requireActor>>) => Promise<void>,
  ): Route => ({
    method,
    path: `/api/v1${path}`,
    handler: async (c) => {
      const actor = await requireActor(ctx, c.req, roles);
      if (method !== 'GET') requireCsrf(c.req, actor);
      await handler(c, actor);
    },
  });

  const mediaAnswer = (row: MediaRow) => ({
    id: row.id,
    url: mediaUrl(ctx.base(), row),
    sha256: row.sha256,
    width: row.width ?? 0,
    height: row.height ?? 0,
    bytes: row.bytes,
    mime_type: row.mime,
    ...(row.duration_ms !== null ? { duration_in_seconds: row.duration_ms / 1000 } : {}),
  });

  const unitOr404 = async (id: number, scope?: number) => {
    const unit = await unitById(db, id);
    if (!unit || (scope !== undefined && scope !== id)) throw new HttpError(404, 'not_found', 'no such unit');
    return unit;
  };

  return [
    {
      method: 'POST',
      path: '/api/v1/session',
      handler: async ({ req, res }) => {
        const body = parse(SessionRequestSchema, await readJson(req, 4096));
        const result = await ctx.auth.login(body.user, body.password, ctx.auth.address(req), 'api');
        if (!result.ok) {
          if (result.status === 429)
            throw new HttpError(429, 'rate_limited', `too many failed logins; retry in ${result.retryAfter} s`, {
              'Retry-After': String(result.retryAfter),
            });
          throw new HttpError(401, 'unauthorized', 'wrong user or password');
        }
        sendJson(res, 201, { token: result.token, role: result.account.role, expires_at: result.expiresAt });
      },
    },
    api('DELETE', '/session', EVERYONE, async ({ res }, actor) => {
      await ctx.auth.logout(actor);
      send(res, 204, {});
    }),

    // --- accounts --------------------------------------------------------------------------
    api('GET', '/accounts', ADMIN, async ({ res }) => {
      sendJson(res, 200, { accounts: (await listAccounts(db)).map(publicAccount) });
    }),
    api('POST', '/accounts', ADMIN, async ({ req, res }, actor) => {
      const body = parse(AccountRequestSchema, await readJson(req, 8192));
      try {
        const account = await db.tx(async (q) => {
          const made = await createAccount(q, body);
          await audit(q, actorOf(actor.account), {
            action: 'account_create',
            subject: `account:${made.username}`,
            after: publicAccount(made),
          });
          return made;
        });
        sendJson(res, 201, { user: account.username, role: account.role, unit: account.unit });
      } catch (error) {
        if (error instanceof AccountError) throw new HttpError(error.status, error.code, error.message);
        throw error;
      }
    }),

    api('POST', '/accounts/:user/disable', ADMIN, async ({ req, res, params }, actor) => {
      const { disabled } = parse(z.object({ disabled: z.boolean() }), await readJson(req, 1024));
      const account = await accountByUsername(db, params.user!);
      if (!account) throw new HttpError(404, 'not_found', 'no such account');
      if (account.id === actor.account.id) throw new HttpError(409, 'self', 'an admin does not disable their own account');
      await db.tx(async (q) => {
        await setDisabled(q, account.id, disabled);
        await audit(q, actorOf(actor.account), {
          action: disabled ? 'account_disable' : 'account_enable',
          subject: `account:${account.username}`,
        });
      });
      send(res, 204, {});
    }),
    api('POST', '/accounts/:user/password', ADMIN, async ({ req, res, params }, actor) => {
      const { password } = parse(z.object({ password: z.string().max(1024) }), await readJson(req, 4096));
      const account = await accountByUsername(db, params.user!);
      if (!account) throw new HttpError(404, 'not_found', 'no such account');
      try {
        await db.tx(async (q) => {
          await setPassword(q, account.id, password);
          // Never the password itself.
          await audit(q, actorOf(actor.account), { action: 'account_password', subject: `account:${account.username}` });
        });
      } catch (error) {
        if (error instanceof AccountError) throw new HttpError(error.status, error.code, error.message);
        throw error;
      }
      send(res, 204, {});
    }),

    // --- media -----------------------------------------------------------------------------
    api('POST', '/media', EVERYONE, async ({ req, res }, actor) => {
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      const row =
        type === 'video/mp4'
          ? await media.addVideo(req, actor.account.id)
          : await media.addImage(await readBody(req, media.limits.image.maxBytes), type, actor.account.id);
      await audit(db, actorOf(actor.account), {
        action: 'media_upload',
        subject: `media:${row.id}`,
        after: { kind: row.kind, bytes: row.bytes, sha256: row.sha256 },
      });
      sendJson(res, 201, mediaAnswer(row));
    }),

    // Videos in pieces: a slow line resumes where it stopped instead of starting over.
    api('POST', '/uploads', EVERYONE, async ({ req, res }, actor) => {
      const { type, size } = parse(z.object({ type: z.string(), size: z.number().int().positive() }), await readJson(req, 1024));
      sendJson(res, 201, await media.startUpload(actor.account.id, type, size));
    }),
    api('GET', '/uploads/:id', EVERYONE, async ({ res, params }, actor) => {
      const state = await media.upload(params.id!, actor.account.id);
      sendJson(res, 200, { offset: state.offset, size: state.size, ...(state.media ? { media: mediaAnswer(state.media) } : {}) });
    }),
    api('DELETE', '/uploads/:id', EVERYONE, async ({ res, params }, actor) => {
      await media.cancelUpload(params.id!, actor.account.id);
      send(res, 204, {});
    }),
    api('PUT', '/uploads/:id', EVERYONE, async ({ req, res, params }, actor) => {
      const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (!range) throw new HttpError(400, 'bad_request', 'each piece carries Content-Range: bytes START-END/SIZE');
      const bytes = await readBody(req, UPLOAD_PIECE);
      if (Number(range[2]) - Number(range[1]) + 1 !== bytes.length)
        throw new HttpError(400, 'bad_request', 'Content-Range does not match the piece');
      const result = await media.putPiece(params.id!, actor.account.id, Number(range[1]), bytes);
      if (!result.media) return sendJson(res, 200, { offset: result.offset, size: result.size });
      const row = result.media;
      await audit(db, actorOf(actor.account), {
        action: 'media_upload',
        subject: `media:${row.id}`,
        after: { kind: row.kind, bytes: row.bytes, sha256: row.sha256 },
      });
      sendJson(res, 201, mediaAnswer(row));
    }),

    // --- posts -----------------------------------------------------------------------------
    api('GET', '/posts', EVERYONE, async ({ res, url }, actor) => {
      const status = url.searchParams.get('status') ?? undefined;
      if (status && !(POST_STATUSES as readonly string[]).includes(status))
        throw new HttpError(400, 'bad_request', `unknown status ${status}`);
      const list = await posts.list(actor.account, {
        status: status as PostStatus | undefined,
        text: url.searchParams.get('q') ?? undefined,
        offset: Number(url.searchParams.get('offset') ?? 0) || 0,
        limit: Number(url.searchParams.get('limit') ?? 50) || 50,
      });
      sendJson(res, 200, list);
    }),
    api('POST', '/posts', EVERYONE, async ({ req, res }, actor) => {
      sendJson(res, 201, await posts.create(actor.account, parse(CreatePostSchema, await readJson(req, JSON_MAX))));
    }),
    api('GET', '/posts/:id', EVERYONE, async ({ res, params }, actor) => {
      sendJson(res, 200, await posts.get(actor.account, params.id!));
    }),
    api('PATCH', '/posts/:id', EVERYONE, async ({ req, res, params }, actor) => {
      sendJson(res, 200, await posts.update(actor.account, params.id!, parse(PatchPostSchema, await readJson(req, JSON_MAX))));
    }),
    api('POST', '/posts/:id/submit', EVERYONE, async ({ res, params }, actor) => {
      sendJson(res, 200, await posts.act(actor.account, params.id!, 'submit'));
    }),
    api('POST', '/posts/:id/approve', EVERYONE, async ({ res, params }, actor) => {
      sendJson(res, 200, await posts.act(actor.account, params.id!, 'approve'));
    }),
    api('POST', '/posts/:id/publish', EVERYONE, async ({ res, params }, actor) => {
      sendJson(res, 200, await posts.act(actor.account, params.id!, 'publish_now'));
    }),
    api('POST', '/posts/:id/request-changes', EVERYONE, async ({ req, res, params }, actor) => {
      const { comment } = parse(CommentBodySchema, await readJson(req, 16 * 1024));
      sendJson(res, 200, await posts.act(actor.account, params.id!, 'request_changes', { comment }));
    }),
    api('POST', '/posts/:id/withdraw', EVERYONE, async ({ req, res, params }, actor) => {
      const { reason } = parse(ReasonSchema, await readJson(req, 16 * 1024));
      sendJson(res, 200, await posts.act(actor.account, params.id!, 'withdraw', { reason }));
    }),
    api('POST', '/posts/:id/comments', EVERYONE, async ({ req, res, params }, actor) => {
      const { comment } = parse(CommentBodySchema, await readJson(req, 16 * 1024));
      sendJson(res, 201, await posts.comment(actor.account, params.id!, comment));
    }),
    api('GET', '/posts/:id/preview', EVERYONE, async ({ res, params }, actor) => {
      const post = await posts.get(actor.account, params.id!);
      const unit = await unitByName(db, post.unit);
      const campaign = post.campaign ? (await listCampaigns(db, true)).find((c) => c.slug === post.campaign) : undefined;
      const own = await Promise.all(post.media.map((id) => media.byId(db, id)));
      const image = own.find((m) => m?.kind === 'image');
      const video = own.find((m) => m?.kind === 'video');
      const { publisher: who, title, refreshMinutes, utcOffsetMinutes } = publisher.options;
      const item = previewItem(
        post,
        { base: ctx.base(), publisher: who, title, refreshMinutes, utcOffsetMinutes },
        {
          id: post.id,
          unitSlug: unit?.slug ?? undefined,
          campaignName: campaign?.name,
          image: image ? { url: mediaUrl(ctx.base(), image), sha256: image.sha256, mime: image.mime, bytes: image.bytes } : null,
          video: video
            ? {
                url: mediaUrl(ctx.base(), video),
                sha256: video.sha256,
                mime: video.mime,
                bytes: video.bytes,
                duration_ms: video.duration_ms,
                poster: image ? { url: mediaUrl(ctx.base(), image), sha256: image.sha256 } : null,
              }
            : null,
        },
      );
      const preview = previewPost(post, item);
      sendJson(res, 200, { ...preview.texts, warnings: preview.warnings });
    }),
    api('GET', '/posts/:id/coverage', EVERYONE, async ({ res, params, url }, actor) => {
      // A published post is every unit's to share: an editor sees its coverage in their own unit.
      const row = await posts.row(db, params.id!);
      if (!row || !row.published_at) throw new HttpError(404, 'not_found', 'no published post with this id');
      const scope = unitScope(actor.account);
      const unit = Number(url.searchParams.get('unit') ?? 0) || scope;
      if (unit !== undefined) {
        await unitOr404(unit, scope);
        const offset = Number(url.searchParams.get('offset') ?? 0) || 0;
        sendJson(res, 200, await coverageMembers(db, params.id!, unit, offset));
        return;
      }
      sendJson(res, 200, { units: await coverageByUnit(db, params.id!) });
    }),

    // --- the feed ----------------------------------------------------------------------------
    api('GET', '/feed', EVERYONE, async ({ res }) => {
      const current = await publisher.current();
      const pending = publisher.options.signing.mode === 'offline' ? await publisher.pending() : undefined;
      sendJson(res, 200, {
        version: current?.version ?? 0,
        issued_at: current?.issuedAt ?? null,
        items: current?.items.size ?? 0,
        signed: Boolean(current?.signature),
        public_key: publisher.publicKey,
        mode: publisher.options.signing.mode,
        pending: pending?.version ?? null,
      });
    }),
    api('GET', '/feed/versions', REVIEWERS, async ({ res }) => {
      sendJson(res, 200, { versions: await publisher.versions() });
    }),
    api('POST', '/feed/versions/:n/restore', ADMIN, async ({ res, params }, actor) => {
      const n = Number(params.n);
      if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'bad_request', 'a version is a positive number');
      try {
        sendJson(res, 200, await publisher.restore(n, actorOf(actor.account)));
      } catch (error) {
        if (error instanceof FeedBuildError) throw new HttpError(404, 'not_found', error.message);
        throw error;
      }
    }),
    api('GET', '/feed/pending', REVIEWERS, async ({ res }) => {
      const pending = await publisher.pending();
      if (!pending) throw new HttpError(404, 'not_found', 'no version is waiting for a signature');
      send(
        res,
        200,
        {
          'Content-Type': 'application/feed+json; charset=utf-8',
          'Cache-Control': 'no-store',
          'Siar-Feed-Version': String(pending.version),
        },
        pending.body,
      );
    }),
    api('POST', '/feed/pending/signature', REVIEWERS, async ({ req, res }, actor) => {
      const signature = (await readBody(req, 1024)).toString('utf8');
      const result = await publisher.acceptSignature(signature, actorOf(actor.account));
      if (!result.ok) {
        throw new HttpError(
          422,
          'bad_signature',
          result.version ? "the signature does not verify against the agency's public key" : 'no version is waiting for a signature',
        );
      }
      sendJson(res, 200, { version: result.version, state: 'live' });
    }),

    // --- audit -------------------------------------------------------------------------------
    api('GET', '/audit', REVIEWERS, async ({ res, url }) => {
      const entries = await auditEntries(db, {
        post: url.searchParams.get('post') ?? undefined,
        user: url.searchParams.get('user') ?? undefined,
        action: url.searchParams.get('action') ?? undefined,
        before: Number(url.searchParams.get('before') ?? 0) || 0,
        limit: Number(url.searchParams.get('limit') ?? 100) || 100,
      });
      sendJson(res, 200, { entries: entries.map(({ id: _id, ...e }) => e), next: entries.length > 0 ? entries.at(-1)!.id : null });
    }),

    // --- units, codes, members, roster, campaigns ----------------------------------------------
    api('GET', '/units', EVERYONE, async ({ res }, actor) => {
      const scope = unitScope(actor.account);
      const units = (await listUnits(db)).filter((u) => scope === undefined || u.id === scope);
      sendJson(res, 200, { units });
    }),
    api('POST', '/units', ADMIN, async ({ req, res }, actor) => {
      const { name } = parse(z.object({ name: z.string().trim().min(2).max(200) }), await readJson(req, 4096));
      const unit = await db.tx(async (q) => {
        const made = await ensureUnit(q, name);
        const code = await addCode(q, made.id);
        await audit(q, actorOf(actor.account), { action: 'unit_create', subject: `unit:${made.id}`, after: { name: made.name, code } });
        return { ...made, codes: [code] };
      });
      sendJson(res, 201, unit);
    }),
    api('POST', '/units/:id/archive', ADMIN, async ({ req, res, params }, actor) => {
      const { archived } = parse(z.object({ archived: z.boolean() }), await readJson(req, 1024));
      const unit = await unitOr404(Number(params.id));
      await db.tx(async (q) => {
        await setUnitArchived(q, unit.id, archived);
        await audit(q, actorOf(actor.account), { action: archived ? 'unit_archive' : 'unit_restore', subject: `unit:${unit.id}` });
      });
      send(res, 204, {});
    }),
    api('POST', '/units/:id/codes', ADMIN, async ({ req, res, params }, actor) => {
      const { rotate, code } = parse(
        z.object({ rotate: z.boolean().optional(), code: z.string().trim().max(41).optional() }),
        await readJson(req, 1024),
      );
      const weak = code && !rotate ? weakCode(code) : undefined;
      if (weak) throw new HttpError(400, 'weak_code', weak);
      const unit = await unitOr404(Number(params.id));
      const result = await db.tx(async (q) => {
        try {
          const out = rotate ? await rotateCodes(q, unit.id) : { revoked: [], code: await addCode(q, unit.id, code || undefined) };
          await audit(q, actorOf(actor.account), {
            action: rotate ? 'code_rotate' : 'code_create',
            subject: `unit:${unit.id}`,
            before: { codes: out.revoked },
            after: { code: out.code },
          });
          return out;
        } catch (error) {
          throw new HttpError(409, 'code_taken', (error as Error).message);
        }
      });
      sendJson(res, 201, result);
    }),
    api('DELETE', '/codes/:code', ADMIN, async ({ res, params }, actor) => {
      const removed = await db.tx(async (q) => {
        const n = await revokeCode(q, params.code!);
        if (n > 0) await audit(q, actorOf(actor.account), { action: 'code_revoke', subject: `code:${params.code}` });
        return n;
      });
      if (removed === 0) throw new HttpError(404, 'not_found', 'no such code');
      send(res, 204, {});
    }),
    api('GET', '/members', EVERYONE, async ({ res, url }, actor) => {
      const scope = unitScope(actor.account);
      sendJson(
        res,
        200,
        await searchMembers(db, {
          text: url.searchParams.get('q') ?? '',
          unitId: scope ?? (Number(url.searchParams.get('unit') ?? 0) || undefined),
          offset: Number(url.searchParams.get('offset') ?? 0) || 0,
        }),
      );
    }),
    api('POST', '/members/:id/move', ADMIN, async ({ req, res, params }, actor) => {
      const { unit } = parse(z.object({ unit: z.string().trim().min(1).max(200) }), await readJson(req, 1024));
      const member = await memberById(db, Number(params.id));
      const target = await unitByName(db, unit);
      if (!member) throw new HttpError(404, 'not_found', 'no such member');
      if (!target || target.archived_at) throw new HttpError(400, 'unknown_unit', `no unit named ${unit}`);
      await db.tx(async (q) => {
        await moveMember(q, member.id, Number(target.id));
        await audit(q, actorOf(actor.account), {
          action: 'member_move',
          subject: `nip:${member.nip}`,
          before: { unit: member.unit },
          after: { unit: target.name },
        });
      });
      sendJson(res, 200, await memberById(db, member.id));
    }),
    api('POST', '/members/:id/revoke', ADMIN, async ({ res, params }, actor) => {
      const member = await memberById(db, Number(params.id));
      if (!member) throw new HttpError(404, 'not_found', 'no such member');
      const revoked = await db.tx(async (q) => {
        const n = await revokeTokens(q, member.id);
        await audit(q, actorOf(actor.account), { action: 'member_revoke', subject: `nip:${member.nip}`, after: { tokens: n } });
        return n;
      });
      sendJson(res, 200, { revoked });
    }),
    api('POST', '/personal-codes', EVERYONE, async ({ req, res }, actor) => {
      const { nip } = parse(z.object({ nip: z.string().trim().min(18).max(40) }), await readJson(req, 1024));
      const scope = unitScope(actor.account);
      const clean = normalizeNip(nip);
      const unitId = await personalCodeUnit(db, clean);
      // The unit's editor issues codes for the unit's people only; 404 keeps other units' NIPs unknown.
      if (unitId === undefined || (scope !== undefined && unitId !== scope))
        throw new HttpError(404, 'not_found', 'no member or roster entry with this NIP in your reach');
      const issued = await db.tx(async (q) => {
        const made = await issuePersonalCode(q, clean, actor.account.id);
        await audit(q, actorOf(actor.account), {
          action: 'personal_code',
          subject: `nip:${clean}`,
          after: { expires_at: made.expires_at },
        });
        return made;
      });
      sendJson(res, 201, issued);
    }),
    api('POST', '/roster', ADMIN, async ({ req, res, url }, actor) => {
      const text = (await readBody(req, ROSTER_MAX)).toString('utf8');
      const replace = url.searchParams.get('replace') === '1';
      const result = await db.tx(async (q) => {
        const r = await loadRoster(q, text, { replace });
        await audit(q, actorOf(actor.account), {
          action: 'roster_upload',
          subject: 'roster',
          after: { added: r.added, updated: r.updated, removed: r.removed, refused: r.refused.length },
        });
        return r;
      });
      sendJson(res, 200, result);
    }),
    api('GET', '/campaigns', EVERYONE, async ({ res }) => {
      sendJson(res, 200, { campaigns: await listCampaigns(db, true) });
    }),
    api('POST', '/campaigns', ADMIN, async ({ req, res }, actor) => {
      const { name, slug } = parse(
        z.object({ name: z.string().trim().min(1).max(200), slug: z.string().trim().max(64).optional() }),
        await readJson(req, 4096),
      );
      const made = await db.tx(async (q) => {
        try {
          const c = await createCampaign(q, name, slug || undefined);
          await audit(q, actorOf(actor.account), { action: 'campaign_create', subject: `campaign:${c.slug}`, after: c });
          return c;
        } catch (error) {
          if (error instanceof CampaignError) throw new HttpError(error.code === 'campaign_exists' ? 409 : 400, error.code, error.message);
          throw error;
        }
      });
      sendJson(res, 201, made);
    }),
    api('POST', '/campaigns/:slug/archive', ADMIN, async ({ req, res, params }, actor) => {
      const { archived } = parse(z.object({ archived: z.boolean() }), await readJson(req, 1024));
      await db.tx(async (q) => {
        if (!(await setCampaignArchived(q, params.slug!, archived))) throw new HttpError(404, 'not_found', 'no such campaign');
        await audit(q, actorOf(actor.account), {
          action: archived ? 'campaign_archive' : 'campaign_restore',
          subject: `campaign:${params.slug}`,
        });
      });
      send(res, 204, {});
    }),
  ];
}
