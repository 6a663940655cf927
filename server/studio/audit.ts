import { valuesList, type Queryable } from '../db/sql';

// The append-only audit log: every workflow step, every edit with its before and after, and every
// change to accounts, units, codes, members and feed versions. The database refuses to change or
// remove an entry (triggers), so not even a bug here can rewrite history.

export interface AuditActor {
  id: number | null;
  username: string;
}

/** The clock and the scheduler act as this user. */
export const SYSTEM: AuditActor = { id: null, username: 'sistem' };

export interface AuditInput {
  action: string;
  post?: string | null;
  subject?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: number;
  at: string;
  user: string;
  action: string;
  post: string | null;
  subject: string | null;
  before: unknown;
  after: unknown;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export async function audit(q: Queryable, actor: AuditActor, entry: AuditInput, now = Date.now()): Promise<void> {
  await q.run(
    `INSERT INTO audit_log (at, account_id, username, action, post_id, subject, before_json, after_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      new Date(now).toISOString(),
      actor.id,
      actor.username,
      entry.action,
      entry.post ?? null,
      entry.subject ?? null,
      json(entry.before),
      json(entry.after),
    ],
  );
}

/** Several entries in one statement per few hundred (a feed version publishing many posts). */
export async function auditMany(q: Queryable, actor: AuditActor, entries: readonly AuditInput[], now = Date.now()): Promise<void> {
  const at = new Date(now).toISOString();
  for (let i = 0; i < entries.length; i += 200) {
    const part = entries.slice(i, i + 200);
    await q.run(
      `INSERT INTO audit_log (at, account_id, username, action, post_id, subject, before_json, after_json) VALUES ${valuesList(part.length, 8)}`,
      part.flatMap((e) => [at, actor.id, actor.username, e.action, e.post ?? null, e.subject ?? null, json(e.before), json(e.after)]),
    );
  }
}

/** Only the fields that differ, before and after: an edit's entry says what changed. */
export function diff<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof T>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}

interface Row {
  id: number;
  at: string;
  username: string;
  action: string;
  post_id: string | null;
  subject: string | null;
  before_json: string | null;
  after_json: string | null;
}

const parse = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

export function toEntry(r: Row): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at,
    user: r.username,
    action: r.action,
    post: r.post_id,
    subject: r.subject,
    before: parse(r.before_json),
    after: parse(r.after_json),
  };
}

export interface AuditFilter {
  post?: string;
  user?: string;
  action?: string;
  /** Entries with an id below this (the next page, newest first). */
  before?: number;
  limit?: number;
}

export async function auditEntries(q: Queryable, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const rows = await q.all<Row>(
    `SELECT id, at, username, action, post_id, subject, before_json, after_json FROM audit_log
     WHERE ($1 = '' OR post_id = $1) AND ($2 = '' OR lower(username) = lower($2)) AND ($3 = '' OR action = $3)
       AND ($4 = 0 OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [filter.post ?? '', filter.user ?? '', filter.action ?? '', filter.before ?? 0, Math.min(filter.limit ?? 100, 1000)],
  );
  return rows.map(toEntry);
}

/** Every entry in id order, a page at a time (for the streamed export). */
export async function auditPage(q: Queryable, afterId: number, limit: number): Promise<AuditEntry[]> {
  const rows = await q.all<Row>(
    'SELECT id, at, username, action, post_id, subject, before_json, after_json FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2',
    [afterId, limit],
  );
  return rows.map(toEntry);
}
