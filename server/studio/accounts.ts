import type { Role } from '../../utils/protocol/studio';
import type { Queryable } from '../db/sql';
import { unitByName, type Unit } from '../tally/members';
import { hashPassword, passwordProblem } from './passwords';

// Studio accounts: editors (one unit), approvers and admins (Diskominfo). The first admin comes
// from SIAR_ADMIN_USER / SIAR_ADMIN_PASSWORD on an empty database; after that accounts live here.

export interface Account {
  id: number;
  username: string;
  name: string;
  role: Role;
  unit_id: number | null;
  unit: string | null;
  disabled_at: string | null;
  password_hash: string;
}

const COLUMNS = `accounts.id, accounts.username, accounts.name, accounts.role, accounts.unit_id, units.name AS unit,
  accounts.disabled_at, accounts.password_hash`;

const asAccount = (row: Account | undefined): Account | undefined =>
  row && { ...row, id: Number(row.id), unit_id: row.unit_id === null ? null : Number(row.unit_id) };

export async function accountByUsername(q: Queryable, username: string): Promise<Account | undefined> {
  return asAccount(
    await q.get<Account>(
      `SELECT ${COLUMNS} FROM accounts LEFT JOIN units ON units.id = accounts.unit_id WHERE lower(accounts.username) = lower($1)`,
      [username.trim()],
    ),
  );
}

export async function accountById(q: Queryable, id: number): Promise<Account | undefined> {
  return asAccount(
    await q.get<Account>(`SELECT ${COLUMNS} FROM accounts LEFT JOIN units ON units.id = accounts.unit_id WHERE accounts.id = $1`, [id]),
  );
}

export async function listAccounts(q: Queryable): Promise<Account[]> {
  const rows = await q.all<Account>(
    `SELECT ${COLUMNS} FROM accounts LEFT JOIN units ON units.id = accounts.unit_id ORDER BY accounts.role, accounts.username`,
  );
  return rows.map((r) => asAccount(r)!);
}

export async function accountCount(q: Queryable): Promise<number> {
  const row = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM accounts');
  return Number(row?.n ?? 0);
}

export class AccountError extends Error {
  constructor(
    readonly status: 400 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NewAccount {
  user: string;
  name: string;
  password: string;
  role: Role;
  unit?: string;
}

/** Creates an account; an editor needs a unit, the others may have one (shown, not limiting). */
export async function createAccount(q: Queryable, input: NewAccount, now = Date.now()): Promise<Account> {
  const problem = passwordProblem(input.password, input.user);
  if (problem) throw new AccountError(400, 'weak_password', `password: ${problem}`);
  let unit: Unit | undefined;
  if (input.unit) {
    unit = await unitByName(q, input.unit);
    if (!unit || unit.archived_at) throw new AccountError(400, 'unknown_unit', `no unit named ${input.unit}`);
  } else if (input.role === 'editor') {
    throw new AccountError(400, 'unknown_unit', 'an editor belongs to one unit');
  }
  if (await accountByUsername(q, input.user)) throw new AccountError(409, 'user_exists', `user ${input.user} exists`);
  const stamp = new Date(now).toISOString();
  const hash = await hashPassword(input.password);
  const row = await q.get<{ id: number }>(
    `INSERT INTO accounts (username, name, role, unit_id, password_hash, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
    [input.user.trim(), input.name.trim(), input.role, unit ? Number(unit.id) : null, hash, stamp],
  );
  return (await accountById(q, Number(row!.id)))!;
}

export async function setPassword(q: Queryable, accountId: number, password: string, now = Date.now()): Promise<void> {
  const account = await accountById(q, accountId);
  const problem = passwordProblem(password, account?.username);
  if (problem) throw new AccountError(400, 'weak_password', `password: ${problem}`);
  await q.run('UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1', [
    accountId,
    await hashPassword(password),
    new Date(now).toISOString(),
  ]);
  // A new password ends every session: whoever knew the old one is out.
  await q.run('DELETE FROM sessions WHERE account_id = $1', [accountId]);
}

export async function setDisabled(q: Queryable, accountId: number, disabled: boolean, now = Date.now()): Promise<void> {
  await q.run('UPDATE accounts SET disabled_at = $2, updated_at = $3 WHERE id = $1', [
    accountId,
    disabled ? new Date(now).toISOString() : null,
    new Date(now).toISOString(),
  ]);
  if (disabled) await q.run('DELETE FROM sessions WHERE account_id = $1', [accountId]);
}

export async function setRole(q: Queryable, accountId: number, role: Role, unitName: string | undefined, now = Date.now()): Promise<void> {
  let unitId: number | null = null;
  if (unitName) {
    const unit = await unitByName(q, unitName);
    if (!unit) throw new AccountError(400, 'unknown_unit', `no unit named ${unitName}`);
    unitId = Number(unit.id);
  } else if (role === 'editor') throw new AccountError(400, 'unknown_unit', 'an editor belongs to one unit');
  await q.run('UPDATE accounts SET role = $2, unit_id = $3, updated_at = $4 WHERE id = $1', [
    accountId,
    role,
    unitId,
    new Date(now).toISOString(),
  ]);
}

/** What an account is, for the audit log and the API: never the hash. */
export function publicAccount(a: Account): { user: string; name: string; role: Role; unit: string | null; disabled: boolean } {
  return { user: a.username, name: a.name, role: a.role, unit: a.unit, disabled: a.disabled_at !== null };
}
