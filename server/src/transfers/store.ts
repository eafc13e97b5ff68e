/**
 * The persistent queue: transfers (what the user asked for) and their files (what runs).
 * Every state change is written before it is announced, so a SIGKILL loses nothing.
 * Only transitions.ts calls the methods that write `state`. Every write to a transfer or one
 * of its files bumps the transfer's version (a file's by trigger, migration 11), which a
 * client compares to drop stale views.
 */
import crypto from 'node:crypto';
import type { IfExists, TransferMode, TransferState } from '../../../contract/index.js';
import type { Db } from '../store/db.js';

export interface TransferRow {
  id: string;
  state: TransferState;
  kind: 'file' | 'dir';
  name: string;
  source_site: string;
  source_path: string;
  dest_site: string;
  dest_dir: string;
  requested_mode: TransferMode;
  if_exists: IfExists;
  mode: 'fxp' | 'relay' | null;
  position: number;
  attempts: number;
  expanded: number;
  notes: string;
  error_code: string | null;
  error_message: string | null;
  next_retry_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  version: number;
  /** 1 when created with its files (a mirror plan): never walked. */
  planned: number;
  /** 1 once "Clear finished" took it out of the queue: History still lists it. */
  cleared: number;
  /** Cluster mode: the node walking it, that lease's epoch and end (cluster/leases.ts). */
  walk_owner: string | null;
  walk_epoch: number;
  walk_expires_at: string | null;
}

export interface FileRow {
  id: string;
  transfer_id: string;
  seq: number;
  source_path: string;
  dest_path: string;
  size: number;
  bytes_done: number;
  state: TransferState;
  mode: 'fxp' | 'relay' | null;
  attempts: number;
  started: number;
  verified: string | null;
  error_code: string | null;
  error_message: string | null;
  next_retry_at: string | null;
  /** The source's modification time to give the copy (planned files only), ISO. */
  source_mtime: string | null;
  /** 0 when source_mtime came from a coarse listing (LIST): the source's MDTM is asked first. */
  source_mtime_exact: number;
  /** Whether the destination took it: null not tried, 1 yes, 0 it cannot. */
  mtime_set: number | null;
  /** Cluster mode: the node running it, its lease's epoch (the fencing token) and end (cluster/leases.ts). */
  lease_owner: string | null;
  lease_epoch: number;
  lease_expires_at: string | null;
}

/** A file to queue: source path, destination path, size, and (planned files) the source's time. */
export type NewFile = [
  source: string,
  destination: string,
  size: number,
  modifiedAt?: string | null,
  exactTime?: boolean,
];

export interface FileCounts {
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  queued: number;
  running: number;
  bytesTotal: number;
  bytesDone: number;
}

/** Columns written by updates; `state` only through the change*State methods, `version` by every write. */
export type TransferFields = Partial<Omit<TransferRow, 'id' | 'state' | 'version'>>;
export type FileNow = Pick<FileRow, 'state' | 'attempts' | 'next_retry_at'>;
export type FileFields = Partial<Omit<FileRow, 'id' | 'transfer_id' | 'state'>>;

/** Named so that a test can check its plan: the partial index, never a scan of the queued files. */
export const EARLIEST_RETRY_SQL = `SELECT MIN(next_retry_at) AS t FROM transfer_files INDEXED BY transfer_files_retry
   WHERE state = 'queued' AND next_retry_at IS NOT NULL`;

export class TransferStore {
  constructor(private readonly db: Db) {}

  insertTransfer(
    fields: Pick<
      TransferRow,
      'name' | 'source_site' | 'source_path' | 'dest_site' | 'dest_dir' | 'requested_mode' | 'if_exists'
    >,
  ): TransferRow {
    const id = crypto.randomUUID();
    const position = (this.db.prepare('SELECT COALESCE(MAX(position), 0) + 1 AS p FROM transfers').get() as { p: number }).p;
    this.db.prepare(
      `INSERT INTO transfers (id, state, kind, name, source_site, source_path, dest_site, dest_dir, requested_mode,
           if_exists, position, created_at)
         VALUES (@id, 'queued', 'file', @name, @source_site, @source_path, @dest_site, @dest_dir, @requested_mode,
           @if_exists, @position, @created_at)`,
    ).run({ ...fields, id, position, created_at: new Date().toISOString() });
    this.db.prepare('INSERT INTO transfer_counts (transfer_id) VALUES (?)').run(id);
    return this.transfer(id)!;
  }

  /**
   * A transfer created with its files already known (a mirror plan): kind dir, expanded, so
   * the runner copies without walking. One transaction: a crash keeps all of it or none.
   */
  insertPlannedTransfer(fields: Parameters<TransferStore['insertTransfer']>[0], files: NewFile[]): TransferRow {
    return this.atomically(() => {
      const row = this.insertTransfer(fields);
      this.insertFiles(row.id, files);
      this.updateTransfer(row.id, { kind: 'dir', expanded: 1, planned: 1 });
      return this.transfer(row.id)!;
    });
  }

  transfer(id: string): TransferRow | undefined {
    return this.db.prepare('SELECT * FROM transfers WHERE id = ?').get(id) as TransferRow | undefined;
  }

  /** The queue: every transfer not cleared. */
  transfers(): TransferRow[] {
    return this.db.prepare('SELECT * FROM transfers WHERE cleared = 0 ORDER BY position').all() as TransferRow[];
  }

  /**
   * Finished transfers, newest first, from after the cursor (finished_at, id): a seek on
   * transfers_history. `q` is a case-insensitive substring of the name or either path.
   */
  history(q: string, after: { finishedAt: string; id: string } | null, limit: number): TransferRow[] {
    // lower() on both sides, by the engine: SQLite's LIKE ignores ASCII case, PostgreSQL's no case.
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db.prepare(
      `SELECT * FROM transfers
         WHERE finished_at IS NOT NULL AND state IN ('done', 'failed', 'cancelled', 'skipped')
           AND (@q = '' OR lower(name) LIKE lower(@like) ESCAPE '\\' OR lower(source_path) LIKE lower(@like) ESCAPE '\\'
             OR lower(dest_dir) LIKE lower(@like) ESCAPE '\\')
           AND (CAST(@after AS TEXT) IS NULL OR (finished_at, id) < (@after, @afterId))
         ORDER BY finished_at DESC, id DESC LIMIT @limit`,
    ).all({ q, like, after: after?.finishedAt ?? null, afterId: after?.id ?? '', limit }) as TransferRow[];
  }

  /** Transfers with work left, in queue order. */
  active(): TransferRow[] {
    return this.db.prepare(
      `SELECT * FROM transfers WHERE state IN ('queued', 'running') ORDER BY position`,
    ).all() as TransferRow[];
  }

  /** How many transfers have work left (an index count, not their rows). */
  activeCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM transfers WHERE state IN ('queued', 'running')`).get() as { n: number }).n;
  }

  /** Run writes as one: a crash keeps all of them or none. */
  atomically<T>(writes: () => T): T {
    return this.db.transaction(writes)();
  }

  updateTransfer(id: string, fields: TransferFields): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const set = entries.map(([column]) => `${column} = @${column}`).join(', ');
    this.db.prepare(`UPDATE transfers SET ${set}, version = version + 1 WHERE id = @id`).run({ ...fields, id });
  }

  /** Move a transfer to `to` if it is in one of `from`; false (and nothing written) if not. */
  changeTransferState(id: string, from: TransferState[], to: TransferState, fields: TransferFields = {}): boolean {
    const result = this.db.prepare(
      `UPDATE transfers SET state = @to${alsoSet(fields)}, version = version + 1 WHERE id = @id AND state IN (${statesList(from)})`,
    ).run({ ...fields, ...statesParams(from), to, id });
    return result.changes > 0;
  }

  moveToTop(id: string): void {
    const min = (this.db.prepare('SELECT COALESCE(MIN(position), 0) AS p FROM transfers').get() as { p: number }).p;
    this.db.prepare('UPDATE transfers SET position = ?, version = version + 1 WHERE id = ?').run(min - 1, id);
  }

  /** Take finished transfers out of the queue (failed ones only when asked); kept for History. */
  clearFinished(withFailed: boolean): string[] {
    const states: TransferState[] = withFailed
      ? ['done', 'skipped', 'cancelled', 'failed']
      : ['done', 'skipped', 'cancelled'];
    const rows = this.db.prepare(
      `UPDATE transfers SET cleared = 1, version = version + 1
         WHERE cleared = 0 AND state IN (${statesList(states)}) RETURNING id`,
    ).all(statesParams(states)) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** How a finished transfer's copied files were checked: "SHA-256", or "SHA-256 3 · size 1"; null if none was. */
  verifiedSummary(transferId: string): string | null {
    const rows = this.db.prepare(
      `SELECT verified, COUNT(*) AS n FROM transfer_files WHERE transfer_id = ? AND state = 'done' AND verified IS NOT NULL
         GROUP BY verified ORDER BY n DESC, verified`,
    ).all(transferId) as { verified: string; n: number }[];
    if (rows.length === 0) return null;
    if (rows.length === 1) return rows[0]!.verified;
    return rows.map((r) => `${r.verified} ${r.n}`).join(' · ');
  }

  /** Add files found by the walk (one transaction); a second walk after a crash adds nothing twice. */
  insertFiles(transferId: string, files: NewFile[]): void {
    const insert = this.db.prepare(
      `INSERT INTO transfer_files (id, transfer_id, seq, source_path, dest_path, size, source_mtime, source_mtime_exact, state)
       VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM transfer_files WHERE transfer_id = ?), ?, ?, ?, ?, ?, 'queued')
       ON CONFLICT DO NOTHING`,
    );
    this.db.transaction(() => {
      let added = 0;
      let bytes = 0;
      for (const [source, destination, size, modifiedAt, exactTime] of files) {
        const { changes } = insert.run(
          crypto.randomUUID(),
          transferId,
          transferId,
          source,
          destination,
          size,
          modifiedAt ?? null,
          Number(exactTime ?? true),
        );
        added += changes;
        bytes += changes * size;
      }
      // Counted once per batch, not by a trigger per row (migration 11).
      this.db.prepare(
        'UPDATE transfer_counts SET total = total + ?, queued = queued + ?, bytes_total = bytes_total + ? WHERE transfer_id = ?',
      ).run(added, added, bytes, transferId);
      this.bumpVersion(transferId);
    })();
  }

  private bumpVersion(transferId: string): void {
    this.db.prepare('UPDATE transfers SET version = version + 1 WHERE id = ?').run(transferId);
  }

  file(id: string): FileRow | undefined {
    return this.db.prepare('SELECT * FROM transfer_files WHERE id = ?').get(id) as FileRow | undefined;
  }

  /** What decides whether a file may start now (one indexed read), or undefined when it is gone. */
  fileNow(id: string): FileNow | undefined {
    return this.db.prepare('SELECT state, attempts, next_retry_at FROM transfer_files WHERE id = ?').get(id) as
      | FileNow
      | undefined;
  }

  files(transferId: string): FileRow[] {
    return this.db.prepare('SELECT * FROM transfer_files WHERE transfer_id = ? ORDER BY seq').all(transferId) as FileRow[];
  }

  /** Files ready to run now (not waiting for a retry), in order, from after `afterSeq`. */
  runnableFiles(transferId: string, now: string, limit: number, afterSeq = 0): FileRow[] {
    return this.db.prepare(
      `SELECT * FROM transfer_files
         WHERE transfer_id = ? AND state = 'queued' AND seq > ? AND (next_retry_at IS NULL OR next_retry_at <= ?)
         ORDER BY seq LIMIT ?`,
    ).all(transferId, afterSeq, now, limit) as FileRow[];
  }

  /** The earliest retry time among waiting files, to wake the scheduler then. */
  nextRetryAt(): string | null {
    const row = this.db.prepare(EARLIEST_RETRY_SQL).get() as { t: string | null };
    return row.t;
  }

  /** One statement: the version bump is the file's trigger's (migration 11). */
  updateFile(id: string, fields: FileFields): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const set = entries.map(([column]) => `${column} = @${column}`).join(', ');
    this.db.prepare(`UPDATE transfer_files SET ${set} WHERE id = @id`).run({ ...fields, id });
  }

  /**
   * Move a file to `to` if it is in one of `from` (and, given a lease, still held by it: a node
   * that lost the file writes nothing); false (and nothing written) if not.
   */
  changeFileState(
    id: string,
    from: TransferState[],
    to: TransferState,
    fields: FileFields = {},
    lease?: { owner: string; epoch: number },
  ): boolean {
    const held = lease ? ' AND lease_owner = @leaseOwner AND lease_epoch = @leaseEpoch' : '';
    const result = this.db.prepare(
      `UPDATE transfer_files SET state = @to${alsoSet(fields)} WHERE id = @id AND state IN (${statesList(from)})${held}`,
    ).run({
      ...fields,
      ...statesParams(from),
      to,
      id,
      ...(lease ? { leaseOwner: lease.owner, leaseEpoch: lease.epoch } : {}),
    });
    return result.changes > 0;
  }

  /** Move every file of a transfer that is in one of `from` to `to`. */
  changeFilesState(transferId: string, from: TransferState[], to: TransferState, fields: FileFields = {}): void {
    this.db.prepare(
      `UPDATE transfer_files SET state = @to${alsoSet(fields)} WHERE transfer_id = @transferId AND state IN (${statesList(from)})`,
    ).run({ ...fields, ...statesParams(from), to, transferId });
  }

  /** Whether any file of the transfer is still queued or running (an index lookup, not a count). */
  hasUnfinished(transferId: string): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM transfer_files WHERE state IN ('queued', 'running') AND transfer_id = ? LIMIT 1`).get(
        transferId,
      ) !== undefined
    );
  }

  /** Kept as files change (migration 11): one row read, however many files. */
  counts(transferId: string): FileCounts {
    const row = this.db.prepare(
      `SELECT total, done, failed, cancelled, skipped, queued, running, bytes_total AS "bytesTotal", bytes_done AS "bytesDone"
         FROM transfer_counts WHERE transfer_id = ?`,
    ).get(transferId) as FileCounts | undefined;
    return (
      row ?? {
        total: 0,
        done: 0,
        failed: 0,
        cancelled: 0,
        skipped: 0,
        queued: 0,
        running: 0,
        bytesTotal: 0,
        bytesDone: 0,
      }
    );
  }

  /** The first failed file in queue order (an index lookup). */
  firstFailedFile(transferId: string): FileRow | undefined {
    return this.db.prepare(`SELECT * FROM transfer_files WHERE state = 'failed' AND transfer_id = ? ORDER BY seq LIMIT 1`).get(
      transferId,
    ) as FileRow | undefined;
  }

  /** After a crash: what was running is queued again, to resume from what the destination holds. */
  requeueInterrupted(): void {
    this.atomically(() => {
      this.db.prepare(
        `UPDATE transfers SET version = version + 1
           WHERE id IN (SELECT transfer_id FROM transfer_files WHERE state = 'running')`,
      ).run();
      this.db.prepare(`UPDATE transfer_files SET state = 'queued' WHERE state = 'running'`).run();
    });
  }

  /** Up to `limit` files after `afterSeq`, in seq order: a seek on transfer_files_seq, whatever the page. */
  filesPage(transferId: string, afterSeq: number, limit: number): FileRow[] {
    return this.db.prepare('SELECT * FROM transfer_files WHERE transfer_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
      transferId,
      afterSeq,
      limit,
    ) as FileRow[];
  }
}

/** `, column = @column` for each field written alongside a state. */
function alsoSet(fields: object): string {
  return Object.keys(fields)
    .map((column) => `, ${column} = @${column}`)
    .join('');
}

/** The placeholders @from0, @from1 … of a `state IN (…)` list; statesParams() gives their values. */
function statesList(states: TransferState[]): string {
  return states.map((_, i) => `@from${i}`).join(', ');
}

function statesParams(states: TransferState[]): Record<string, TransferState> {
  return Object.fromEntries(states.map((state, i) => [`from${i}`, state]));
}
