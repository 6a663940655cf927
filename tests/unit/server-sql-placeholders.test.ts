// @vitest-environment node
// `$n` placeholders for SQLite: converted once per statement, bound per call.
import { describe, expect, it } from 'vitest';
import { inOrder, placeholders, positional } from '../../server/db/sql';

describe('placeholders', () => {
  it('turns $n into ? in order of appearance, reusing a parameter as often as it is named', () => {
    const p = placeholders('SELECT $2, $1 + $2 FROM t WHERE a = $10');
    expect(p.sql).toBe('SELECT ?, ? + ? FROM t WHERE a = ?');
    expect(p.order).toEqual([1, 0, 1, 9]);
  });

  it('leaves $n alone inside string literals, quoted names and comments', () => {
    const p = placeholders(`SELECT '$1', "$2" FROM t -- $3\nWHERE x = $1`);
    expect(p.sql).toBe(`SELECT '$1', "$2" FROM t -- $3\nWHERE x = ?`);
    expect(p.order).toEqual([0]);
  });

  it('binds the parameters in that order, and refuses a placeholder without one', () => {
    expect(inOrder([1, 0, 1], ['a', 'b'])).toEqual(['b', 'a', 'b']);
    expect(() => inOrder([2], ['a', 'b'])).toThrow('placeholder $3 has no parameter');
    expect(positional('SELECT $2, $1', [1, 2])).toEqual({ sql: 'SELECT ?, ?', params: [2, 1] });
  });
});
