/**
 * One file's copy on a lane's two sessions (ftp/copy.ts), with the lane's remembered route,
 * the file's fence and trace, and how it ended written to its row (file-end.ts).
 */
import { copyFile } from '../ftp/copy.js';
import type { Fence } from '../ftp/fence.js';
import type { RouteMemory } from '../ftp/route.js';
import type { Side } from '../ftp/errors.js';
import type { SessionPool, Lease } from '../sites/pool.js';
import type { SitesService } from '../sites/service.js';
import type { GroupCommit } from '../store/db.js';
import { endFailedCopy, type RetryOptions, type TimeKeeper } from './file-end.js';
import type { LiveProgress } from './live-progress.js';
import type { CopySites } from './policy-end.js';
import { clusterPair } from './runner-cluster.js';
import type { Job } from './runner-jobs.js';
import type { FileRow, TransferRow, TransferStore } from './store.js';
import type { TraceStore } from './trace.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';

/**
 * From this size on, a file remembers that our STOR reached the destination, so that a retry
 * resumes it (REST) instead of starting over. A smaller file costs less to copy again than
 * the write; with if-exists "skip" every file needs it, or a retry would skip our own part.
 */
const RESUME_MARK_BYTES = 1024 * 1024;

/** What a copy needs of its runner. */
export interface CopyContext {
  store: TransferStore;
  transitions: Transitions;
  sites: SitesService;
  pool: SessionPool;
  service: TransferService;
  commits: GroupCommit;
  options: RetryOptions & {
    stallTimeoutMs?: number;
    finalReplyTimeoutMs?: number;
    routes?: RouteMemory;
    traces?: TraceStore;
    fence?: (file: FileRow) => Fence | null;
    cluster?: unknown;
  };
  progress: LiveProgress;
  /** The job copying each file now. */
  copying: Map<string, Job>;
  /** The mode each transfer shows, so that most files need no read to know it. */
  shownMode: Map<string, 'fxp' | 'relay'>;
  times: TimeKeeper;
}

/** Copy one claimed file on the lane's sessions and write how it ended. Never rejects. */
export async function copyOne(
  ctx: CopyContext,
  transfer: TransferRow,
  file: FileRow,
  job: Job,
  transferred: () => void,
): Promise<void> {
  const { store, transitions, pool, service, commits, options, progress } = ctx;
  const attempts = file.attempts + 1;
  let unfence: (() => void)[] = [];
  progress.start(file.id, transfer.id);
  ctx.copying.set(file.id, job);
  // Named by id until read (a removed site fails the copy below).
  let sites: CopySites = {
    source: { id: transfer.source_site, name: transfer.source_site },
    destination: { id: transfer.dest_site, name: transfer.dest_site },
  };
  try {
    const source = ctx.sites.get(transfer.source_site);
    const destination = ctx.sites.get(transfer.dest_site);
    sites = { source, destination };
    const [sourceLease, destinationLease] = await leasePair(ctx, job, source.id, destination.id);
    const traces = options.traces;
    sourceLease.trace({ transferId: transfer.id, role: 'source', path: file.source_path });
    destinationLease.trace({ transferId: transfer.id, role: 'destination', path: file.source_path });
    const check = options.fence?.(file);
    if (check) unfence = [sourceLease.fence(check), destinationLease.fence(check)];
    const routes = options.routes;
    const known = job.route ?? routes?.lookup(source.id, destination.id) ?? null;
    const result = await copyFile({
      source: sourceLease,
      destination: destinationLease,
      probe: pool.shared(destination.id),
      sourcePath: file.source_path,
      // The walk's size saves a SIZE per file; a retry asks the server again.
      sourceSize: attempts === 1 ? file.size : undefined,
      destinationPath: file.dest_path,
      mode: transfer.requested_mode,
      passive: passiveSide(source.passive, destination.passive),
      relayAllowed: source.relayAllowed && destination.relayAllowed,
      allowClearData: source.allowClearData && destination.allowClearData,
      // Once our STOR has written to the destination, its file is ours: resume it.
      ifExists: file.started ? 'resume' : transfer.if_exists,
      signal: job.controller.signal,
      stallTimeoutMs: options.stallTimeoutMs,
      finalReplyTimeoutMs: options.finalReplyTimeoutMs,
      onProgress: (position) => {
        progress.report(file.id, transfer.id, position);
        service.touch(transfer.id);
      },
      onNote: (note) => {
        service.addNote(transfer.id, `${file.source_path}: ${note}`);
        traces?.event(transfer.id, 'note', note, file.source_path);
      },
      route: known,
      pipeline: known !== null && known === job.route,
      onRefusal: (route, refusal) => routes?.failed(source.id, destination.id, route, refusal.message),
      onAttempt: ({ mode }) => {
        if (mode === 'relay') traces?.event(transfer.id, 'relay', 'relay through pasv', file.source_path);
        // The transfer shows relay once any of its files needed it (the file's own mode is
        // written when it ends).
        const shown = ctx.shownMode.get(transfer.id) ?? store.transfer(transfer.id)?.mode;
        if (shown !== mode && shown !== 'relay') {
          ctx.shownMode.set(transfer.id, mode);
          store.updateTransfer(transfer.id, { mode });
          service.emitNow(transfer.id);
        }
      },
      onDestinationOpened: () => {
        if (transfer.if_exists !== 'skip' && file.size < RESUME_MARK_BYTES) return;
        store.updateFile(file.id, { started: 1 });
        commits.flush(); // before our bytes can land there, or a retry after a crash may skip them
      },
      onTransferred: transferred,
    });
    if (result.route) {
      job.route = result.route;
      routes?.worked(source.id, destination.id, result.route);
    }
    const timeSet = result.outcome === 'copied' ? await ctx.times.preserve(file, sourceLease, destinationLease) : null;
    commits.run(() =>
      result.outcome === 'skipped'
        ? transitions.fileSkipped(file)
        : transitions.fileDone(file, {
            size: result.size,
            mode: result.mode,
            verified: result.hash ? result.hash.algorithm : 'size',
            mtime_set: timeSet,
          }),
    );
  } catch (error) {
    job.route = null;
    const position = progress.fileBytes(file.id) ?? 0;
    const signal = job.controller.signal;
    // What a failed copy's ending needs (file-end.ts).
    const ending = { transitions, service, options };
    if (commits.run(() => endFailedCopy(ending, file, attempts, error, signal, position, sites))) {
      job.yielding = true;
    }
  } finally {
    for (const clear of unfence) clear();
    progress.end(file.id);
    ctx.copying.delete(file.id);
  }
}

/** The lane's two sessions, leased on its first file and kept until the lane ends. */
function leasePair(ctx: CopyContext, job: Job, sourceSite: string, destinationSite: string): Promise<[Lease, Lease]> {
  job.pair ??= (async (): Promise<[Lease, Lease]> => {
    const leased: Lease[] = [];
    try {
      if (!ctx.options.cluster) {
        leased.push(await ctx.pool.lease(sourceSite, job.controller.signal));
        leased.push(await ctx.pool.lease(destinationSite, job.controller.signal));
      } else {
        await clusterPair(ctx.pool, job, sourceSite, destinationSite, leased);
      }
      job.leases.push(...leased);
      return leased as [Lease, Lease];
    } catch (error) {
      for (const lease of leased) lease.release();
      job.pair = null; // the lane's next file tries again (a removed site fails each file clearly)
      throw error;
    }
  })();
  return job.pair;
}

/** The site that prefers to listen is the passive one; by default the destination (as lftp). */
function passiveSide(source: string, destination: string): Side {
  if (source === 'passive' || destination === 'active') return 'source';
  return 'destination';
}
