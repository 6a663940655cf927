import type { ShareAction } from '../protocol/tally';

// What this profile did with each post, per platform, folded from its share events. A post is
// shared on a platform only once it was posted there: seen by the extension (`posted`), or said
// by the user where the extension cannot see the send (`self_reported`). Inserting, opening a
// share window and copying are attempts, and never count as shared.

/** One thing done with a post on a platform. */
export type Mark = 'posted' | 'self_reported' | Exclude<ShareAction, 'posted'>;

/** Kept in the history's `item_states` store, one per post: small, read whole by the popup. */
export interface ItemMarks {
  item_id: string;
  /** Platform → what was done there, each mark once, in MARK_ORDER. */
  marks: Record<string, Mark[]>;
}

/** Item id → platform → marks. What the popup, the panel and the badge read. */
export type ShareStates = ReadonlyMap<string, Readonly<Record<string, readonly Mark[]>>>;

const MARK_ORDER: readonly Mark[] = ['posted', 'self_reported', 'inserted', 'intent_opened', 'copied'];

/** Where a post stands on one platform, from the strongest mark. */
export type PlatformState = 'posted' | 'self_reported' | 'attempted' | 'none';

export function markOf(e: { action: ShareAction; self_reported?: boolean }): Mark {
  return e.action === 'posted' && e.self_reported ? 'self_reported' : e.action;
}

/** Adds one event's mark to `rec` (a new record when there is none); true when it changed. */
export function addMark(
  rec: ItemMarks | undefined,
  e: { item_id: string; platform: string; action: ShareAction; self_reported?: boolean },
): { rec: ItemMarks; changed: boolean } {
  const out = rec ?? { item_id: e.item_id, marks: {} };
  const mark = markOf(e);
  // Own keys only: a platform named like an Object.prototype member must not read it.
  const have = Object.hasOwn(out.marks, e.platform) ? out.marks[e.platform]! : [];
  if (have.includes(mark)) return { rec: out, changed: rec === undefined };
  out.marks[e.platform] = MARK_ORDER.filter((m) => m === mark || have.includes(m));
  return { rec: out, changed: true };
}

/** The records of a list of events (order-free): the rebuild, and the reference in tests. */
export function itemMarksOf(
  events: Iterable<{ item_id: string; platform: string; action: ShareAction; self_reported?: boolean }>,
): ItemMarks[] {
  const byItem = new Map<string, ItemMarks>();
  for (const e of events) byItem.set(e.item_id, addMark(byItem.get(e.item_id), e).rec);
  return [...byItem.values()];
}

export function statesFrom(records: readonly ItemMarks[]): ShareStates {
  return new Map(records.map((r) => [r.item_id, r.marks]));
}

function marksOn(states: ShareStates, itemId: string, platform: string): readonly Mark[] {
  const m = states.get(itemId);
  return m && Object.hasOwn(m, platform) ? m[platform]! : [];
}

export function platformState(marks: readonly Mark[]): PlatformState {
  if (marks.includes('posted')) return 'posted';
  if (marks.includes('self_reported')) return 'self_reported';
  return marks.length > 0 ? 'attempted' : 'none';
}

/** Where a post stands on one platform. */
export function stateOn(states: ShareStates, itemId: string, platform: string): PlatformState {
  return platformState(marksOn(states, itemId, platform));
}

/** Posted (seen or said) on this platform. */
export function isPostedOn(states: ShareStates, itemId: string, platform: string): boolean {
  const s = stateOn(states, itemId, platform);
  return s === 'posted' || s === 'self_reported';
}

/** Posted on any platform: what takes a post off the toolbar badge. */
export function isPostedAnywhere(states: ShareStates, itemId: string): boolean {
  const m = states.get(itemId);
  return m !== undefined && Object.keys(m).some((p) => isPostedOn(states, itemId, p));
}

export interface PlatformLine {
  platform: string;
  state: Exclude<PlatformState, 'none'>;
  /** The attempts made there (what the card names where nothing was posted yet). */
  attempts: Exclude<Mark, 'posted' | 'self_reported'>[];
  /**
   * The user may say it was posted: the last step was one whose send the extension cannot see
   * (a share window or link opened, the text copied), and nothing was posted there yet.
   */
  canSelfReport: boolean;
}

/** A post's state on each platform something was done on, in `order` (unknown ones last). */
export function platformLines(states: ShareStates, itemId: string, order: readonly string[]): PlatformLine[] {
  const m = states.get(itemId);
  if (!m) return [];
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  return Object.keys(m)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map((platform) => {
      const marks = m[platform]!;
      const state = platformState(marks) as PlatformLine['state'];
      const attempts = marks.filter((x): x is PlatformLine['attempts'][number] => x !== 'posted' && x !== 'self_reported');
      const blind = marks.includes('intent_opened') || marks.includes('copied');
      return { platform, state, attempts, canSelfReport: state === 'attempted' && blind };
    });
}
