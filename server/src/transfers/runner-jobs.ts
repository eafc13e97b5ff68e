/**
 * The runner's jobs (walks and lanes) running now, and the sessions they count against each
 * site's limit: a job takes its slot when it begins and gives it back when it ends.
 */
import { setMaxListeners } from 'node:events';
import type { Route } from '../ftp/route.js';
import type { SessionPool, Lease } from '../sites/pool.js';

export interface Job {
  transferId: string;
  sites: string[];
  controller: AbortController;
  /** The sessions it holds, released when it ends or is cancelled, whichever comes first. */
  leases: Lease[];
  /** A lane's two leases, taken for its first file and shared by the next. */
  pair?: Promise<[Lease, Lease]> | null;
  /** The route the lane's last file took: the next starts with it and may pipeline (fxp.ts). */
  route?: Route | null;
  /** A server's policy reply says stop taking files (its destination paused, too many sessions). */
  yielding?: boolean;
}

export class JobTable {
  private readonly jobs = new Map<string, Job>();
  private readonly usage = new Map<string, number>();

  /** `ended` runs each time a job gives its slot back. */
  constructor(
    private readonly pool: SessionPool,
    private readonly ended: () => void,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  has(key: string): boolean {
    return this.jobs.has(key);
  }

  values(): IterableIterator<Job> {
    return this.jobs.values();
  }

  entries(): IterableIterator<[string, Job]> {
    return this.jobs.entries();
  }

  hasLane(transferId: string): boolean {
    for (const key of this.jobs.keys()) if (key.startsWith(`lane:${transferId}:`)) return true;
    return false;
  }

  hasRoom(sites: string[]): boolean {
    const need = new Map<string, number>();
    for (const site of sites) need.set(site, (need.get(site) ?? 0) + 1);
    for (const [site, count] of need) {
      let max: number;
      try {
        max = this.pool.limit(site);
      } catch {
        return true; // a removed site: let the job start and fail with a clear error
      }
      if ((this.usage.get(site) ?? 0) + count > max) return false;
    }
    return true;
  }

  begin(key: string, transferId: string, sites: string[]): Job {
    const job: Job = { transferId, sites, controller: new AbortController(), leases: [] };
    // A lane's copies in flight each wait on it a few times at once: not a leak.
    setMaxListeners(64, job.controller.signal);
    this.jobs.set(key, job);
    for (const site of sites) this.usage.set(site, (this.usage.get(site) ?? 0) + 1);
    return job;
  }

  /** Idempotent: a cancelled job ends twice, at the cancel and when its work returns. */
  end(key: string, job: Job): void {
    // A lease that arrived after the cancel is released here, when the work returns.
    for (const lease of job.leases) lease.release();
    if (this.jobs.get(key) !== job) return;
    this.jobs.delete(key);
    for (const site of job.sites) this.usage.set(site, (this.usage.get(site) ?? 1) - 1);
    this.ended();
  }
}
