/**
 * One owner per file, and per walk, across the nodes of a cluster. A worker claims a queued
 * file and its lease in one statement (FOR UPDATE SKIP LOCKED: two workers never take the
 * same row), raising the file's lease epoch; the epoch is the fencing token. Before every
 * command that can't be undone the session asks `holds()` (ftp/fence.ts), and every write of
 * the file's end names the epoch (TransferStore.changeFileState), so a worker that lost the
 * file (it stalled past its lease and another took it) sends nothing and writes nothing.
 * Workers renew their leases every few seconds; a SIGKILLed worker's leases run out and the
 * sweep queues its files again, to resume from what the destination holds.
 *
 * The FTP servers can't check a token themselves, so the check is the last thing before the
 * command is written, with a margin: a lease about to run out counts as lost.
 *
 * PostgreSQL only (the embedded SQLite process is the one owner of everything).
 */
import type { Db } from '../store/db.js';
import type { FileRow } from '../transfers/store.js';

export interface LeaseOptions {
  /** How long a lease lasts unrenewed (default 15 s): a dead worker's files move on after this. */
  ttlMs?: number;
  /** A lease that ends sooner than this counts as lost at a check (default 3 s). */
  marginMs?: number;
}

export class FileLeases {
  readonly ttlMs: number;
  private readonly marginMs: number;

  constructor(
    private readonly db: Db,
    readonly owner: string,
    options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.marginMs = options.marginMs ?? 3_000;
  }

  // ---- state changes: only Transitions calls these --------------------------------------

  /**
   * The transfer's next ready file, now running under a lease of ours; undefined when none is
   * ready or every ready one is being claimed by another node right now. The row as it is now
   * (attempts already counting this one).
   */
  claimNext(transferId: string): FileRow | undefined {
    const now = Date.now();
    return this.db
      .prepare(
        `UPDATE transfer_files SET state = 'running', attempts = attempts + 1, bytes_done = 0, next_retry_at = NULL,
           lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at = @expires
         WHERE state = 'queued' AND id = (
           SELECT id FROM transfer_files
             WHERE transfer_id = @transferId AND state = 'queued' AND (next_retry_at IS NULL OR next_retry_at <= @now)
             ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
      )
      .get({ owner: this.owner, expires: iso(now + this.ttlMs), transferId, now: iso(now) }) as FileRow | undefined;
  }

  /** Files whose lease ran out (their node died or stalled) are queued again; their transfers' ids. */
  requeueExpired(): string[] {
    const rows = this.db
      .prepare(
        `UPDATE transfer_files SET state = 'queued', lease_owner = NULL
           WHERE state = 'running' AND lease_expires_at < ? RETURNING transfer_id`,
      )
      .all(iso(Date.now())) as { transfer_id: string }[];
    return [...new Set(rows.map((row) => row.transfer_id))];
  }

  // ---- the owner's ----------------------------------------------------------------------

  /** Whether the file is still ours, under this epoch, for a while yet (the fence's check). */
  holds(file: Pick<FileRow, 'id' | 'lease_epoch'>): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM transfer_files WHERE id = ? AND lease_owner = ? AND lease_epoch = ? AND state = 'running'
             AND lease_expires_at > ?`,
        )
        .get(file.id, this.owner, file.lease_epoch, iso(Date.now() + this.marginMs)) !== undefined
    );
  }

  /** Extend every lease of ours; the files and walks still ours (the rest were lost). */
  renew(): { files: Set<string>; walks: Set<string> } {
    const expires = iso(Date.now() + this.ttlMs);
    const files = this.db
      .prepare(`UPDATE transfer_files SET lease_expires_at = ? WHERE lease_owner = ? AND state = 'running' RETURNING id`)
      .all(expires, this.owner) as { id: string }[];
    const walks = this.db
      .prepare(`UPDATE transfers SET walk_expires_at = ? WHERE walk_owner = ? AND expanded = 0 RETURNING id`)
      .all(expires, this.owner) as { id: string }[];
    return { files: new Set(files.map((f) => f.id)), walks: new Set(walks.map((w) => w.id)) };
  }

  /** The running files of ours whose transfer was cancelled (by any node): their copies stop. */
  cancelled(): string[] {
    return (
      this.db
        .prepare(
          `SELECT f.id FROM transfer_files f JOIN transfers t ON t.id = f.transfer_id
             WHERE f.lease_owner = ? AND f.state = 'running' AND t.state = 'cancelled'`,
        )
        .all(this.owner) as { id: string }[]
    ).map((row) => row.id);
  }

  /** Take the transfer's walk: its epoch, or null when another node walks it (or none is due). */
  claimWalk(transferId: string): number | null {
    const now = Date.now();
    const row = this.db
      .prepare(
        `UPDATE transfers SET walk_owner = @owner, walk_epoch = walk_epoch + 1, walk_expires_at = @expires
           WHERE id = @transferId AND expanded = 0 AND state IN ('queued', 'running')
             AND (walk_owner IS NULL OR walk_expires_at < @now)
           RETURNING walk_epoch`,
      )
      .get({ owner: this.owner, expires: iso(now + this.ttlMs), transferId, now: iso(now) }) as
      | { walk_epoch: number }
      | undefined;
    return row?.walk_epoch ?? null;
  }

  holdsWalk(transferId: string, epoch: number): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM transfers WHERE id = ? AND walk_owner = ? AND walk_epoch = ? AND walk_expires_at > ?`)
        .get(transferId, this.owner, epoch, iso(Date.now() + this.marginMs)) !== undefined
    );
  }

  /** The walk ended (done, failed or put off): another node may take it when it is due again. */
  releaseWalk(transferId: string, epoch: number): void {
    this.db
      .prepare(`UPDATE transfers SET walk_owner = NULL WHERE id = ? AND walk_owner = ? AND walk_epoch = ?`)
      .run(transferId, this.owner, epoch);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
