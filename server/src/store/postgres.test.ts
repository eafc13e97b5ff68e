/** The PostgreSQL engine on a real server: better-sqlite3's behaviour where the stores rely on it. */
import { describe, expect, it } from 'vitest';
import { skipWithoutPostgres, withPostgres } from '../../test/postgres.js';
import { MIGRATIONS } from './migrations.js';
import { openPostgres, PostgresError } from './postgres.js';

describe.skipIf(skipWithoutPostgres())('PostgresDb', () => {
  const postgres = withPostgres('test');

  it('migrates to the current schema once, whoever opens first, and opens again without migrating', () => {
    const first = openPostgres(postgres.url);
    const second = openPostgres(postgres.url);
    try {
      expect(first.prepare('SELECT version FROM pasv_schema').all()).toEqual([{ version: MIGRATIONS.length }]);
      expect(second.prepare('SELECT COUNT(*) AS n FROM sites').get()).toEqual({ n: 0 });
    } finally {
      first.close();
      second.close();
    }
  });

  it('commits a transaction whole, rolls back a failed one whole, and a nested failure alone', () => {
    const db = openPostgres(postgres.url);
    try {
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      db.transaction(() => {
        put.run('a', '1');
        expect(db.inTransaction).toBe(true);
        expect(() =>
          db.transaction(() => {
            put.run('b', '2');
            put.run('a', 'again'); // a unique violation rolls back the savepoint only
          })(),
        ).toThrow(PostgresError);
        put.run('c', '3');
      })();
      expect(db.inTransaction).toBe(false);
      expect(() =>
        db.transaction(() => {
          put.run('d', '4');
          throw new Error('changed my mind');
        })(),
      ).toThrow('changed my mind');
      const keys = db.prepare('SELECT key FROM meta ORDER BY key').pluck().all();
      expect(keys).toEqual(['a', 'c']);
    } finally {
      db.close();
    }
  });

  it('gives SQLSTATE codes, 64-bit numbers as numbers, and changes like better-sqlite3', () => {
    const db = openPostgres(postgres.url);
    try {
      const error = (() => {
        try {
          db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
          db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(PostgresError);
      expect((error as PostgresError).code).toBe('23505');
      expect(db.prepare('SELECT ? :: BIGINT * 4 AS n').get(2 ** 40)).toEqual({ n: 2 ** 42 });
      expect(db.prepare('UPDATE meta SET value = ? WHERE key = ?').run('w', 'k')).toEqual({ changes: 1 });
      expect(db.prepare('UPDATE meta SET value = ? WHERE key = ?').run('w', 'none')).toEqual({ changes: 0 });
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').get('none')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('fails a statement with the cause once the server ends the connection, instead of hanging', () => {
    const db = openPostgres(postgres.url);
    const other = openPostgres(postgres.url);
    try {
      const pid = db.prepare('SELECT pg_backend_pid() AS pid').pluck().get() as number;
      other.prepare('SELECT pg_terminate_backend(?)').get(pid);
      expect(() => db.prepare('SELECT 1').get()).toThrow(/terminat|Connection|closed/i);
    } finally {
      other.close();
    }
  });
});
