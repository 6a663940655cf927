import type { z } from 'zod';
import {
  CAPTION_PLATFORMS,
  type CommentSchema,
  type CreatePost,
  type PostStatus,
  type PatchPost,
  type PostFields,
  type PostObject,
} from '../../utils/protocol/studio';
import { inList, type Database, type Queryable } from '../db/sql';
import { HttpError } from '../http';
import { postPageUrl } from '../publish/build';
import type { FeedPublisher } from '../publish/versions';
import { unitById, unitByName, slugify } from '../tally/members';
import type { Account } from './accounts';
import { audit, diff, type AuditActor } from './audit';
import { afterApproval, mayDo, type PostAction } from './workflow';

// Posts in the studio: created, edited (only as drafts or when changes were requested, and only
// from the version last read), moved through the workflow, commented on. Each step is one
// transaction with its audit entry and, when the feed changes, the new feed version: a withdrawal
// is in the feed the moment the approver's request returns.

export interface PostRow {
  id: string;
  unit_id: number;
  author_id: number;
  status: PostStatus;
  version: number;
  title: string;
  body: string;
  captions: string;
  hashtags: string;
  url: string | null;
  media: string;
  campaign: string | null;
  priority: PostFields['priority'];
  publish_at: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_by: number | null;
  approved_at: string | null;
  published_at: string | null;
  withdrawn_at: string | null;
  withdraw_reason: string | null;
  unit_name: string;
  author: string;
}

export interface PostSummary {
  id: string;
  title: string;
  status: PostStatus;
  unit: string;
  author: string;
  priority: PostFields['priority'];
  updated_at: string;
  publish_at: string | null;
  expires_at: string | null;
  version: number;
}

const SELECT_POST = `SELECT posts.*, units.name AS unit_name, accounts.username AS author
  FROM posts JOIN units ON units.id = posts.unit_id JOIN accounts ON accounts.id = posts.author_id`;

/** A publish time this far in the past is a mistake, not "now". */
const PAST_SLACK_MS = 5 * 60_000;

export function actorOf(account: Account): AuditActor {
  return { id: account.id, username: account.username };
}

function fieldsOf(row: PostRow): PostFields {
  return {
    title: row.title,
    text: row.body,
    captions: JSON.parse(row.captions) as PostFields['captions'],
    hashtags: JSON.parse(row.hashtags) as string[],
    url: row.url,
    media: JSON.parse(row.media) as string[],
    unit: row.unit_name,
    campaign: row.campaign,
    priority: row.priority,
    publish_at: row.publish_at,
    expires_at: row.expires_at,
  };
}

function asRow(row: PostRow): PostRow {
  return { ...row, unit_id: Number(row.unit_id), author_id: Number(row.author_id), version: Number(row.version) };
}

export type Comment = z.infer<typeof CommentSchema>;

export class Posts {
  constructor(
    private readonly db: Database,
    private readonly publisher: FeedPublisher,
    private readonly options: { base: () => string; utcOffsetMinutes: number },
  ) {}

  async row(q: Queryable, id: string): Promise<PostRow | undefined> {
    const row = await q.get<PostRow>(`${SELECT_POST} WHERE posts.id = $1`, [id]);
    return row && asRow(row);
  }

  /** The post as `actor` may see it; 404 for another unit's post seen by an editor. */
  private async visible(q: Queryable, actor: Account, id: string, action: PostAction): Promise<PostRow> {
    const row = await this.row(q, id);
    if (!row) throw new HttpError(404, 'not_found', 'no such post');
    const verdict = mayDo(action, row, { id: actor.id, role: actor.role, unit_id: actor.unit_id });
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.code, verdict.message);
    return row;
  }

  async comments(q: Queryable, id: string): Promise<Comment[]> {
    const rows = await q.all<{ at: string; username: string; kind: string; body: string }>(
      `SELECT post_comments.at, accounts.username, post_comments.kind, post_comments.body FROM post_comments
       JOIN accounts ON accounts.id = post_comments.account_id WHERE post_id = $1 ORDER BY post_comments.id`,
      [id],
    );
    return rows.map((r) => ({ at: r.at, user: r.username, kind: r.kind, text: r.body }));
  }

  async object(q: Queryable, row: PostRow): Promise<PostObject> {
    return {
      ...fieldsOf(row),
      id: row.id,
      status: row.status,
      author: row.author,
      version: row.version,
      created_at: row.created_at,
      updated_at: row.updated_at,
      link: row.url ?? postPageUrl(this.options.base(), row.id),
      comments: await this.comments(q, row.id),
      withdraw_reason: row.withdraw_reason,
    };
  }

  async get(actor: Account, id: string): Promise<PostObject> {
    return this.object(this.db, await this.visible(this.db, actor, id, 'view'));
  }

  async list(
    actor: Account,
    filter: { status?: PostStatus; text?: string; unit?: number; offset?: number; limit?: number } = {},
  ): Promise<{ posts: PostSummary[]; more: boolean }> {
    const unit = actor.role === 'editor' ? (actor.unit_id ?? -1) : (filter.unit ?? 0);
    const text = (filter.text ?? '').trim().toLowerCase();
    const limit = Math.min(filter.limit ?? 50, 200);
    const rows = await this.db.all<PostRow>(
      `${SELECT_POST} WHERE ($1 = '' OR posts.status = $1) AND ($2 = 0 OR posts.unit_id = $2)
         AND ($3 = '' OR lower(posts.title) LIKE $4 ESCAPE '\\' OR posts.id = $3)
       ORDER BY posts.updated_at DESC, posts.id LIMIT $5 OFFSET $6`,
      [filter.status ?? '', unit, text, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit + 1, filter.offset ?? 0],
    );
    return {
      posts: rows.slice(0, limit).map((r) => {
        const row = asRow(r);
        return {
          id: row.id,
          title: row.title,
          status: row.status,
          unit: row.unit_name,
          author: row.author,
          priority: row.priority,
          updated_at: row.updated_at,
          publish_at: row.publish_at,
          expires_at: row.expires_at,
          version: row.version,
        };
      }),
      more: rows.length > limit,
    };
  }

  /** Checks what zod cannot: units, media, campaigns and times against the database and the clock. */
  private async resolve(q: Queryable, actor: Account, fields: PostFields, now: number, previous?: PostRow): Promise<{ unitId: number }> {
    const unit = await unitByName(q, fields.unit);
    if (!unit || unit.archived_at) throw new HttpError(400, 'unknown_unit', `no unit named ${fields.unit}`);
    // An editor writes for their own unit only: no field reaches another unit's posts.
    if (actor.role === 'editor' && Number(unit.id) !== actor.unit_id) {
      throw new HttpError(403, 'forbidden', 'an editor writes posts of their own unit only');
    }
    if (fields.media.length > 0) {
      const rows = await q.all<{ id: string; kind: string }>(
        `SELECT id, kind FROM media WHERE id IN (${inList(fields.media.length)})`,
        fields.media,
      );
      if (rows.length !== new Set(fields.media).size)
        throw new HttpError(400, 'unknown_media', 'a media id is not an upload of this server');
      const kinds = rows.map((r) => r.kind);
      if (kinds.filter((k) => k === 'image').length > 1 || kinds.filter((k) => k === 'video').length > 1) {
        throw new HttpError(400, 'too_many_media', 'a post carries at most one picture and one video');
      }
    }
    if (fields.campaign) {
      const campaign = await q.get<{ archived_at: string | null }>('SELECT archived_at FROM campaigns WHERE slug = $1', [fields.campaign]);
      if (!campaign || (campaign.archived_at && previous?.campaign !== fields.campaign)) {
        throw new HttpError(400, 'unknown_campaign', `no campaign ${fields.campaign} in the list`);
      }
    }
    const publishAt = fields.publish_at ? Date.parse(fields.publish_at) : undefined;
    if (publishAt !== undefined && publishAt < now - PAST_SLACK_MS && fields.publish_at !== previous?.publish_at) {
      throw new HttpError(400, 'publish_in_past', 'the publish time has passed; leave it empty to publish as soon as approved');
    }
    if (fields.expires_at) {
      const expires = Date.parse(fields.expires_at);
      if (expires <= (publishAt ?? now)) throw new HttpError(400, 'expiry_before_publish', 'the post would expire before it is published');
    }
    const variants = Object.values(fields.captions).flat();
    if (variants.length === 0 && !fields.title.trim()) throw new HttpError(400, 'empty', 'a post needs a title or a caption');
    return { unitId: Number(unit.id) };
  }

  private normalise(fields: PostFields): PostFields {
    const captions: PostFields['captions'] = {};
    for (const [platform, list] of Object.entries(fields.captions)) {
      const clean = (list ?? []).map((v) => v.trim()).filter(Boolean);
      if (clean.length > 0) captions[platform] = clean;
    }
    return {
      ...fields,
      title: fields.title.trim(),
      captions,
      hashtags: [...new Set(fields.hashtags)],
      url: fields.url?.trim() || null,
      publish_at: fields.publish_at ? new Date(fields.publish_at).toISOString() : null,
      expires_at: fields.expires_at ? new Date(fields.expires_at).toISOString() : null,
    };
  }

  private async newId(q: Queryable, title: string, now: number): Promise<string> {
    const day = new Date(now + this.options.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
    const stem = `${day}-${slugify(title).slice(0, 50).replace(/-+$/, '')}`;
    let id = stem;
    for (let n = 2; await q.get('SELECT id FROM posts WHERE id = $1', [id]); n++) id = `${stem}-${n}`;
    return id;
  }

  async create(actor: Account, input: CreatePost, now = Date.now()): Promise<PostObject> {
    let unitName = input.unit;
    if (!unitName || actor.role === 'editor') {
      const own = actor.unit_id !== null ? await unitById(this.db, actor.unit_id) : undefined;
      if (actor.role === 'editor' && input.unit && own && input.unit.trim().toLowerCase() !== own.name.toLowerCase()) {
        throw new HttpError(403, 'forbidden', 'an editor writes posts of their own unit only');
      }
      unitName = own?.name ?? unitName;
    }
    if (!unitName) throw new HttpError(400, 'unknown_unit', 'say which unit the post belongs to');
    const fields = this.normalise({
      title: input.title,
      text: input.text ?? '',
      captions: input.captions ?? {},
      hashtags: input.hashtags ?? [],
      url: input.url ?? null,
      media: input.media ?? [],
      unit: unitName,
      campaign: input.campaign ?? null,
      priority: input.priority ?? 'normal',
      publish_at: input.publish_at ?? null,
      expires_at: input.expires_at ?? null,
    });
    return this.db.tx(async (q) => {
      const { unitId } = await this.resolve(q, actor, fields, now);
      const id = await this.newId(q, fields.title, now);
      const stamp = new Date(now).toISOString();
      await q.run(
        `INSERT INTO posts (id, unit_id, author_id, status, version, title, body, captions, hashtags, url, media, campaign, priority,
           publish_at, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
        [
          id,
          unitId,
          actor.id,
          fields.title,
          fields.text,
          JSON.stringify(fields.captions),
          JSON.stringify(fields.hashtags),
          fields.url,
          JSON.stringify(fields.media),
          fields.campaign,
          fields.priority,
          fields.publish_at,
          fields.expires_at,
          stamp,
        ],
      );
      await audit(q, actorOf(actor), { action: 'create', post: id, after: fields }, now);
      return this.object(q, (await this.row(q, id))!);
    });
  }

  async update(actor: Account, id: string, patch: PatchPost, now = Date.now()): Promise<PostObject> {
    return this.db.tx(async (q) => {
      const row = await this.visible(q, actor, id, 'edit');
      // Two tabs, or two people: the second save from an old copy is refused, never merged.
      if (patch.version !== row.version) {
        throw new HttpError(
          409,
          'version_conflict',
          `the post was saved by someone else (version ${row.version}, yours ${patch.version}); reload it`,
        );
      }
      const { version: _v, ...changes } = patch;
      const before = fieldsOf(row);
      const after = this.normalise({
        ...before,
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      } as PostFields);
      const { unitId } = await this.resolve(q, actor, after, now, row);
      const { before: b, after: a } = diff(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>);
      if (Object.keys(a).length === 0) return this.object(q, row);
      const stamp = new Date(now).toISOString();
      const { changes: n } = await q.run(
        `UPDATE posts SET unit_id = $2, title = $3, body = $4, captions = $5, hashtags = $6, url = $7, media = $8, campaign = $9,
           priority = $10, publish_at = $11, expires_at = $12, updated_at = $13, version = version + 1
         WHERE id = $1 AND version = $14`,
        [
          id,
          unitId,
          after.title,
          after.text,
          JSON.stringify(after.captions),
          JSON.stringify(after.hashtags),
          after.url,
          JSON.stringify(after.media),
          after.campaign,
          after.priority,
          after.publish_at,
          after.expires_at,
          stamp,
          row.version,
        ],
      );
      if (n !== 1) throw new HttpError(409, 'version_conflict', 'the post was saved by someone else; reload it');
      await audit(q, actorOf(actor), { action: 'edit', post: id, before: b, after: a }, now);
      return this.object(q, (await this.row(q, id))!);
    });
  }

  async comment(actor: Account, id: string, text: string, now = Date.now()): Promise<PostObject> {
    return this.db.tx(async (q) => {
      const row = await this.visible(q, actor, id, 'comment');
      await q.run('INSERT INTO post_comments (post_id, account_id, kind, body, at) VALUES ($1, $2, $3, $4, $5)', [
        id,
        actor.id,
        'comment',
        text,
        new Date(now).toISOString(),
      ]);
      await audit(q, actorOf(actor), { action: 'comment', post: id, after: { comment: text } }, now);
      return this.object(q, row);
    });
  }

  /** submit · approve · request_changes (with a comment) · withdraw (with a reason) · publish_now */
  async act(
    actor: Account,
    id: string,
    action: 'submit' | 'approve' | 'request_changes' | 'withdraw' | 'publish_now',
    words: { comment?: string; reason?: string } = {},
    now = Date.now(),
  ): Promise<PostObject> {
    return this.db.tx(async (q) => {
      const row = await this.visible(q, actor, id, action);
      const stamp = new Date(now).toISOString();
      const who = actorOf(actor);
      let status: PostStatus;
      let rebuild = false;
      switch (action) {
        case 'submit':
          status = 'submitted';
          await q.run("UPDATE posts SET status = 'submitted', submitted_at = $2, updated_at = $2 WHERE id = $1", [id, stamp]);
          break;
        case 'request_changes':
          if (!words.comment) throw new HttpError(400, 'comment_required', 'say what needs to change');
          status = 'changes_requested';
          await q.run("UPDATE posts SET status = 'changes_requested', updated_at = $2 WHERE id = $1", [id, stamp]);
          await q.run('INSERT INTO post_comments (post_id, account_id, kind, body, at) VALUES ($1, $2, $3, $4, $5)', [
            id,
            actor.id,
            'request_changes',
            words.comment,
            stamp,
          ]);
          break;
        case 'approve':
          status = afterApproval(row.publish_at, now);
          await q.run('UPDATE posts SET status = $2, approved_by = $3, approved_at = $4, updated_at = $4 WHERE id = $1', [
            id,
            status,
            actor.id,
            stamp,
          ]);
          rebuild = status === 'approved';
          break;
        case 'publish_now':
          status = 'approved';
          await q.run("UPDATE posts SET status = 'approved', publish_at = $2, updated_at = $2 WHERE id = $1", [id, stamp]);
          rebuild = true;
          break;
        case 'withdraw':
          if (!words.reason) throw new HttpError(400, 'reason_required', 'say why the post is withdrawn');
          status = 'withdrawn';
          await q.run("UPDATE posts SET status = 'withdrawn', withdrawn_at = $2, withdraw_reason = $3, updated_at = $2 WHERE id = $1", [
            id,
            stamp,
            words.reason,
          ]);
          rebuild = row.status !== 'scheduled';
          break;
      }
      await audit(
        q,
        who,
        {
          action,
          post: id,
          before: { status: row.status },
          after: { status, ...(words.comment ? { comment: words.comment } : {}), ...(words.reason ? { reason: words.reason } : {}) },
        },
        now,
      );
      if (rebuild) await this.publisher.rebuild(q, who, `${action}: ${id}`, now);
      return this.object(q, (await this.row(q, id))!);
    });
  }
}

export { CAPTION_PLATFORMS };
