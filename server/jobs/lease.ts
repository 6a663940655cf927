import type { Queryable } from '../db/sql';

// A lease in the database: of several server processes, one at a time runs a periodic job (the
// publisher's clock, the X verifier). A holder that dies loses the lease when it runs out.

export async function takeLease(q: Queryable, name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const until = new Date(now + ttlMs).toISOString();
  const stamp = new Date(now).toISOString();
  const { changes } = await q.run(
    `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET holder = $2, until = $3
     WHERE leases.holder = $2 OR leases.until < $4`,
    [name, holder, until, stamp],
  );
  return changes === 1;
}

export async function releaseLease(q: Queryable, name: string, holder: string): Promise<void> {
  await q.run('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
}
