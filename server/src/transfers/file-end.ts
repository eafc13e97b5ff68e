/**
 * How a file's copy ends, apart from scheduling it: the retry policy (shared with the walk),
 * what a failed or stopped copy leaves in its row (a server's policy reply: policy-end.ts),
 * and the source's modification time given to a copied planned file.
 */
import { setModifiedAt } from '../ftp/mtime.js';
import { modifiedAt } from '../ftp/ops.js';
import { describeError, isTransient, type ErrorDescription } from '../errors.js';
import type { Lease } from '../sites/pool.js';
import { endByPolicy, type CopySites } from './policy-end.js';
import type { FileRow } from './store.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';

/** Why a job was stopped: the user cancelled, or the server is shutting down (re-queue). */
export const SHUTDOWN = 'shutdown';

export interface RetryOptions {
  /** Tries per file before it fails (default 4). */
  maxAttempts?: number;
  /** Delay before retry n (default 2 s, 8 s, 30 s). */
  retryDelaysMs?: number[];
}

/** The wait before try `attempts + 1` after this error, or null when it ends the work. */
export function retryDelay(options: RetryOptions, attempts: number, error: unknown): number | null {
  if (!isTransient(error) || attempts >= (options.maxAttempts ?? 4)) return null;
  const delays = retryDelays(options);
  return delays[Math.min(attempts - 1, delays.length - 1)]!;
}

function retryDelays(options: RetryOptions): number[] {
  return options.retryDelaysMs ?? [2_000, 8_000, 30_000];
}

/** "…; will retry in 8 s" */
export function retryNote(failure: ErrorDescription, delay: number): string {
  return `${failure.message}; will retry in ${Math.round(delay / 1000)} s`;
}

/**
 * In a cluster, a lane's second login found no slot free for a while (runner.ts clusterPair):
 * other nodes' lanes hold the site's logins.
 */
export class ClusterBusyError extends Error {
  constructor(readonly siteId: string) {
    super('every login of the site is in use across the cluster');
    this.name = 'ClusterBusyError';
  }
}

const CLUSTER_BUSY_WAIT_MS = 1_000;

/** A fence refused a command (ftp/fence.ts): another worker owns this work now. */
export function leaseLost(error: unknown): boolean {
  return describeError(error).code === 'lease_lost';
}

/**
 * A copy threw: why decides whether the file waits, runs again, or ends. True when its lane
 * should stop taking files (a server's policy: its destination paused, too many sessions; a
 * lost lease).
 */
export function endFailedCopy(
  deps: { transitions: Transitions; service: TransferService; options: RetryOptions },
  file: FileRow,
  attempts: number,
  error: unknown,
  signal: AbortSignal,
  position: number,
  sites: CopySites,
): boolean {
  // The file's row is its new owner's to write, even if a cancel or a shutdown came too; and
  // a worker that lost one lease stops its lane at once rather than find out file by file.
  if (leaseLost(error)) {
    const why = describeError(error).message;
    deps.service.addNote(file.transfer_id, `${file.source_path}: left to the worker that owns it now (${why})`);
    return true;
  }
  if (signal.aborted && signal.reason === SHUTDOWN) {
    deps.transitions.fileInterrupted(file, attempts);
    return false;
  }
  if (signal.aborted) {
    deps.transitions.fileAborted(file, position);
    return false;
  }
  if (error instanceof ClusterBusyError) {
    // Not the file's fault: it waits a moment, this attempt not counted, and the lane makes way.
    deps.transitions.filePutBack(file, attempts, new Date(Date.now() + CLUSTER_BUSY_WAIT_MS));
    return true;
  }
  const policy = endByPolicy(
    { ...deps, waitMs: retryDelays(deps.options)[0]! },
    file,
    attempts,
    error,
    sites,
    position,
  );
  if (policy) return policy === 'yield';
  const failure = describeError(error);
  const delay = retryDelay(deps.options, attempts, error);
  if (delay !== null) {
    deps.transitions.fileRetryLater(file, failure, new Date(Date.now() + delay));
    deps.service.addNote(file.transfer_id, `${file.source_path}: ${retryNote(failure, delay)}`);
    return false;
  }
  deps.transitions.fileFailed(file, failure, position);
  return false;
}

/** Planned files' modification times, and the transfers whose destination cannot set them. */
export class TimeKeeper {
  /** Transfers whose destination said it cannot set modification times: not asked again. */
  private readonly refused = new Set<string>();

  /**
   * Give a copied planned file its source's modification time, on the destination session
   * right after the copy, so a crash after this file cannot lose it. 1 set, 0 the server
   * cannot (remembered for the transfer), null not tried or the session failed: the copy
   * stands either way, and the next compare sees the time differ at worst.
   */
  async preserve(file: FileRow, source: Lease, destination: Lease): Promise<number | null> {
    if (file.source_mtime === null) return null;
    if (this.refused.has(file.transfer_id)) return 0;
    try {
      // A LIST time is whole minutes, or a day for older files: MDTM has the seconds.
      const time = file.source_mtime_exact
        ? file.source_mtime
        : ((await modifiedAt(await source.acquire(), file.source_path)) ?? file.source_mtime);
      const set = await setModifiedAt(await destination.acquire(), file.dest_path, time);
      if (!set) this.refused.add(file.transfer_id);
      return set ? 1 : 0;
    } catch {
      return null;
    }
  }

  forget(transferId: string): void {
    this.refused.delete(transferId);
  }
}
