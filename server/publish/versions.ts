import { createHash } from 'node:crypto';
import { FeedEnvelopeSchema, ItemSchema, parseFeedText } from '../../utils/protocol/feed';
import type { PostStatus } from '../../utils/protocol/studio';
import { inList, type Database, type Queryable } from '../db/sql';
import { etagOf } from '../http';
import { signFeed, verifyFeed, type SigningKey } from '../signing';
import { audit, auditMany, SYSTEM, type AuditActor } from '../studio/audit';
import { mediaUrl, type MediaRow } from '../studio/media-store';
import { isLive } from '../studio/workflow';
import { buildFeed, feedPieces, type FeedContext, type MediaRef, type PostForFeed } from './build';

// Feed versions: publishing builds feed.json from the posts that are live now, checks it with
// the project's own schemas before anyone can fetch it, signs its exact bytes, and makes it the
// served version by changing one row — feed.json and feed.json.sig always come from the same
// version, so a client never gets a signature for other bytes. Every version is kept.
//
// Online signing (default): the key file is on the server. Offline: the key never touches the
// server; a new version waits as `pending` until a signature that verifies is uploaded.

export type Signing = { mode: 'online'; key: SigningKey } | { mode: 'offline'; publicKey: string };

export interface PublisherOptions extends Omit<FeedContext, 'base'> {
  base: () => string;
  signing: Signing;
}

export interface ServedVersion {
  version: number;
  body: Buffer;
  etag: string;
  signature: string | null;
  issuedAt: string;
  liveAt: string;
  items: ReadonlySet<string>;
  feedUrl: string;
}

export interface VersionSummary {
  version: number;
  issued_at: string;
  items: number;
  state: 'live' | 'pending' | 'superseded' | 'discarded';
  reason: string;
  restored_from: number | null;
  signed: boolean;
  created_at: string;
  live_at: string | null;
  created_by: string | null;
}

export class FeedBuildError extends Error {}

interface PostRow {
  id: string;
  title: string;
  body: string;
  captions: string;
  hashtags: string;
  url: string | null;
  media: string;
  priority: 'normal' | 'high' | 'mandatory';
  status: PostStatus;
  publish_at: string | null;
  expires_at: string | null;
  published_at: string | null;
  updated_at: string;
  unit_slug: string | null;
  unit_name: string;
  campaign_slug: string | null;
  campaign_name: string | null;
}

/** Content hash of a feed without its issue time: an unchanged feed makes no new version. */
const SELECT_FOR_FEED = `SELECT posts.id, posts.title, posts.body, posts.captions, posts.hashtags, posts.url, posts.media,
    posts.priority, posts.status, posts.publish_at, posts.expires_at, posts.published_at, posts.updated_at, posts.withdraw_reason,
    units.slug AS unit_slug, units.name AS unit_name, campaigns.slug AS campaign_slug, campaigns.name AS campaign_name
  FROM posts JOIN units ON units.id = posts.unit_id LEFT JOIN campaigns ON campaigns.slug = posts.campaign`;

function contentHash(body: Buffer): string {
  const text = body.toString('utf8').replace(/"issued_at": ?"[^"]*"/, '');
  return createHash('sha256').update(text).digest('hex');
}

export class FeedPublisher {
  private served: ServedVersion | undefined;

  constructor(
    private readonly db: Database,
    readonly options: PublisherOptions,
  ) {}

  /** Items' exact JSON already checked by the extension's schemas (bounded; a miss only costs a check). */
  private readonly checked = new Set<string>();

  /**
   * The extension's own schemas decide: a feed they would not take whole is never served. Checked
   * piece by piece on the exact bytes served; an item unchanged since an earlier version is not
   * checked twice.
   */
  private validate(envelope: object, items: readonly string[]): void {
    const head = FeedEnvelopeSchema.safeParse(envelope);
    if (!head.success) throw new FeedBuildError(`the built feed is not valid: ${head.error.issues[0]?.message ?? 'envelope'}`);
    const ids = new Set<string>();
    for (const json of items) {
      const item = JSON.parse(json) as { id: string };
      if (ids.has(item.id)) throw new FeedBuildError(`two posts share the id ${item.id}`);
      ids.add(item.id);
      if (this.checked.has(json)) continue;
      const result = ItemSchema.safeParse(item);
      if (!result.success)
        throw new FeedBuildError(`post ${item.id} would be dropped by the extension: ${result.error.issues[0]?.message ?? ''}`);
      if (this.checked.size > 20_000) this.checked.clear();
      this.checked.add(json);
    }
  }

  get publicKey(): string {
    return this.options.signing.mode === 'online' ? this.options.signing.key.publicKey : this.options.signing.publicKey;
  }

  private context(): FeedContext {
    const { base, signing: _signing, ...rest } = this.options;
    return { ...rest, base: base() };
  }

  /** The posts that belong in the feed at `now` (or exactly `only`), ready to build. */
  async livePosts(q: Queryable, now: number, only?: ReadonlySet<string>): Promise<PostForFeed[]> {
    const rows = await q.all<PostRow>(`${SELECT_FOR_FEED} WHERE posts.status IN ('approved', 'scheduled', 'published')`);
    return this.toFeedPosts(
      q,
      rows.filter((r) => (only ? only.has(r.id) : isLive(r, now))),
      now,
    );
  }

  /** A published (or since expired or withdrawn) post for its public page; undefined otherwise. */
  async pagePost(id: string, now = Date.now()): Promise<{ post: PostForFeed; status: PostStatus; reason: string | null } | undefined> {
    const row = await this.db.get<PostRow & { withdraw_reason: string | null }>(
      `${SELECT_FOR_FEED} WHERE posts.id = $1 AND posts.published_at IS NOT NULL`,
      [id],
    );
    if (!row) return undefined;
    const [post] = await this.toFeedPosts(this.db, [row], now);
    return { post: post!, status: row.status, reason: row.withdraw_reason };
  }

  private async toFeedPosts(q: Queryable, live: PostRow[], now: number): Promise<PostForFeed[]> {
    const mediaIds = [...new Set(live.flatMap((r) => JSON.parse(r.media) as string[]))];
    const media = new Map<string, MediaRow>();
    const fetchMedia = async (ids: string[]) => {
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        const rows = await q.all<MediaRow>(
          `SELECT id, kind, mime, sha256, bytes, width, height, duration_ms, poster_id, file FROM media WHERE id IN (${inList(part.length)})`,
          part,
        );
        for (const row of rows) media.set(row.id, { ...row, bytes: Number(row.bytes) });
      }
    };
    await fetchMedia(mediaIds);
    await fetchMedia([...media.values()].flatMap((m) => (m.poster_id && !media.has(m.poster_id) ? [m.poster_id] : [])));
    const base = this.options.base();
    const ref = (row: MediaRow): MediaRef => ({
      url: mediaUrl(base, row),
      sha256: row.sha256,
      width: row.width,
      height: row.height,
      mime: row.mime,
      bytes: row.bytes,
      duration_ms: row.duration_ms,
    });
    return live.map((r) => {
      const own = (JSON.parse(r.media) as string[]).map((id) => media.get(id)).filter((m): m is MediaRow => m !== undefined);
      const image = own.find((m) => m.kind === 'image');
      const video = own.find((m) => m.kind === 'video');
      // A post's picture is its video's poster (what the popup and a card show before it plays).
      const poster = video?.poster_id ? media.get(video.poster_id) : image;
      return {
        id: r.id,
        title: r.title,
        body: r.body,
        captions: JSON.parse(r.captions) as Record<string, string[]>,
        hashtags: JSON.parse(r.hashtags) as string[],
        url: r.url,
        unit: { slug: r.unit_slug ?? 'opd', name: r.unit_name },
        campaign: r.campaign_slug ? { slug: r.campaign_slug, name: r.campaign_name ?? r.campaign_slug } : null,
        priority: r.priority,
        published_at: r.published_at ?? (r.publish_at && Date.parse(r.publish_at) <= now ? r.publish_at : new Date(now).toISOString()),
        updated_at: r.updated_at,
        expires_at: r.expires_at,
        image: image ? ref(image) : null,
        video: video ? { ...ref(video), poster: poster ? { url: mediaUrl(base, poster), sha256: poster.sha256 } : null } : null,
      };
    });
  }

  /**
   * Builds a version from the posts live at `now` (or exactly `only`), inside the caller's
   * transaction; nothing is created when the content equals the version already served.
   */
  async rebuild(
    q: Queryable,
    actor: AuditActor,
    reason: string,
    now = Date.now(),
    extra: { only?: ReadonlySet<string>; restoredFrom?: number; force?: boolean } = {},
  ): Promise<{ version: number; state: 'live' | 'pending'; changed: boolean }> {
    const posts = await this.livePosts(q, now, extra.only);
    const issuedAt = new Date(now).toISOString();
    const feed = buildFeed(posts.slice(0, 1000), this.context(), issuedAt);
    const { bytes: body, envelope, items } = feedPieces(feed);
    this.validate(envelope, items);
    const hash = contentHash(body);
    const current = await q.get<{ version: number | null; pending: number | null }>(
      'SELECT version, pending FROM feed_current WHERE id = 1',
    );
    const offline = this.options.signing.mode === 'offline';
    const compareTo = offline ? (current?.pending ?? current?.version) : current?.version;
    if (!extra.force && compareTo !== null && compareTo !== undefined) {
      const prev = await q.get<{ body: Buffer }>('SELECT body FROM feed_versions WHERE version = $1', [compareTo]);
      if (prev && contentHash(Buffer.from(prev.body)) === hash) {
        return { version: Number(compareTo), state: offline && current?.pending ? 'pending' : 'live', changed: false };
      }
    }
    const last = await q.get<{ v: number | null }>('SELECT MAX(version) AS v FROM feed_versions');
    const version = Number(last?.v ?? 0) + 1;
    const signature = this.options.signing.mode === 'online' ? signFeed(body, this.options.signing.key) : null;
    const state = offline ? 'pending' : 'live';
    await q.run(
      `INSERT INTO feed_versions (version, issued_at, body, etag, signature, items, state, reason, restored_from, created_by, created_at, live_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        version,
        issuedAt,
        body,
        etagOf(body),
        signature,
        feed.items.length,
        state,
        reason,
        extra.restoredFrom ?? null,
        actor.id,
        issuedAt,
        offline ? null : issuedAt,
      ],
    );
    if (offline) {
      if (current?.pending) await q.run("UPDATE feed_versions SET state = 'discarded' WHERE version = $1", [current.pending]);
      await q.run('UPDATE feed_current SET pending = $1, changed_at = $2 WHERE id = 1', [version, issuedAt]);
    } else {
      await this.goLive(q, version, new Set(feed.items.map((i) => i.id)), actor, now);
    }
    await audit(
      q,
      actor,
      {
        action: offline ? 'feed_pending' : 'feed_publish',
        subject: `feed:${version}`,
        after: { version, items: feed.items.length, reason },
      },
      now,
    );
    return { version, state, changed: true };
  }

  /** Makes `version` the served one and brings the posts' states in line with it. */
  private async goLive(q: Queryable, version: number, ids: ReadonlySet<string>, actor: AuditActor, now: number): Promise<void> {
    const stamp = new Date(now).toISOString();
    const current = await q.get<{ version: number | null }>('SELECT version FROM feed_current WHERE id = 1');
    if (current?.version) await q.run("UPDATE feed_versions SET state = 'superseded' WHERE version = $1", [current.version]);
    await q.run("UPDATE feed_versions SET state = 'live', live_at = $2 WHERE version = $1", [version, stamp]);
    await q.run('UPDATE feed_current SET version = $1, pending = NULL, changed_at = $2 WHERE id = 1', [version, stamp]);
    const rows = await q.all<{ id: string; status: PostStatus; expires_at: string | null }>(
      "SELECT id, status, expires_at FROM posts WHERE status IN ('approved', 'scheduled', 'published')",
    );
    // Only the posts whose state changes are written: a version of a thousand posts where one
    // changed costs a few statements, not a thousand.
    const published = rows.filter((r) => ids.has(r.id) && r.status !== 'published');
    const expired = rows.filter(
      (r) => !ids.has(r.id) && r.status === 'published' && r.expires_at !== null && Date.parse(r.expires_at) <= now,
    );
    for (let i = 0; i < published.length; i += 500) {
      const part = published.slice(i, i + 500).map((r) => r.id);
      await q.run(
        `UPDATE posts SET status = 'published', published_at = COALESCE(published_at, $1) WHERE id IN (${inList(part.length, 2)})`,
        [stamp, ...part],
      );
      // First published when its publish time came (a demo post, a restore), else now.
      await q.run(
        `INSERT INTO published_items (item_id, first_published_at)
         SELECT id, COALESCE(published_at, $1) FROM posts WHERE id IN (${inList(part.length, 2)}) ON CONFLICT DO NOTHING`,
        [stamp, ...part],
      );
    }
    for (let i = 0; i < expired.length; i += 500) {
      const part = expired.slice(i, i + 500).map((r) => r.id);
      await q.run(`UPDATE posts SET status = 'expired' WHERE id IN (${inList(part.length)})`, part);
    }
    await auditMany(
      q,
      SYSTEM,
      [
        ...published.map((r) => ({
          action: 'publish',
          post: r.id,
          before: { status: r.status },
          after: { status: 'published', feed_version: version },
        })),
        ...expired.map((r) => ({
          action: 'expire',
          post: r.id,
          before: { status: 'published' },
          after: { status: 'expired', feed_version: version },
        })),
      ],
      now,
    );
    void actor;
  }

  /** Offline signing: the exact bytes awaiting a signature. */
  async pending(): Promise<{ version: number; body: Buffer } | undefined> {
    const row = await this.db.get<{ version: number; body: Buffer }>(
      'SELECT feed_versions.version, feed_versions.body FROM feed_current JOIN feed_versions ON feed_versions.version = feed_current.pending WHERE feed_current.id = 1',
    );
    return row && { version: Number(row.version), body: Buffer.from(row.body) };
  }

  /** Offline signing: accepts a signature of the pending bytes; false when it does not verify. */
  async acceptSignature(signature: string, actor: AuditActor, now = Date.now()): Promise<{ ok: boolean; version?: number }> {
    const clean = signature.trim();
    return this.db.tx(async (q) => {
      const row = await q.get<{ version: number; body: Buffer }>(
        'SELECT feed_versions.version, feed_versions.body FROM feed_current JOIN feed_versions ON feed_versions.version = feed_current.pending WHERE feed_current.id = 1',
      );
      if (!row) return { ok: false };
      const body = Buffer.from(row.body);
      let good = false;
      try {
        good = /^[A-Za-z0-9_-]{86}$/.test(clean) && verifyFeed(body, clean, this.publicKey);
      } catch {
        good = false;
      }
      await audit(q, actor, { action: good ? 'feed_signature_accepted' : 'feed_signature_refused', subject: `feed:${row.version}` }, now);
      if (!good) return { ok: false, version: Number(row.version) };
      await q.run('UPDATE feed_versions SET signature = $2 WHERE version = $1', [Number(row.version), clean]);
      const parsed = parseFeedText(body.toString('utf8'));
      const ids = new Set(parsed.ok ? parsed.feed.items.map((i) => i.id) : []);
      await this.goLive(q, Number(row.version), ids, actor, now);
      return { ok: true, version: Number(row.version) };
    });
  }

  /**
   * Restores version `n`: its posts are live again and the others leave, as a new version (a new
   * issue time, so the extension takes it; the old bytes would look like a replay). The posts'
   * states follow, each change in the audit log.
   */
  async restore(n: number, actor: AuditActor, now = Date.now()): Promise<{ version: number; state: 'live' | 'pending' }> {
    return this.db.tx(async (q) => {
      const old = await q.get<{ body: Buffer }>("SELECT body FROM feed_versions WHERE version = $1 AND state <> 'discarded'", [n]);
      if (!old) throw new FeedBuildError(`no version ${n}`);
      const parsed = parseFeedText(Buffer.from(old.body).toString('utf8'));
      const ids = new Set(parsed.ok ? parsed.feed.items.map((i) => i.id) : []);
      const stamp = new Date(now).toISOString();
      const rows = await q.all<{ id: string; status: PostStatus }>(
        "SELECT id, status FROM posts WHERE status IN ('approved', 'scheduled', 'published', 'expired', 'withdrawn')",
      );
      for (const row of rows) {
        if (ids.has(row.id) && row.status !== 'published') {
          await q.run(
            "UPDATE posts SET status = 'published', withdrawn_at = NULL, withdraw_reason = NULL, published_at = COALESCE(published_at, $2) WHERE id = $1",
            [row.id, stamp],
          );
          await audit(
            q,
            actor,
            { action: 'restore', post: row.id, before: { status: row.status }, after: { status: 'published', from_version: n } },
            now,
          );
        } else if (!ids.has(row.id) && row.status === 'published') {
          await q.run("UPDATE posts SET status = 'withdrawn', withdrawn_at = $2, withdraw_reason = $3 WHERE id = $1", [
            row.id,
            stamp,
            `versi feed ${n} dipulihkan`,
          ]);
          await audit(
            q,
            actor,
            {
              action: 'withdraw',
              post: row.id,
              before: { status: 'published' },
              after: { status: 'withdrawn', reason: `versi feed ${n} dipulihkan` },
            },
            now,
          );
        }
      }
      const built = await this.rebuild(q, actor, `dipulihkan dari versi ${n}`, now, { only: ids, restoredFrom: n, force: true });
      return { version: built.version, state: built.state };
    });
  }

  /** The version served now, cached per version number. */
  async current(): Promise<ServedVersion | undefined> {
    const row = await this.db.get<{ version: number | null }>('SELECT version FROM feed_current WHERE id = 1');
    const version = row?.version === null || row?.version === undefined ? undefined : Number(row.version);
    if (version === undefined) return undefined;
    if (this.served?.version === version) return this.served;
    const v = await this.db.get<{ body: Buffer; etag: string; signature: string | null; issued_at: string; live_at: string | null }>(
      'SELECT body, etag, signature, issued_at, live_at FROM feed_versions WHERE version = $1',
      [version],
    );
    if (!v) return undefined;
    const body = Buffer.from(v.body);
    const parsed = parseFeedText(body.toString('utf8'));
    this.served = {
      version,
      body,
      etag: v.etag,
      signature: v.signature,
      issuedAt: v.issued_at,
      liveAt: v.live_at ?? v.issued_at,
      items: new Set(parsed.ok ? parsed.feed.items.map((i) => i.id) : []),
      feedUrl: parsed.ok ? (parsed.feed.meta.feed_url ?? '') : '',
    };
    return this.served;
  }

  async versions(limit = 50): Promise<VersionSummary[]> {
    const rows = await this.db.all<VersionSummary & { signature: string | null; username: string | null }>(
      `SELECT feed_versions.version, feed_versions.issued_at, feed_versions.items, feed_versions.state, feed_versions.reason,
        feed_versions.restored_from, feed_versions.signature, feed_versions.created_at, feed_versions.live_at, accounts.username
       FROM feed_versions LEFT JOIN accounts ON accounts.id = feed_versions.created_by
       ORDER BY feed_versions.version DESC LIMIT $1`,
      [limit],
    );
    return rows.map(({ signature, username, ...r }) => ({
      ...r,
      version: Number(r.version),
      items: Number(r.items),
      restored_from: r.restored_from === null ? null : Number(r.restored_from),
      signed: signature !== null,
      created_by: username ?? null,
    }));
  }

  /**
   * The clock: when the posts live now differ from the served version (a scheduled post's time
   * came, one expired) or the public address changed, a new version. Returns when to look next.
   */
  async tick(now = Date.now()): Promise<{ rebuilt: boolean; next: number | undefined }> {
    const served = await this.current();
    const candidates = await this.db.all<{ id: string; status: PostStatus; publish_at: string | null; expires_at: string | null }>(
      "SELECT id, status, publish_at, expires_at FROM posts WHERE status IN ('approved', 'scheduled', 'published')",
    );
    const live = candidates.filter((p) => isLive(p, now)).map((p) => p.id);
    const pending = this.options.signing.mode === 'offline' ? await this.pending() : undefined;
    const basis = pending
      ? new Set(
          (() => {
            const p = parseFeedText(pending.body.toString('utf8'));
            return p.ok ? p.feed.items.map((i) => i.id) : [];
          })(),
        )
      : served?.items;
    const moved = served !== undefined && served.feedUrl !== `${this.options.base()}/feed.json`;
    const differs = !basis || basis.size !== live.length || live.some((id) => !basis.has(id));
    let rebuilt = false;
    if (differs || moved || !served) {
      const result = await this.db.tx((q) =>
        this.rebuild(q, SYSTEM, moved ? 'alamat server berubah' : 'jadwal terbit atau kedaluwarsa', now, { force: moved }),
      );
      rebuilt = result.changed;
    }
    const next = await this.db.get<{ at: string | null }>(
      `SELECT MIN(t) AS at FROM (
         SELECT publish_at AS t FROM posts WHERE status IN ('approved', 'scheduled') AND publish_at > $1
         UNION ALL
         SELECT expires_at AS t FROM posts WHERE status IN ('approved', 'scheduled', 'published') AND expires_at > $1
       ) AS due`,
      [new Date(now).toISOString()],
    );
    return { rebuilt, next: next?.at ? Date.parse(next.at) : undefined };
  }
}
