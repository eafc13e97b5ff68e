import { describe, expect, it } from 'vitest';
import { bindValues, toPostgres } from './postgres-dialect.js';

describe('toPostgres', () => {
  it.each([
    ['SELECT * FROM t WHERE a = ? AND b = ?', 'SELECT * FROM t WHERE a = $1 AND b = $2', null, 2],
    ['UPDATE t SET a = @a, b = @b WHERE id = @id AND a <> @a', 'UPDATE t SET a = $1, b = $2 WHERE id = $3 AND a <> $1', ['a', 'b', 'id'], 0],
    ["SELECT '?', 'it''s @x', \"col?\" FROM t WHERE a = ?", "SELECT '?', 'it''s @x', \"col?\" FROM t WHERE a = $1", null, 1],
    ['SELECT a -- why? @x\nFROM t WHERE b = :b', 'SELECT a -- why? @x\nFROM t WHERE b = $1', ['b'], 0],
    ['SELECT /* ? */ a::int FROM t WHERE c = $c', 'SELECT /* ? */ a::int FROM t WHERE c = $1', ['c'], 0],
    [
      'SELECT MIN(t) FROM f INDEXED BY f_retry\n   WHERE state = ?',
      'SELECT MIN(t) FROM f\n   WHERE state = $1',
      null,
      1,
    ],
  ])('%s', (sql, text, names, positional) => {
    expect(toPostgres(sql)).toEqual({ text, names, positional });
  });

  it('refuses a statement that mixes ? and names', () => {
    expect(() => toPostgres('SELECT ? , @a')).toThrow(/mixes/);
  });
});

describe('bindValues', () => {
  it('takes values in order, as separate arguments or one array, and names from one object', () => {
    expect(bindValues(toPostgres('SELECT ?, ?'), [1, 'a'])).toEqual([1, 'a']);
    expect(bindValues(toPostgres('SELECT ?, ?'), [[1, null]])).toEqual([1, null]);
    expect(bindValues(toPostgres('SELECT @b, @a, @b'), [{ a: 1, b: 2, unused: 3 }])).toEqual([2, 1]);
    expect(bindValues(toPostgres('SELECT ?'), [10n ** 18n])).toEqual(['1000000000000000000']);
  });

  it('refuses what better-sqlite3 refuses, so that both engines fail alike', () => {
    expect(() => bindValues(toPostgres('SELECT ?, ?'), [1])).toThrow(/takes 2 parameters, not 1/);
    expect(() => bindValues(toPostgres('SELECT @a'), [{}])).toThrow(/missing named parameter "a"/);
    expect(() => bindValues(toPostgres('SELECT @a'), [1])).toThrow(/one object/);
    expect(() => bindValues(toPostgres('SELECT ?'), [undefined])).toThrow(/undefined/);
    expect(() => bindValues(toPostgres('SELECT ?'), [true])).toThrow(/booleans/);
  });
});
