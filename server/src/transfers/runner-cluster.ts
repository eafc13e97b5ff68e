/**
 * The runner's cluster mode (cluster/cluster-work.ts): what it is handed to schedule with,
 * what a dispatched lane or walk reports, and how a lane logs in on its two sites there.
 */
import type { SessionPool, Lease } from '../sites/pool.js';
import { ClusterBusyError } from './file-end.js';
import type { Job } from './runner-jobs.js';
import type { FileRow } from './store.js';

/**
 * In a cluster the runner starts no work of its own accord: fill() offers it (tickets in the
 * job queue), a worker that gets a ticket calls runLane() or runWalk(), and a lane claims
 * each file under a lease instead of from its read-ahead cursor.
 */
export interface ClusterScheduling {
  /** Work changed: offer what is ready (soon; many calls, one planning pass). */
  offer(): void;
  /** The transfer's next ready file, claimed under this node's lease (the row as it is now). */
  claim(transferId: string): FileRow | undefined;
}

/** What a dispatched lane or walk did: 'again' when its ticket should go back at once (files left). */
export type LaneOutcome = 'ran' | 'again' | 'busy' | 'idle';

/** Files a dispatched lane copies before it makes way (its ticket goes back in the queue). */
export const CLUSTER_LANE_FILES = 16;

/** How long a lane holding one login waits for its second in a cluster before it gives the first back. */
const SECOND_LOGIN_WAIT_MS = 5_000;

/**
 * In a cluster a login waits for a slot that another node may hold (sites/pool-slots.ts).
 * Two lanes that each logged in on one site and wait for the other would wait forever: so
 * the pair logs in in one order (by site id), and the second login waits a while at most,
 * then the lane gives its first back and the file waits in the queue (this attempt not counted).
 */
export async function clusterPair(
  pool: SessionPool,
  job: Job,
  sourceSite: string,
  destinationSite: string,
  leased: Lease[],
): Promise<void> {
  const sourceFirst = sourceSite <= destinationSite;
  const first = await pool.lease(sourceFirst ? sourceSite : destinationSite, job.controller.signal);
  leased.push(first);
  await first.acquire();
  const patience = AbortSignal.any([job.controller.signal, AbortSignal.timeout(SECOND_LOGIN_WAIT_MS)]);
  const secondSite = sourceFirst ? destinationSite : sourceSite;
  const second = await pool.lease(secondSite, patience);
  if (sourceFirst) leased.push(second);
  else leased.unshift(second);
  try {
    await second.acquire();
  } catch (error) {
    if (job.controller.signal.aborted || !patience.aborted) throw error;
    throw new ClusterBusyError(secondSite);
  }
}
