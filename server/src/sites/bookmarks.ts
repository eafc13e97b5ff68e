import type { Bookmark } from '../../../contract/index.js';
import type { Db } from '../store/db.js';

interface BookmarkRow {
  path: string;
  created_at: string;
}

/** Favourite folders per site; they go with their site (ON DELETE CASCADE). */
export class BookmarkBook {
  constructor(private readonly db: Db) {}

  list(siteId: string): Bookmark[] {
    const rows = this.db
      .prepare('SELECT path, created_at FROM site_bookmarks WHERE site_id = ? ORDER BY path')
      .all(siteId) as BookmarkRow[];
    return rows.map((row) => ({ path: row.path, createdAt: row.created_at }));
  }

  /** Adding a folder already there keeps it (and its date). */
  add(siteId: string, path: string): Bookmark[] {
    this.db
      .prepare('INSERT INTO site_bookmarks (site_id, path, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(siteId, path, new Date().toISOString());
    return this.list(siteId);
  }

  /** False when there was no such bookmark. */
  remove(siteId: string, path: string): boolean {
    return this.db.prepare('DELETE FROM site_bookmarks WHERE site_id = ? AND path = ?').run(siteId, path).changes > 0;
  }
}
