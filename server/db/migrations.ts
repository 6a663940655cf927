import type { Db } from './database';

// Numbered schema migrations. A migration is never edited once released: a change is a new one
// at the end, so every database, old or new, reaches the same schema.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tally',
    sql: `
      CREATE TABLE units (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
      );
      -- Several codes may lead to one unit (say, one per building); a code leads to one unit only.
      CREATE TABLE enroll_codes (
        code    TEXT PRIMARY KEY COLLATE NOCASE,
        unit_id INTEGER NOT NULL REFERENCES units (id)
      );
      CREATE TABLE members (
        id         INTEGER PRIMARY KEY,
        nip        TEXT NOT NULL UNIQUE,
        name       TEXT NOT NULL,
        unit_id    INTEGER NOT NULL REFERENCES units (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX members_unit ON members (unit_id);
      -- Only the SHA-256 of a token is kept: a leaked database does not let anyone post as a member.
      CREATE TABLE tokens (
        hash       BLOB PRIMARY KEY,
        member_id  INTEGER NOT NULL REFERENCES members (id),
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) WITHOUT ROWID;
      CREATE INDEX tokens_member ON tokens (member_id);
      CREATE TABLE shares (
        id          TEXT PRIMARY KEY,
        member_id   INTEGER NOT NULL REFERENCES members (id),
        item_id     TEXT NOT NULL,
        feed_url    TEXT NOT NULL,
        platform    TEXT NOT NULL,
        action      TEXT NOT NULL,
        at          TEXT NOT NULL,
        post_url    TEXT,
        received_at TEXT NOT NULL
      );
      CREATE INDEX shares_member ON shares (member_id);
      -- Covers the posts view below, so counting never reads the table itself.
      CREATE INDEX shares_posted ON shares (action, member_id, item_id, platform, at);
      -- What PROTOCOL.md §2 counts as a share: one row per member, item and platform among posted
      -- events, however often it was posted. \`day\` is the first one's date in the member's own
      -- offset (the \`at\` string is RFC 3339), so a day here is the day the member saw.
      CREATE VIEW posts AS
        SELECT member_id, item_id, platform, MIN(substr(at, 1, 10)) AS day
        FROM shares
        WHERE action = 'posted'
        GROUP BY member_id, item_id, platform;
    `,
  },
];

/** Applies the migrations the database lacks, all in one transaction: all or none. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const row = db.prepare('SELECT MAX(version) AS version FROM migrations').get() as {
      version: number | null;
    };
    const current = row.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(`database schema ${current} is newer than this server knows (${latest})`);
    }
    const record = db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
