/**
 * One executor per unfinished mirror run across the nodes of a cluster. A web node only
 * inserts a run; a worker takes it: it claims a run nobody owns, or whose owner stopped
 * renewing (the node died), with a compare-and-set UPDATE, so two workers never both win one.
 * The owner renews its runs' leases every few seconds; a run that is no longer renewed to it
 * was cancelled or removed (on any node) or taken over, and its execution stops.
 *
 * Unlike files (leases.ts) there is no epoch: a run's own writes already go through
 * MirrorStore.changeRunState, which checks the state it leaves, and the copying it waits on
 * is its transfer's, fenced by the file leases.
 *
 * PostgreSQL only (the embedded SQLite process is the one owner of every run).
 */
import { FenceError } from '../ftp/errors.js';
import type { Fence } from '../ftp/fence.js';
import type { Db } from '../store/db.js';
import type { RunOwner, RunRow } from '../mirror/store.js';

export interface RunLeaseOptions {
  /** How long a run's lease lasts unrenewed (default 15 s): a dead worker's runs move on after this. */
  ttlMs?: number;
}

/** The unfinished states: a run in one of them has (or awaits) an executor. */
const UNFINISHED = `('queued', 'comparing', 'syncing')`;

export class RunLeases {
  readonly ttlMs: number;

  constructor(
    private readonly db: Db,
    readonly owner: string,
    options: RunLeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
  }

  /** The owner columns of a run this node inserts and executes at once. */
  fresh(): RunOwner {
    return { run_owner: this.owner, run_expires_at: iso(Date.now() + this.ttlMs) };
  }

  /**
   * Unfinished runs that no live node executes and that this node may (both of the job's
   * sites reachable from here: untagged, or tagged with one of `tags`), now ours; oldest first,
   * as they are after the claim.
   */
  claim(tags: readonly string[]): RunRow[] {
    const now = Date.now();
    const candidates = this.db
      .prepare(
        `SELECT r.id, s.egress AS source_egress, d.egress AS dest_egress
           FROM mirror_runs r JOIN mirror_jobs j ON j.id = r.job_id
             LEFT JOIN sites s ON s.id = j.source_site LEFT JOIN sites d ON d.id = j.dest_site
           WHERE r.state IN ${UNFINISHED} AND (r.run_owner IS NULL OR r.run_expires_at < ?)
           ORDER BY r.started_at`,
      )
      .all(iso(now)) as { id: string; source_egress: string | null; dest_egress: string | null }[];
    const reachable = (tag: string | null) => tag === null || tags.includes(tag);
    const claim = this.db.prepare(
      `UPDATE mirror_runs SET run_owner = @owner, run_expires_at = @expires
         WHERE id = @id AND state IN ${UNFINISHED} AND (run_owner IS NULL OR run_expires_at < @now)
         RETURNING *`,
    );
    const claimed: RunRow[] = [];
    for (const candidate of candidates) {
      if (!reachable(candidate.source_egress) || !reachable(candidate.dest_egress)) continue;
      const row = claim.get({ id: candidate.id, owner: this.owner, expires: iso(now + this.ttlMs), now: iso(now) }) as
        | RunRow
        | undefined;
      if (row) claimed.push(row);
    }
    return claimed;
  }

  /** Whether the run is still ours for a few seconds yet (the fence of its destination commands). */
  holds(runId: string, marginMs = 3_000): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM mirror_runs WHERE id = ? AND run_owner = ? AND run_expires_at > ?`)
        .get(runId, this.owner, iso(Date.now() + marginMs)) !== undefined
    );
  }

  /** The run's fence: its MKDs, DELEs and RMDs go out only while this node still holds it. */
  fence(runId: string): Fence {
    return (command) => {
      if (!this.holds(runId)) throw new FenceError(command);
    };
  }

  /** Extend the lease of every unfinished run of ours; the ids still ours. */
  renew(): Set<string> {
    const rows = this.db
      .prepare(`UPDATE mirror_runs SET run_expires_at = ? WHERE run_owner = ? AND state IN ${UNFINISHED} RETURNING id`)
      .all(iso(Date.now() + this.ttlMs), this.owner) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** This node stops: its unfinished runs are free for another worker at once, not after the lease. */
  releaseAll(): void {
    this.db.prepare(`UPDATE mirror_runs SET run_owner = NULL WHERE run_owner = ? AND state IN ${UNFINISHED}`).run(this.owner);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
