/** The connection's statement cache and group commit, on a real SQLite file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { GroupCommit, openDatabase, preparedOnce, type Db } from './db.js';

const dirs: string[] = [];
function open(): { db: Db; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-db-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  return { db, file: path.join(dir, 'pasv.sqlite') };
}
/** What another connection sees: only what was committed. */
const committed = (file: string) => {
  const other = new Database(file, { readonly: true });
  try {
    return other.prepare('SELECT k, n FROM t ORDER BY k').all();
  } finally {
    other.close();
  }
};
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

it('prepares each SQL text once, and a plucked use leaves the others reading rows', () => {
  const { db } = open();
  db.prepare('INSERT INTO t (k, n) VALUES (?, ?)').run('a', 1);
  const sql = 'SELECT n FROM t WHERE k = ?';
  expect(db.prepare(sql)).toBe(db.prepare(sql));
  expect(db.prepare(sql).pluck().get('a')).toBe(1);
  expect(db.prepare(sql).get('a')).toEqual({ n: 1 });
  expect(db.prepare(sql).pluck()).toBe(db.prepare(sql).pluck());
  // The wrapper keeps the engine's transactions: a throw rolls back.
  expect(() =>
    db.transaction(() => {
      db.prepare('INSERT INTO t (k, n) VALUES (?, ?)').run('b', 2);
      throw new Error('no');
    })(),
  ).toThrow('no');
  expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
  db.close();
});

it('commits grouped writes within its delay; a deferred write waits for a flush and runs once, with its last value', async () => {
  const { db, file } = open();
  const commits = new GroupCommit(preparedOnce(db), 20);
  const upsert = (k: string, n: number) =>
    db.prepare('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = excluded.n').run(k, n);
  let runs = 0;
  commits.run(() => upsert('grouped', 1));
  for (let i = 1; i <= 100; i++) {
    commits.defer('counter', () => {
      runs++;
      upsert('deferred', i);
    });
  }
  expect(committed(file)).toEqual([]); // another connection sees nothing before the commit
  await new Promise((resolve) => setTimeout(resolve, 60));
  // The timer committed the grouped write; the deferred one waits for something to leave the process.
  expect(committed(file)).toEqual([{ k: 'grouped', n: 1 }]);
  expect(runs).toBe(0);
  commits.flush();
  expect(runs).toBe(1);
  expect(committed(file)).toEqual([
    { k: 'deferred', n: 100 },
    { k: 'grouped', n: 1 },
  ]);
  db.close();
});

it('runs a write deferred inside an outer transaction at the next flush, after that transaction', () => {
  const { db, file } = open();
  const commits = new GroupCommit(db, 1_000);
  db.transaction(() => {
    db.prepare('INSERT INTO t (k, n) VALUES (?, ?)').run('outer', 1);
    commits.defer('late', () => db.prepare('INSERT INTO t (k, n) VALUES (?, ?)').run('late', 2));
  })();
  expect(committed(file)).toEqual([{ k: 'outer', n: 1 }]);
  commits.flush();
  expect(committed(file)).toEqual([
    { k: 'late', n: 2 },
    { k: 'outer', n: 1 },
  ]);
  db.close();
});
