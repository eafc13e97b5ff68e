/**
 * The state machine of transfers and their files: the only code that writes `state`. The
 * runner and the service say what happened; each transition checks the state it leaves (in
 * the UPDATE itself, so nothing slips in between a read and the write), writes, and only
 * then announces, so a SIGKILL after an announcement loses nothing a browser saw.
 *
 *   transfer  queued → running → done | skipped | failed | cancelled → (retry) queued
 *             (skipped: every file was skipped)
 *   file      queued → running → done | skipped | failed | cancelled, or back to queued (retry later,
 *             shutdown, crash); failed | cancelled → (retry) queued
 *
 * A file's claim (queued → running) is a write deferred to whoever reads next (GroupCommit.defer):
 * an HTTP request, a WebSocket batch, an announcement and the user's transitions here write
 * it first. A small file that ends before anyone looks is written once, queued → its end; on a
 * tree of small files the claim's write (and the two triggers it fires) was a quarter of the
 * store's work. The claim itself stays in memory until the copy ends: that is what keeps a
 * second lane off the file. Lost in a crash, it costs nothing: the file is still queued and is
 * copied again to an identical end.
 *
 * What a refusal means depends on whose transition it is. The user's (cancel, retry) throw
 * ConflictError: the API answers 409 with the state the transfer is in. The runner's ones race
 * with the user's and with shutdown (a copy that ends after its transfer was cancelled and
 * retried, a settle after a cancel): when its from-state no longer holds, a newer transition
 * won, so it writes nothing and returns false.
 */
import type { TransferState } from '../../../contract/index.js';
import { ConflictError, type ErrorDescription } from '../errors.js';
import type { FileLeases } from '../cluster/leases.js';
import type { GroupCommit } from '../store/db.js';
import type { FileFields, FileRow, TransferRow, TransferStore } from './store.js';

/** How a written state change reaches the browsers. */
export interface Announcer {
  /** A transfer's state changed: tell them now. */
  now(transferId: string): void;
  /** One of its files changed: tell them with the next progress update. */
  soon(transferId: string): void;
}

/** What a finished copy leaves in the file's row. */
export type FileResult = Pick<FileRow, 'size' | 'mode' | 'verified'> & Partial<Pick<FileRow, 'mtime_set'>>;

const UNFINISHED: TransferState[] = ['queued', 'running'];
const FINISHED: TransferState[] = ['done', 'skipped', 'failed', 'cancelled'];

/**
 * A file claimed by a copy under way (see above). `written` once the row reads running; `lost`
 * when that write found the file gone or taken. Kept until the copy ends, whatever the row
 * says: it is what keeps a second lane off the file.
 */
interface Claim {
  fields: FileFields;
  written: boolean;
  lost: boolean;
}

export class Transitions {
  /** The files that copies are working on, by id. */
  private readonly claims = new Map<string, Claim>();

  constructor(
    private readonly store: TransferStore,
    private readonly announce: Announcer,
    private readonly commits: GroupCommit,
    /** Cluster mode: files are claimed under a lease, and their ends written only while it holds. */
    private readonly leases?: FileLeases,
  ) {}

  // ---- the user's -------------------------------------------------------------------------

  /** Stop a transfer: what waits is cancelled now; running copies end as cancelled when aborted. */
  cancel(id: string): void {
    this.commits.writeDeferred(); // a claimed file is running, not waiting
    const cancelled = this.store.atomically(() => {
      if (!this.store.changeTransferState(id, UNFINISHED, 'cancelled', { finished_at: now(), next_retry_at: null })) {
        return false;
      }
      this.store.changeFilesState(id, ['queued'], 'cancelled');
      return true;
    });
    if (!cancelled) throw new ConflictError(`transfer is already ${this.stateOf(id)}`);
    this.announce.now(id);
  }

  /** Run a finished transfer again: its failed and cancelled files start over, done ones stay. */
  retry(id: string): void {
    this.commits.writeDeferred();
    const retried = this.store.atomically(() => {
      const changed = this.store.changeTransferState(id, FINISHED, 'queued', {
        // Walk again: a walk that failed (login refused, a listing error) is marked expanded so
        // the transfer can settle, and would otherwise leave the retry queued with nothing to
        // run or a tree half found. Re-walking is idempotent (files are keyed by source path).
        // A planned transfer (a mirror plan) has no walk: its files are all it is.
        ...(this.store.transfer(id)?.planned ? {} : { expanded: 0 }),
        attempts: 0,
        error_code: null,
        error_message: null,
        next_retry_at: null,
        finished_at: null,
        // Run again: back in the queue even if "Clear finished" had taken it out.
        cleared: 0,
      });
      if (!changed) return false;
      this.store.changeFilesState(id, ['failed', 'cancelled'], 'queued', {
        attempts: 0,
        next_retry_at: null,
        error_code: null,
        error_message: null,
      });
      return true;
    });
    if (!retried) throw new ConflictError(`transfer is ${this.stateOf(id)}`);
    this.announce.now(id);
  }

  // ---- the runner's: transfers ------------------------------------------------------------

  /** The first walk or copy of a queued transfer began. */
  started(transfer: TransferRow): boolean {
    const changed = this.store.changeTransferState(transfer.id, ['queued'], 'running', {
      started_at: transfer.started_at ?? now(),
    });
    if (changed) this.announce.now(transfer.id);
    return changed;
  }

  /** The walk failed for now: the transfer waits until `at` to walk again. */
  walkRetryLater(id: string, attempts: number, at: Date): void {
    this.store.updateTransfer(id, { attempts, next_retry_at: at.toISOString() });
  }

  /** The walk found every file. */
  walkDone(id: string): void {
    this.store.updateTransfer(id, { expanded: 1, next_retry_at: null });
  }

  /**
   * The walk failed for good: the transfer keeps the error and nothing waiting runs. It is
   * marked expanded so that settle() can finish it as failed once running copies end.
   */
  walkFailed(id: string, attempts: number, failure: ErrorDescription): void {
    this.commits.writeDeferred(); // a claimed file is running, not waiting
    this.store.atomically(() => {
      this.store.updateTransfer(id, {
        attempts,
        expanded: 1,
        error_code: failure.code,
        error_message: failure.message,
      });
      this.store.changeFilesState(id, ['queued'], 'cancelled');
    });
  }

  /** Finish a transfer whose walk is done and whose files have all ended; true if it did. */
  settle(id: string): boolean {
    const row = this.store.transfer(id);
    if (!row || !UNFINISHED.includes(row.state)) return false;
    if (row.expanded === 0 || this.store.hasUnfinished(id)) return false;
    const counts = this.store.counts(id);
    const failed = counts.failed > 0 ? this.store.firstFailedFile(id) : undefined;
    const changed = this.store.changeTransferState(
      id,
      [row.state],
      failed || row.error_code
        ? 'failed'
        : counts.cancelled > 0
          ? 'cancelled'
          : counts.total > 0 && counts.skipped === counts.total
            ? 'skipped'
            : 'done',
      {
        finished_at: now(),
        ...(failed ? { error_code: failed.error_code, error_message: failed.error_message } : {}),
      },
    );
    if (changed) this.announce.now(id);
    return changed;
  }

  // ---- the runner's: files ----------------------------------------------------------------

  /**
   * A copy of a queued file begins; its attempt number is `attempts`. False, and nothing
   * claimed, when the row read a moment ago is not the file now: claimed, no longer queued
   * (whoever moved it owns it), or an attempt ended since and a retry waits (a fresh read
   * finds it again when it is due).
   */
  fileStarted(file: FileRow, attempts: number): boolean {
    if (this.claims.has(file.id)) return false;
    const now = this.store.fileNow(file.id);
    if (now?.state !== 'queued' || now.attempts !== file.attempts) return false;
    if (now.next_retry_at !== null && now.next_retry_at > new Date().toISOString()) return false;
    const claim: Claim = { fields: { attempts, bytes_done: 0, next_retry_at: null }, written: false, lost: false };
    this.claims.set(file.id, claim);
    this.commits.defer(`claim ${file.id}`, () => this.writeClaim(file, claim));
    this.announce.soon(file.transfer_id);
    return true;
  }

  /** A copy works on this file now. */
  claimed(fileId: string): boolean {
    return this.claims.has(fileId);
  }

  private writeClaim(file: FileRow, claim: Claim): void {
    if (this.claims.get(file.id) !== claim) return; // it ended first, and was written once
    if (this.store.changeFileState(file.id, ['queued'], 'running', claim.fields)) claim.written = true;
    else claim.lost = true;
  }

  /** Cluster mode: the transfer's next ready file, claimed under this node's lease (leases.ts). */
  claimNext(transferId: string): FileRow | undefined {
    const file = this.leases!.claimNext(transferId);
    if (file) this.announce.soon(transferId);
    return file;
  }

  /** Cluster mode: files whose node stopped renewing their lease are queued again, to resume. */
  requeueExpiredLeases(): string[] {
    const transferIds = this.leases!.requeueExpired();
    for (const id of transferIds) this.announce.now(id);
    return transferIds;
  }

  fileDone(file: FileRow, result: FileResult): boolean {
    return this.fileChanged(file, ['running'], 'done', {
      ...result,
      bytes_done: result.size,
      error_code: null,
      error_message: null,
    });
  }

  /** The destination already had it (if-exists "skip", a dupe refusal): nothing copied. */
  fileSkipped(file: FileRow): boolean {
    return this.fileChanged(file, ['running'], 'skipped', {
      mode: null,
      verified: null,
      bytes_done: 0,
      error_code: null,
      error_message: null,
    });
  }

  /** A transient failure: the file waits until `at` for its next attempt. */
  fileRetryLater(file: FileRow, failure: ErrorDescription, at: Date): boolean {
    return this.fileChanged(file, ['running'], 'queued', {
      next_retry_at: at.toISOString(),
      error_code: failure.code,
      error_message: failure.message,
    });
  }

  fileFailed(file: FileRow, failure: ErrorDescription, bytesDone: number): boolean {
    return this.fileChanged(file, ['running'], 'failed', {
      bytes_done: bytesDone,
      error_code: failure.code,
      error_message: failure.message,
    });
  }

  /** The server is shutting down: the copy runs again at the next start, this attempt not counted. */
  fileInterrupted(file: FileRow, attempts: number): boolean {
    return this.fileChanged(file, ['running'], 'queued', { attempts: attempts - 1 });
  }

  /**
   * A server's policy stopped the copy (a full disk, one login too many): the file waits
   * until `at` (or until it is taken again), this attempt not counted.
   */
  filePutBack(file: FileRow, attempts: number, at: Date | null): boolean {
    return this.fileChanged(file, ['running'], 'queued', {
      attempts: attempts - 1,
      next_retry_at: at?.toISOString() ?? null,
    });
  }

  /**
   * The user stopped the copy. Its transfer may have been retried while the copy was still
   * winding down: then the file runs again instead of ending cancelled.
   */
  fileAborted(file: FileRow, bytesDone: number): boolean {
    const retried = this.stateOf(file.transfer_id) !== 'cancelled';
    return this.fileChanged(file, ['running'], retried ? 'queued' : 'cancelled', { bytes_done: bytesDone });
  }

  /** At start: what a crash left running is queued again, to resume from what the destination holds. */
  requeueInterrupted(): void {
    this.store.requeueInterrupted();
  }

  private fileChanged(file: FileRow, from: TransferState[], to: TransferState, fields: FileFields): boolean {
    const claim = this.claims.get(file.id);
    if (claim) {
      this.claims.delete(file.id);
      if (claim.lost) return false;
      if (!claim.written) {
        // Never written running: from queued to its end in one write, with the claim's fields.
        from = ['queued'];
        fields = { ...claim.fields, ...fields };
      }
    }
    // A running file claimed under a lease ends only while the lease is still this one.
    const lease =
      from.includes('running') && file.lease_owner ? { owner: file.lease_owner, epoch: file.lease_epoch } : undefined;
    const changed = this.store.changeFileState(file.id, from, to, fields, lease);
    if (changed) this.announce.soon(file.transfer_id);
    return changed;
  }

  private stateOf(id: string): TransferState | undefined {
    return this.store.transfer(id)?.state;
  }
}

function now(): string {
  return new Date().toISOString();
}
