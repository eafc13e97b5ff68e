/**
 * One run of a mirror job: compare → (dry run: stop) → make the new folders → one planned
 * transfer of the new and changed files → wait for the queue to finish it → delete the
 * extras, only when every copy succeeded → done. Every state change goes through
 * MirrorStore.changeRunState with the state it leaves, so a cancel (written by the service)
 * wins over whatever this run was about to write, and this run then stops.
 */
import type { MirrorRules, RunState } from '../../../contract/index.js';
import { CancelledError } from '../ftp/cancel.js';
import { FtpConnectionError, FtpReplyError } from '../ftp/errors.js';
import { deleteFile, ensureDirectory, makeDirectory } from '../ftp/ops.js';
import { joinRemotePath } from '../ftp/path.js';
import type { FtpSession } from '../ftp/session.js';
import { describeError, MirrorRunError, type ErrorDescription } from '../errors.js';
import type { Lease, SessionPool } from '../sites/pool.js';
import type { SitesService } from '../sites/service.js';
import type { TransferService } from '../transfers/service.js';
import type { TransferRow } from '../transfers/store.js';
import { tally, type ComparedEntry } from './compare.js';
import { compareTrees } from './lister.js';
import { entryFilter } from './rules.js';
import type { JobRow, MirrorStore, RunFields, RunRow } from './store.js';
import { jobRules } from './views.js';
import type { Fence } from '../ftp/fence.js';

export const TIMES_REFUSED_NOTE =
  'destination cannot set modification times (no MFMT or SITE UTIME); the next compare uses size';
const COMPARED_BY_SIZE_NOTE = 'compared by size: the destination cannot set modification times';

/** Why an execution was stopped without a cancel: the backend is closing; the next start picks the run up. */
export const SHUTDOWN = 'shutdown';

export interface RunDeps {
  /** Cluster mode: what the run's destination commands that can't be undone must pass (its run lease). */
  fence?: ((runId: string) => Fence) | null;
  store: MirrorStore;
  sites: SitesService;
  pool: SessionPool;
  transfers: TransferService;
  /** Resolves with the transfer once it is done, failed or cancelled; undefined when it is gone. */
  transferEnded(id: string, signal: AbortSignal): Promise<TransferRow | undefined>;
  /** The run's row (or its job's) changed: announce it. */
  changed(runId: string): void;
  /** The run reached its final state. */
  ended(runId: string): void;
  /** The run's transfer failed (a notification of its own). */
  transferFailed(runId: string, transferId: string): void;
  /** An error with no row in the errors table: a bug, worth a log line. */
  unexpected(error: unknown): void;
}

/** The part of an entry the sync needs; both compared entries and stored rows have it. */
type PlanEntry = Pick<ComparedEntry, 'path' | 'type' | 'verdict'>;

export class RunExecution {
  private readonly controller = new AbortController();
  private readonly notes: string[];

  constructor(
    private readonly deps: RunDeps,
    readonly runId: string,
  ) {
    this.notes = JSON.parse(this.row().notes) as string[];
  }

  /** Compare and, unless it is a dry run, sync. */
  start(): Promise<void> {
    return this.guard(() => this.compareAndSync());
  }

  /** After a restart: the run's transfer is queued again (the runner resumes it); finish the run. */
  resume(): Promise<void> {
    return this.guard(() => this.finishSync());
  }

  /** The run was cancelled (its state is written already): stop whatever it is doing. */
  cancel(): void {
    this.controller.abort();
  }

  /** The backend closes: stop, writing nothing; the next start resumes or closes the run. */
  stop(): void {
    this.controller.abort(SHUTDOWN);
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (this.signal.aborted) return;
      const description = describeError(error);
      // The run's lease is another node's now (its fence refused a command): so is its row.
      if (description.code === 'lease_lost') return;
      if (description.code === 'internal_error') this.deps.unexpected(error);
      this.finish('failed', description);
    }
  }

  private async compareAndSync(): Promise<void> {
    const { store, sites, pool } = this.deps;
    if (!this.move('comparing', ['queued'])) return;
    const run = this.row();
    const job = this.job();
    const rules = jobRules(job);
    const [source, destination] = [sites.get(job.source_site), sites.get(job.dest_site)];
    const timesUsable = job.dest_keeps_times !== 0;
    if (!timesUsable && (rules.compareBy === 'size+time' || rules.compareBy === 'time')) this.note(COMPARED_BY_SIZE_NOTE);
    const comparison = await compareTrees({
      pool,
      source: { siteId: source.id, dir: job.source_dir, maxConnections: source.maxConnections },
      destination: { siteId: destination.id, dir: job.dest_dir, maxConnections: destination.maxConnections },
      filter: entryFilter(rules),
      settings: { compareBy: rules.compareBy, newerOnly: rules.newerOnly, timesUsable },
      signal: this.signal,
    });
    if (this.signal.aborted) return;
    for (const note of comparison.notes) this.note(note);
    const { counts, bytes } = tally(comparison.entries);
    const paths = runPaths(run);
    const selected = select(comparison.entries, paths);
    const copies = selected.filter(isCopy);
    const plannedBytes = copies.reduce((sum, entry) => sum + entry.source!.size, 0);
    store.atomically(() => {
      store.replaceEntries(run.id, job.id, comparison.entries);
      store.updateRun(run.id, { counts: JSON.stringify(counts), bytes: JSON.stringify(bytes), planned_bytes: plannedBytes });
    });
    this.deps.changed(run.id);

    if (paths) this.note(`limited to ${paths.length} selected ${paths.length === 1 ? 'entry' : 'entries'}`);
    const tooMany = deleteGuard(rules, selected);
    if (run.dry_run) {
      if (tooMany) this.note(`a real run would stop here: ${tooMany.message}`);
      this.finish('done');
      return;
    }
    // Before anything is copied: a run that would delete too much changes nothing at all.
    if (tooMany) throw tooMany;
    await this.makeFolders(job, comparison.entries, selected, copies);
    if (copies.length === 0) {
      await this.deleteExtras(job, rules, comparison.entries, paths);
      this.finish('done');
      return;
    }
    if (this.signal.aborted) return;
    // One transaction: a crash leaves either no transfer, or one the run in `syncing` points at.
    store.atomically(() => {
      const transfer = this.deps.transfers.createPlanned({
        name: `mirror: ${job.name}`,
        source: { siteId: job.source_site, dir: job.source_dir },
        destination: { siteId: job.dest_site, dir: job.dest_dir },
        files: copies.map((entry) => ({
          source: joinRemotePath(job.source_dir, entry.path),
          destination: joinRemotePath(job.dest_dir, entry.path),
          size: entry.source!.size,
          modifiedAt: entry.source!.modifiedAt,
          exactTime: entry.source!.exactTime,
        })),
      });
      if (!store.changeRunState(run.id, 'syncing', { transfer_id: transfer.id }, ['comparing'])) throw new CancelledError();
    });
    this.deps.changed(run.id);
    await this.finishSync();
  }

  /** Wait for the run's transfer, then record what it did and delete the extras if it all worked. */
  private async finishSync(): Promise<void> {
    const run = this.row();
    if (run.state !== 'syncing' || !run.transfer_id) return;
    const transfer = await this.deps.transferEnded(run.transfer_id, this.signal);
    if (!transfer) throw new MirrorRunError('transfer_gone', 'the run’s transfer was removed from the queue before it finished');
    this.recordTimes(transfer.id);
    if (transfer.state === 'cancelled') {
      this.note('its transfer was cancelled in the queue; nothing was deleted');
      this.finish('cancelled');
      return;
    }
    if (transfer.state === 'failed') {
      this.deps.transferFailed(run.id, transfer.id);
      const counts = this.deps.transfers.store.counts(transfer.id);
      const cause = transfer.error_message ? ` (${transfer.error_message})` : '';
      throw new MirrorRunError(
        'copy_failed',
        `${counts.failed + counts.cancelled} of ${counts.total} files were not copied${cause}; nothing was deleted`,
      );
    }
    const job = this.job();
    const rules = jobRules(job);
    const entries = this.deps.store.entries(run.id, { afterSeq: 0, limit: Number.MAX_SAFE_INTEGER });
    const paths = runPaths(run);
    // The rules may have changed while the copies ran: the guard holds for what is deleted now.
    const tooMany = deleteGuard(rules, select(entries, paths));
    if (tooMany) throw tooMany;
    await this.deleteExtras(job, rules, entries, paths);
    this.finish('done');
  }

  /** Whether the destination took the source times: remembered on the job for its next compare. */
  private recordTimes(transferId: string): void {
    const files = this.deps.transfers.store.files(transferId);
    const job = this.job();
    if (files.some((file) => file.mtime_set === 0)) {
      if (job.dest_keeps_times !== 0) {
        this.note(TIMES_REFUSED_NOTE);
        this.deps.store.updateJob(job.id, { dest_keeps_times: 0 });
      }
    } else if (files.some((file) => file.mtime_set === 1) && job.dest_keeps_times !== 1) {
      this.deps.store.updateJob(job.id, { dest_keeps_times: 1 });
    }
  }

  /** The folders the copies need (and new empty ones), parents first. */
  private async makeFolders(job: JobRow, all: PlanEntry[], selected: PlanEntry[], copies: PlanEntry[]): Promise<void> {
    const newDirs = new Set(all.filter((e) => e.type === 'dir' && e.verdict === 'new').map((e) => e.path));
    const needed = new Set<string>();
    const withAncestors = (path: string) => {
      for (let dir = path; dir !== ''; dir = parentOf(dir)) if (newDirs.has(dir)) needed.add(dir);
    };
    for (const copy of copies) withAncestors(parentOf(copy.path));
    for (const entry of selected) if (entry.type === 'dir' && entry.verdict === 'new') withAncestors(entry.path);
    if (needed.size === 0 && copies.length === 0) return;
    await this.onDestination(job, async (session) => {
      await ensureDirectory(await session(), job.dest_dir);
      // Sorted, a folder comes before everything inside it.
      for (const dir of [...needed].sort()) {
        const path = joinRemotePath(job.dest_dir, dir);
        try {
          await makeDirectory(await session(), path);
        } catch (error) {
          if (!(error instanceof FtpReplyError)) throw error;
          await ensureDirectory(await session(), path); // there already, or the real cause
        }
      }
    });
  }

  /** Files first, then the folders they emptied, deepest first. */
  private async deleteExtras(job: JobRow, rules: MirrorRules, all: PlanEntry[], paths: string[] | null): Promise<void> {
    if (!rules.deleteExtras) return;
    const extras = select(all, paths).filter((e) => e.verdict === 'extra');
    if (extras.length === 0) return;
    const skipped = all.filter((e) => e.verdict === 'skipped').map((e) => e.path);
    const files = extras.filter((e) => e.type === 'file');
    const dirs = extras.filter((e) => e.type === 'dir').sort((a, b) => depth(b.path) - depth(a.path));
    let deleted = 0;
    const failures: string[] = [];
    await this.onDestination(job, async (session) => {
      for (const entry of [...files, ...dirs]) {
        if (this.signal.aborted) throw new CancelledError();
        const path = joinRemotePath(job.dest_dir, entry.path);
        try {
          await retryOnLostSession(session, (s) => (entry.type === 'file' ? deleteFile(s, path) : s.send('RMD', path).then(() => undefined)));
          deleted++;
        } catch (error) {
          if (!(error instanceof FtpReplyError)) throw error;
          if (entry.type === 'dir' && skipped.some((p) => p.startsWith(`${entry.path}/`))) {
            this.note(`kept ${entry.path}/: it holds entries the rules skip`);
          } else {
            failures.push(`${entry.path}: ${describeError(error).message}`);
          }
        }
      }
    });
    this.deps.store.updateRun(this.runId, { deleted });
    if (failures.length > 0) {
      throw new MirrorRunError('delete_failed', `${failures.length} of ${extras.length} extras were not deleted (${failures[0]})`);
    }
  }

  /** Work on one leased destination session (within the site's limit), released after. */
  private async onDestination(job: JobRow, work: (session: () => Promise<FtpSession>) => Promise<void>): Promise<void> {
    const lease: Lease = await this.deps.pool.lease(job.dest_site, this.signal);
    const fence = this.deps.fence?.(this.runId);
    if (fence) lease.fence(fence); // cleared by the release
    try {
      await work(() => lease.acquire());
    } finally {
      lease.release();
    }
  }

  // ---- the run's row ----------------------------------------------------------------------

  private row(): RunRow {
    const row = this.deps.store.run(this.runId);
    if (!row) throw new CancelledError(); // the job (and its runs) were deleted
    return row;
  }

  private job(): JobRow {
    const job = this.deps.store.job(this.row().job_id);
    if (!job) throw new CancelledError();
    return job;
  }

  private note(text: string): void {
    if (this.notes.includes(text)) return;
    this.notes.push(text);
    this.deps.store.updateRun(this.runId, { notes: JSON.stringify(this.notes) });
  }

  private move(to: RunState, from: RunState[], fields: RunFields = {}): boolean {
    const changed = this.deps.store.changeRunState(this.runId, to, fields, from);
    if (changed) this.deps.changed(this.runId);
    return changed;
  }

  private finish(state: 'done' | 'failed' | 'cancelled', error?: ErrorDescription): void {
    const ended = this.deps.store.changeRunState(this.runId, state, {
      finished_at: new Date().toISOString(),
      notes: JSON.stringify(this.notes),
      ...(error ? { error_code: error.code, error_message: error.message } : {}),
    });
    if (!ended) return;
    this.deps.changed(this.runId);
    this.deps.ended(this.runId);
  }
}

function isCopy(entry: PlanEntry): boolean {
  return entry.type === 'file' && (entry.verdict === 'new' || entry.verdict === 'changed');
}

function deleteGuard(rules: MirrorRules, selected: PlanEntry[]): MirrorRunError | null {
  if (!rules.deleteExtras) return null;
  const count = selected.filter((e) => e.verdict === 'extra').length;
  if (count <= rules.maxDeletes) return null;
  return new MirrorRunError(
    'too_many_deletes',
    `the run would delete ${count} entries at the destination, more than maxDeletes (${rules.maxDeletes}): nothing was copied or deleted`,
  );
}

function runPaths(run: RunRow): string[] | null {
  return run.paths ? (JSON.parse(run.paths) as string[]) : null;
}

/** The entries a "sync selected" run may touch: the selected ones and everything below a selected folder. */
function select<T extends PlanEntry>(entries: T[], paths: string[] | null): T[] {
  if (!paths) return entries;
  const chosen = new Set(paths);
  return entries.filter((entry) => {
    for (let path = entry.path; path !== ''; path = parentOf(path)) if (chosen.has(path)) return true;
    return false;
  });
}

/** The relative parent ('' for the job's dir). */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function depth(path: string): number {
  return path.split('/').length;
}

/** A DELE or RMD whose session died gets one more try on a fresh one. */
async function retryOnLostSession(session: () => Promise<FtpSession>, op: (s: FtpSession) => Promise<void>): Promise<void> {
  try {
    await op(await session());
  } catch (error) {
    if (!(error instanceof FtpConnectionError)) throw error;
    await op(await session());
  }
}
