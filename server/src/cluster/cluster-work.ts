/**
 * A node's part in the cluster's work: it plans (turns the store's queue into tickets in the
 * job queue, dispatch.ts), and on a worker it runs the tickets it takes, keeps its leases
 * alive, stops what it lost or what was cancelled elsewhere, and queues again what a dead
 * worker left running (leases.ts). Web nodes only plan: creating a transfer there offers its
 * tickets at once.
 */
import { FenceError } from '../ftp/errors.js';
import type { Fence } from '../ftp/fence.js';
import { getMeta, type Db } from '../store/db.js';
import type { ClusterScheduling, LaneOutcome, Runner } from '../transfers/runner.js';
import type { FileRow, TransferRow } from '../transfers/store.js';
import type { Transitions } from '../transfers/transitions.js';
import type { Dispatch } from './dispatch.js';
import type { FileLeases } from './leases.js';
import type { ClusterNode } from './node.js';

/** Transfers offered per planning pass, in queue order: more than the cluster's lanes need. */
const OFFER_WINDOW = 64;
/** Offers are coalesced: one planning pass per this long at most. */
const OFFER_DELAY_MS = 200;

export class ClusterWork implements ClusterScheduling {
  private transitions?: Transitions;
  private runner?: Runner;
  private offerTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** The walk leases this node holds: transfer id → epoch. */
  private readonly walks = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly node: ClusterNode,
    private readonly leases: FileLeases,
    private readonly dispatch: Dispatch,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  /** The runner's fences: a file's commands that can't be undone pass only while its lease holds. */
  fence = (file: FileRow): Fence | null =>
    file.lease_owner
      ? (command) => {
          if (!this.leases.holds(file)) throw new FenceError(command);
        }
      : null;

  fenceWalk = (transfer: TransferRow): Fence | null => {
    const epoch = this.walks.get(transfer.id);
    if (epoch === undefined) return null;
    return (command) => {
      if (!this.leases.holdsWalk(transfer.id, epoch)) throw new FenceError(command);
    };
  };

  claim(transferId: string): FileRow | undefined {
    return this.transitions!.claimNext(transferId);
  }

  /** fill() asks: a planning pass soon (many asks, one pass). */
  offer(): void {
    if (this.offerTimer) return;
    this.offerTimer = setTimeout(() => {
      this.offerTimer = null;
      void this.plan();
    }, OFFER_DELAY_MS);
    this.offerTimer.unref();
  }

  /** Wire to this node's queue; on a worker, start taking tickets and keeping leases. */
  async start(runner: Runner, transitions: Transitions, lanes: number): Promise<void> {
    this.runner = runner;
    this.transitions = transitions;
    if (this.node.role === 'web') return;
    await this.dispatch.work(this.node.tags, lanes, {
      lane: (id) => runner.runLane(id),
      walk: (id) => this.walk(id),
    });
    this.heartbeat = setInterval(() => this.beat(), Math.max(500, Math.floor(this.leases.ttlMs / 3)));
    this.heartbeat.unref();
    this.beat();
  }

  /** Stop taking tickets and let the running ones end (the runner hands its files back). */
  async stop(): Promise<void> {
    if (this.offerTimer) clearTimeout(this.offerTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.dispatch.stop();
  }

  private async walk(transferId: string): Promise<LaneOutcome> {
    const epoch = this.leases.claimWalk(transferId);
    if (epoch === null) return 'idle';
    this.walks.set(transferId, epoch);
    try {
      return await this.runner!.runWalk(transferId);
    } finally {
      this.walks.delete(transferId);
      this.leases.releaseWalk(transferId, epoch);
      // Its files' lanes in the queue before this worker takes its next ticket.
      await this.plan();
    }
  }

  /**
   * Every few seconds: renew this node's leases and stop at once what it lost; stop the copies
   * of transfers cancelled on another node; queue again what dead workers left; follow a
   * pause set on another node; and plan again, so that no ticket lost on the way strands work.
   */
  private beat(): void {
    const runner = this.runner!;
    try {
      const held = this.leases.renew();
      const lost = runner.copyingFiles().filter((id) => !held.files.has(id));
      if (lost.length > 0) this.log(`${lost.length} file lease(s) lost: their copies stop`);
      runner.abortFiles(lost, 'lease lost');
      runner.abortFiles(this.leases.cancelled(), 'cancelled');
      this.transitions!.requeueExpiredLeases();
      runner.paused = getMeta(this.db, 'queue.paused') === 'true';
      runner.kick();
    } catch (error) {
      this.log('lease heartbeat failed', error);
    }
  }

  /** Tickets for the first transfers in the queue that have a walk due or files waiting. */
  private async plan(): Promise<void> {
    const now = new Date().toISOString();
    let due;
    try {
      due = this.queueHead();
    } catch (error) {
      this.log('could not plan the queue', error);
      return;
    }
    const offers: Promise<void>[] = [];
    for (const transfer of due) {
      const tags = [transfer.source_egress, transfer.dest_egress].filter((tag): tag is string => !!tag);
      const walking = transfer.walk_owner !== null && (transfer.walk_expires_at ?? '') > now;
      if (!transfer.expanded && !walking) {
        const later = transfer.next_retry_at && transfer.next_retry_at > now ? new Date(transfer.next_retry_at) : undefined;
        offers.push(this.dispatch.offerWalk(transfer, tags, later));
      }
      if (transfer.queued > 0) offers.push(this.dispatch.offerLanes(transfer, tags, transfer.queued));
    }
    await Promise.all(offers);
  }

  private queueHead() {
    return this.db
      .prepare(
        `SELECT t.id, t.position, t.expanded, t.walk_owner, t.walk_expires_at, t.next_retry_at, c.queued,
             s.egress AS source_egress, d.egress AS dest_egress
           FROM transfers t JOIN transfer_counts c ON c.transfer_id = t.id
             LEFT JOIN sites s ON s.id = t.source_site LEFT JOIN sites d ON d.id = t.dest_site
           WHERE t.state IN ('queued', 'running') AND (c.queued > 0 OR t.expanded = 0)
           ORDER BY t.position LIMIT ?`,
      )
      .all(OFFER_WINDOW) as (Pick<
      TransferRow,
      'id' | 'position' | 'expanded' | 'walk_owner' | 'walk_expires_at' | 'next_retry_at'
    > & { queued: number; source_egress: string | null; dest_egress: string | null })[];
  }
}
