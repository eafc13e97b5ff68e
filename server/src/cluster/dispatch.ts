/**
 * Dispatch in a cluster: pg-boss, a maintained job queue on the same PostgreSQL (SKIP LOCKED
 * fetches, retries, expiry; no other server to run). A job is a ticket: "a lane may run for
 * transfer T" or "T's walk is due". Tickets are delivered at least once and may be stale;
 * what a lane then does is decided by the store (a file is claimed under a lease, leases.ts),
 * so a duplicate ticket costs a look, never a second copy.
 *
 * Each transfer has up to `lanesPerTransfer` lane keys; the queues' 'short' policy keeps at
 * most one waiting ticket per key, so the planner (cluster-work.ts) may offer as often as it
 * likes. A site pinned to an egress tag puts its transfers' tickets in that tag's queue, which
 * only workers announcing the tag read.
 */
import PgBoss from 'pg-boss';
import type { LaneOutcome } from '../transfers/runner.js';

export interface TicketHandlers {
  lane(transferId: string): Promise<LaneOutcome>;
  walk(transferId: string): Promise<LaneOutcome>;
}

export interface DispatchOptions {
  databaseUrl: string;
  /** Lanes one transfer may have at once across the cluster (default 16). */
  lanesPerTransfer?: number;
  log: (message: string, error?: unknown) => void;
}

type Kind = 'lane' | 'walk';

interface TicketData {
  kind: Kind;
  transferId: string;
  position: number;
  key: string;
}

/** A busy worker's ticket comes back this much later, for another worker or a free slot. */
const BUSY_RETRY_MS = 1_000;

export class Dispatch {
  private readonly queues = new Map<string, Promise<void>>();
  /** This node's pg-boss workers per queue: told to fetch at once when this node adds a ticket. */
  private readonly workers = new Map<string, string[]>();
  readonly lanesPerTransfer: number;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: DispatchOptions,
  ) {
    this.lanesPerTransfer = options.lanesPerTransfer ?? 16;
  }

  static async start(options: DispatchOptions): Promise<Dispatch> {
    const boss = new PgBoss({
      connectionString: options.databaseUrl,
      application_name: 'pasv-dispatch',
      max: 4,
      // Finished tickets are worth nothing: keep the job table small.
      archiveCompletedAfterSeconds: 60,
      deleteAfterDays: 1,
    });
    boss.on('error', (error) => options.log('job queue error', error));
    await boss.start();
    return new Dispatch(boss, options);
  }

  /** Tickets for `count` lanes of the transfer (at most lanesPerTransfer), from `startAfter` on. */
  offerLanes(transfer: { id: string; position: number }, tags: string[], count: number, startAfter?: Date): Promise<void> {
    const lanes = Math.min(count, this.lanesPerTransfer);
    // The key names the position too: a transfer moved in the queue gets tickets of its new rank.
    const rank = Math.round(transfer.position);
    const jobs = Array.from({ length: lanes }, (_, k) =>
      ticket('lane', transfer, `lane:${transfer.id}:${rank}:${k}`, startAfter),
    );
    return this.send(tags, jobs);
  }

  offerWalk(transfer: { id: string; position: number }, tags: string[], startAfter?: Date): Promise<void> {
    return this.send(tags, [ticket('walk', transfer, `walk:${transfer.id}`, startAfter)]);
  }

  /**
   * Take tickets from the queues this node may serve (untagged, and every combination of its
   * tags), `slots` at a time. Walks and lanes share one queue, so queue order decides between
   * them too: a transfer moved to the top walks before the lanes behind it take more files.
   */
  async work(tags: readonly string[], slots: number, handlers: TicketHandlers): Promise<void> {
    for (const combination of subsets([...tags].sort())) {
      const name = await this.queue(combination);
      for (let i = 0; i < slots; i++) {
        const id = await this.boss.work<TicketData>(
          name,
          { batchSize: 1, pollingIntervalSeconds: 0.5 },
          async ([job]) => {
            const { kind, transferId, position, key } = job!.data;
            const outcome = await handlers[kind](transferId);
            // Files left: the ticket goes back now. No slot here now: a moment later, for
            // whoever has one.
            if (outcome === 'again' || outcome === 'busy') {
              const later = outcome === 'busy' ? new Date(Date.now() + BUSY_RETRY_MS) : undefined;
              await this.insert(name, [ticket(kind, { id: transferId, position }, key, later)]);
            }
          },
        );
        this.workers.set(name, [...(this.workers.get(name) ?? []), id]);
      }
    }
  }

  /** Stop taking tickets and wait for the running ones (SIGTERM drains). */
  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }

  /** Never rejects: a ticket that could not be offered is offered again by the next planning pass. */
  private send(tags: string[], jobs: PgBoss.JobInsert[]): Promise<void> {
    return this.queue([...new Set(tags)].sort())
      .then((name) => this.insert(name, jobs))
      .catch((error: unknown) => this.options.log('could not offer work to the job queue', error));
  }

  private async insert(name: string, jobs: PgBoss.JobInsert[]): Promise<void> {
    await this.boss.insert(jobs.map((job) => ({ ...job, name })));
    if (jobs.some((job) => job.startAfter)) return;
    // Ours to take now, if a worker here is idle: no wait for its next poll.
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /** The queue for sites requiring these tags, created once. */
  private queue(tags: string[]): Promise<string> {
    const name = ['pasv-work', ...tags].join('.');
    let created = this.queues.get(name);
    if (!created) {
      created = this.boss.createQueue(name, { name, policy: 'short', retryLimit: 3, expireInSeconds: 12 * 3600 });
      this.queues.set(name, created);
    }
    return created.then(() => name);
  }
}

function ticket(
  kind: Kind,
  transfer: { id: string; position: number },
  singletonKey: string,
  startAfter?: Date,
): PgBoss.JobInsert {
  return {
    name: '',
    data: { kind, transferId: transfer.id, position: transfer.position, key: singletonKey } satisfies TicketData,
    singletonKey,
    // Queue order: the first in the queue first (pg-boss takes higher priorities first).
    priority: -Math.round(transfer.position),
    ...(startAfter ? { startAfter } : {}),
  };
}

/** Every combination of the tags, the empty one first. */
function subsets(tags: string[]): string[][] {
  return tags.reduce<string[][]>((all, tag) => [...all, ...all.map((set) => [...set, tag])], [[]]);
}
