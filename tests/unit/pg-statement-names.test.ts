// @vitest-environment node
// Which statements the PostgreSQL store prepares by name (server/db/postgres.ts): the ones that
// come back, within caps on how many and how long, since each costs memory in every connection.
import { describe, expect, it } from 'vitest';
import { StatementNames } from '../../server/db/postgres';

describe('statement names', () => {
  it('names a statement from its second use on, always the same name', () => {
    const names = new StatementNames();
    const sql = 'SELECT 1 WHERE $1 = $1';
    expect(names.nameOf(sql)).toBeUndefined();
    const name = names.nameOf(sql);
    expect(name).toMatch(/^siar_\d+$/);
    expect(names.nameOf(sql)).toBe(name);
    expect(names.nameOf('SELECT 2')).toBeUndefined();
    expect(names.nameOf('SELECT 2')).not.toBe(name);
  });

  it('never names a statement longer than 4,096 characters, nor more than 128 statements', () => {
    const names = new StatementNames();
    const long = `SELECT ${'1 + '.repeat(1100)}1`;
    for (let i = 0; i < 5; i++) expect(names.nameOf(long)).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      names.nameOf(`SELECT ${i}`);
      names.nameOf(`SELECT ${i}`);
    }
    expect(names.size).toBe(128);
    expect(names.nameOf('SELECT 199')).toBeUndefined();
    expect(names.nameOf('SELECT 0')).toBe('siar_1');
  });

  it('forgets counted first uses past 1,024 different texts, so varying texts cost bounded memory', () => {
    const names = new StatementNames();
    for (let i = 0; i < 1024; i++) names.nameOf(`SELECT ${i}`);
    // The 1,025th text clears the counts: the first text's next use is a first use again.
    names.nameOf('SELECT 1024');
    expect(names.nameOf('SELECT 0')).toBeUndefined();
    expect(names.nameOf('SELECT 0')).toBe('siar_1');
  });
});
