/**
 * A site's login slots, shared by every node of a cluster: slot n of site s is the
 * PostgreSQL session-level advisory lock (key of s, n), held on this process's own
 * connection (store/postgres.ts) for as long as one login of s is open. A site with
 * maxConnections 4 has slots 0..3, so the whole cluster holds at most four logins of it.
 *
 * Why advisory locks rather than a table of holders with heartbeats: a lock belongs to the
 * connection, so a node that is SIGKILLed, or whose machine dies, frees its slots the moment
 * PostgreSQL sees its connection close: no heartbeat to write, no expiry to wait out or to
 * tune, and no window where a dead node's rows still count or a slow live one's are stolen.
 * They are not transactional at session level: a slot taken inside a transaction that then
 * rolls back stays taken (the same connection runs the stores' transactions), and one is
 * given back only by release() or by the connection's end.
 *
 * The weak point is the same property: if this process's database connection drops while it
 * lives, PostgreSQL frees its slots while its FTP sessions stay open, and other nodes may log
 * in beyond the limit until those sessions close. Nothing re-acquires them: the connection is
 * not re-established (store/postgres.ts fails every later statement), so the node can take
 * no new slot either (tryAcquire throws, so it opens no new login), its store is gone too,
 * and it has to be restarted; its open sessions end at their idle close, or when the pool closes.
 *
 * The key of a site is a 32-bit hash of its id. Two ids with the same hash share one set of
 * slots: the limit only gets stricter (each site may then get fewer logins), never looser.
 */
import crypto from 'node:crypto';
import type { Db, Statement } from '../store/db.js';
import type { LoginSlots } from '../sites/pool.js';

/** The second key of the mark a node holds while it waits for a slot (slots are 0..max-1). */
const WAITING = -1;

export class ClusterSlots implements LoginSlots {
  /** Locks this connection holds: advisory locks stack within a session, so never take one twice. */
  private readonly held = new Set<string>();
  private readonly take: Statement;
  private readonly give: Statement;
  private readonly mark: Statement;
  private readonly unmark: Statement;
  private readonly marked: Statement;

  constructor(db: Db) {
    if (db.engine !== 'postgres') throw new Error('cluster slots need the PostgreSQL store');
    this.take = db.prepare('SELECT pg_try_advisory_lock(?::int4, ?::int4)').pluck();
    this.give = db.prepare('SELECT pg_advisory_unlock(?::int4, ?::int4)').pluck();
    this.mark = db.prepare('SELECT pg_try_advisory_lock_shared(?::int4, ?::int4)').pluck();
    this.unmark = db.prepare('SELECT pg_advisory_unlock_shared(?::int4, ?::int4)').pluck();
    // pg_locks shows the two int4 keys of a lock as classid and objid (oid: the same 32 bits,
    // unsigned), with objsubid 2; it lists every database's locks, hence the database test.
    this.marked = db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = (?::int4)::oid AND objid = (?::int4)::oid AND objsubid = 2)`,
      )
      .pluck();
  }

  tryAcquire(siteId: string, max: number): number | null {
    const key = siteKey(siteId);
    for (let slot = 0; slot < max; slot++) {
      if (this.held.has(`${key}:${slot}`)) continue;
      if (this.take.get(key, slot) === true) {
        this.held.add(`${key}:${slot}`);
        return slot;
      }
    }
    return null;
  }

  release(siteId: string, slot: number): void {
    const key = siteKey(siteId);
    if (!this.held.delete(`${key}:${slot}`)) return;
    this.give.get(key, slot);
  }

  /**
   * Say (or stop saying) that this node waits for a slot of the site, so that nodes holding
   * its slots in idle sessions give them up (sites/pool-slots.ts). A shared lock: every
   * waiting node holds it at once, and it goes with the connection like the slots do.
   */
  want(siteId: string, waiting: boolean): void {
    (waiting ? this.mark : this.unmark).get(siteKey(siteId), WAITING);
  }

  /** Whether some node, this one included, waits for a slot of the site. */
  wanted(siteId: string): boolean {
    return this.marked.get(siteKey(siteId), WAITING) === true;
  }
}

/** The first key of a site's locks: a signed 32-bit hash of its id (int4, as PostgreSQL takes it). */
export function siteKey(siteId: string): number {
  return crypto.createHash('sha256').update(siteId).digest().readInt32BE(0);
}
