/**
 * A transfer's walk job: its tree walked on a source and a destination session (walk.ts),
 * and how the walk ended written to the transfer, retried with backoff like a file.
 */
import type { Fence } from '../ftp/fence.js';
import { describeError } from '../errors.js';
import { LoginLimitError, type SessionPool } from '../sites/pool.js';
import { leaseLost, retryDelay, retryNote, type RetryOptions } from './file-end.js';
import type { Job } from './runner-jobs.js';
import type { TransferRow, TransferStore } from './store.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';
import { walkTree, type WalkLimits } from './walk.js';

/** What a walk needs of its runner. */
export interface WalkContext {
  store: TransferStore;
  transitions: Transitions;
  pool: SessionPool;
  service: TransferService;
  options: RetryOptions & {
    walkLimits?: Partial<WalkLimits>;
    fenceWalk?: (transfer: TransferRow) => Fence | null;
    cluster?: unknown;
  };
  /** Transfers whose walk lost its lease: the runner starts none of their work. */
  disowned: Set<string>;
  /** Files were found: the runner may start lanes for them. */
  kick(): void;
}

/** Walk the transfer on the job's sessions and write how it ended. Never rejects. */
export async function runWalkJob(ctx: WalkContext, transfer: TransferRow, job: Job): Promise<void> {
  const { store, transitions, pool, service, options } = ctx;
  const leases = job.leases;
  try {
    leases.push(await pool.lease(transfer.source_site, job.controller.signal));
    leases.push(await pool.lease(transfer.dest_site, job.controller.signal));
    // The walk (SIZE or LIST, MKD) is part of the story too, from the logins on.
    leases[0]!.trace({ transferId: transfer.id, role: 'source', path: transfer.source_path });
    leases[1]!.trace({ transferId: transfer.id, role: 'destination', path: transfer.source_path });
    const check = options.fenceWalk?.(transfer);
    if (check) for (const lease of leases) lease.fence(check); // cleared by the release
    // In a cluster one after the other, by site id, as a lane's pair (clusterPair).
    const [source, destination] = options.cluster
      ? transfer.source_site <= transfer.dest_site
        ? [await leases[0]!.acquire(), await leases[1]!.acquire()]
        : [await leases[1]!.acquire(), await leases[0]!.acquire()].reverse()
      : await Promise.all(leases.map((l) => l.acquire()));
    await walkTree({
      source: source!,
      destination: destination!,
      transfer,
      store,
      signal: job.controller.signal,
      onFound: () => {
        service.touch(transfer.id);
        ctx.kick();
      },
      onNote: (note) => service.addNote(transfer.id, note),
      limits: options.walkLimits,
    });
    transitions.walkDone(transfer.id);
  } catch (error) {
    if (job.controller.signal.aborted) return;
    if (leaseLost(error)) {
      ctx.disowned.add(transfer.id); // another worker's to walk and to write now
      return;
    }
    const attempts = (store.transfer(transfer.id)?.attempts ?? 0) + 1;
    const failure = describeError(error);
    const delay = retryDelay(options, attempts, error);
    if (error instanceof LoginLimitError) {
      // One login too many: wait for a session, this attempt not counted (policy-end.ts).
      transitions.walkRetryLater(transfer.id, attempts - 1, new Date(Date.now() + (delay ?? 2_000)));
    } else if (delay !== null) {
      transitions.walkRetryLater(transfer.id, attempts, new Date(Date.now() + delay));
      service.addNote(transfer.id, retryNote(failure, delay));
    } else {
      transitions.walkFailed(transfer.id, attempts, failure);
    }
  }
}
