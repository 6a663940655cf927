import type { PostFields, PostStatus } from '../../../utils/protocol/studio';
import type { Queryable } from '../../db/sql';

// Read-only questions the pages ask that the data layer has no function for. Nothing here
// writes: every change goes through the data functions the JSON API uses.

export interface QueuedPost {
  id: string;
  title: string;
  status: PostStatus;
  unit: string;
  author: string;
  priority: PostFields['priority'];
  submitted_at: string;
  publish_at: string | null;
}

/** Submitted posts, the longest waiting first. */
export async function reviewQueue(q: Queryable, offset: number, limit: number): Promise<{ posts: QueuedPost[]; more: boolean }> {
  const rows = await q.all<QueuedPost>(
    `SELECT posts.id, posts.title, posts.status, units.name AS unit, accounts.username AS author, posts.priority,
       COALESCE(posts.submitted_at, posts.updated_at) AS submitted_at, posts.publish_at
     FROM posts JOIN units ON units.id = posts.unit_id JOIN accounts ON accounts.id = posts.author_id
     WHERE posts.status = 'submitted' ORDER BY posts.submitted_at, posts.id LIMIT $1 OFFSET $2`,
    [limit + 1, offset],
  );
  return { posts: rows.slice(0, limit), more: rows.length > limit };
}

/** The actions that occur in the audit log, for its filter. */
export async function auditActions(q: Queryable): Promise<string[]> {
  const rows = await q.all<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action');
  return rows.map((r) => r.action);
}

export { personalCodeUnit as memberUnitByNip } from '../../tally/members';
