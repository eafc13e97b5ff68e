/**
 * Which engine the built app stores in: the data dir's SQLite file in the default project,
 * the run's PostgreSQL in the "postgres" project, whose suites would otherwise pass on
 * SQLite without anyone noticing.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { addSite, startTestApp } from './app.js';

it('stores in the engine of the project it runs in', async () => {
  const t = await startTestApp();
  try {
    const id = await addSite(t, { host: '127.0.0.1', port: 2121, user: 'u', password: 'p' }, 'engine probe');
    const url = t.config.databaseUrl;
    if (inject('postgresUrl')) {
      expect(url).toMatch(/^postgres:\/\/.*\/app_[0-9a-f]{20}$/);
      const client = new pg.Client(url);
      await client.connect();
      try {
        const { rows } = await client.query('SELECT name FROM sites WHERE id = $1', [id]);
        expect(rows).toEqual([{ name: 'engine probe' }]);
      } finally {
        await client.end();
      }
    } else {
      expect(url).toBeUndefined();
      const db = new Database(path.join(t.config.dataDir, 'pasv.sqlite'), { readonly: true });
      try {
        expect(db.prepare('SELECT name FROM sites WHERE id = ?').get(id)).toEqual({ name: 'engine probe' });
      } finally {
        db.close();
      }
    }
  } finally {
    await t.close();
  }
});
