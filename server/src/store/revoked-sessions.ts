/**
 * Sign-outs, in the store so they outlive a restart: a cookie that was signed out must not
 * come back to life when the process does. A row lives only as long as its cookie could.
 */
import type { Db } from './db.js';

export class RevokedSessions {
  private readonly insert;
  private readonly lookup;
  private readonly prune;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO revoked_sessions (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at');
    this.lookup = db.prepare('SELECT 1 FROM revoked_sessions WHERE id = ?').pluck();
    this.prune = db.prepare('DELETE FROM revoked_sessions WHERE expires_at < ?');
  }

  revoke(id: string, expiresAt: number, now = Date.now()): void {
    this.prune.run(now);
    this.insert.run(id, expiresAt);
  }

  has(id: string): boolean {
    return this.lookup.get(id) !== undefined;
  }
}
