import type { PostStatus, Role } from '../../utils/protocol/studio';

// Who may do what to a post, and from which state (docs/protocol.md, "The studio API"):
//
//   draft ─submit─▶ submitted ─approve─▶ approved/scheduled ─(publish_at)─▶ published ─(expires_at)─▶ expired
//     ▲                 │                        │                              │
//     └── edit ◀─ changes_requested ◀─request-changes   withdraw ─────────────▶ withdrawn
//
// Editors work inside their own unit; approvers and admins everywhere. Nobody approves (or sends
// back) a post they wrote: four eyes. Pure, so every transition is tested without a database.

export type PostAction = 'view' | 'edit' | 'submit' | 'approve' | 'request_changes' | 'withdraw' | 'publish_now' | 'comment';

export interface PostRef {
  status: PostStatus;
  author_id: number;
  unit_id: number;
}

export interface ActorRef {
  id: number;
  role: Role;
  unit_id: number | null;
}

export type Verdict = { ok: true } | { ok: false; status: 403 | 404 | 409; code: string; message: string };

const OK: Verdict = { ok: true };
const reviewer = (role: Role) => role === 'approver' || role === 'admin';

export const EDITABLE: readonly PostStatus[] = ['draft', 'changes_requested'];
export const LIVE_OR_WAITING: readonly PostStatus[] = ['approved', 'scheduled', 'published'];

/** What the post's status allows, for each action. */
const FROM: Record<Exclude<PostAction, 'view' | 'comment'>, readonly PostStatus[]> = {
  edit: EDITABLE,
  submit: EDITABLE,
  approve: ['submitted'],
  request_changes: ['submitted'],
  withdraw: LIVE_OR_WAITING,
  publish_now: ['approved', 'scheduled'],
};

export function mayDo(action: PostAction, post: PostRef, actor: ActorRef): Verdict {
  // Another unit's post does not exist for an editor: 404, not 403, so ids tell nothing.
  if (actor.role === 'editor' && post.unit_id !== actor.unit_id) {
    return { ok: false, status: 404, code: 'not_found', message: 'no such post' };
  }
  if (action === 'view' || action === 'comment') return OK;
  const needsReviewer = action === 'approve' || action === 'request_changes' || action === 'withdraw' || action === 'publish_now';
  if (needsReviewer && !reviewer(actor.role)) {
    return { ok: false, status: 403, code: 'forbidden', message: `an ${actor.role} may not ${action.replace('_', ' ')} a post` };
  }
  if ((action === 'approve' || action === 'request_changes') && post.author_id === actor.id) {
    return { ok: false, status: 403, code: 'four_eyes', message: 'a post is reviewed by someone other than its author' };
  }
  if (!FROM[action].includes(post.status)) {
    return { ok: false, status: 409, code: 'bad_transition', message: `a ${post.status} post cannot be ${action.replace('_', ' ')}` };
  }
  return OK;
}

/** The state an approved post goes to: scheduled for later, or approved (published at once). */
export function afterApproval(publishAt: string | null, now: number): PostStatus {
  return publishAt !== null && Date.parse(publishAt) > now ? 'scheduled' : 'approved';
}

/** Whether a post belongs in the feed at `now` (published, or approved and due, and not expired). */
export function isLive(post: { status: PostStatus; publish_at: string | null; expires_at: string | null }, now: number): boolean {
  if (!LIVE_OR_WAITING.includes(post.status)) return false;
  if (post.publish_at !== null && Date.parse(post.publish_at) > now) return false;
  return post.expires_at === null || Date.parse(post.expires_at) > now;
}
