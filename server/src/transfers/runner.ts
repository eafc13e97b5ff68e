/**
 * The scheduler: takes queued work in queue order when the global and per-site limits allow,
 * walks directory trees as it goes (runner-walk.ts), copies files with leased sessions
 * (runner-copy.ts), and retries transient failures with backoff, resuming from what the
 * destination already holds. Cluster mode: runner-cluster.ts.
 */
import type { Fence } from '../ftp/fence.js';
import type { RouteMemory } from '../ftp/route.js';
import type { SessionPool } from '../sites/pool.js';
import type { TraceStore } from './trace.js';
import type { SitesService } from '../sites/service.js';
import type { GroupCommit } from '../store/db.js';
import { FileCursor } from './cursor.js';
import { LiveProgress } from './live-progress.js';
import { SHUTDOWN, TimeKeeper, type RetryOptions } from './file-end.js';
import { CLUSTER_LANE_FILES, type ClusterScheduling, type LaneOutcome } from './runner-cluster.js';
import { copyOne, type CopyContext } from './runner-copy.js';
import { JobTable, type Job } from './runner-jobs.js';
import { runWalkJob, type WalkContext } from './runner-walk.js';
import type { WalkLimits } from './walk.js';
import type { FileRow, TransferRow, TransferStore } from './store.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';

export type { ClusterScheduling, LaneOutcome } from './runner-cluster.js';

export interface RunnerOptions extends RetryOptions {
  /** Files copied at once, over all sites (default 4). */
  concurrency?: number;
  /** Passed to each copy (tests shorten them). */
  stallTimeoutMs?: number;
  finalReplyTimeoutMs?: number;
  /** Depth and entry caps of a directory walk (default 64 levels, 1 000 000 entries). */
  walkLimits?: Partial<WalkLimits>;
  /** What worked for each pair of sites (sites/routes.ts): each copy starts with it. */
  routes?: RouteMemory;
  /** Each transfer's story: its files' control lines and the ladder's notes (trace.ts). */
  traces?: TraceStore;
  /**
   * The check a file's commands that can't be undone must pass (ftp/fence.ts), on both its
   * sessions while it copies; null: none. Its refusal (lease_lost) ends the file with nothing
   * written and stops the lane (file-end.ts). fenceWalk: the same for a walk's MKDs.
   */
  fence?: (file: FileRow) => Fence | null;
  fenceWalk?: (transfer: TransferRow) => Fence | null;
  /** Cluster mode (cluster/cluster-work.ts): work is dispatched to the nodes, files claimed under leases. */
  cluster?: ClusterScheduling;
}

export class Runner {
  paused = false;
  /** Destinations whose queue a policy reply paused (out of space): site id → the note saying why. */
  readonly pausedSites = new Map<string, string>();
  private readonly jobs: JobTable;
  readonly progress = new LiveProgress();
  /** The mode each transfer shows, so that most files need no read to know it. */
  private readonly shownMode = new Map<string, 'fxp' | 'relay'>();
  private readonly times = new TimeKeeper();
  /** Each transfer's files ready to run, read ahead (cursor.ts). */
  private readonly cursors = new Map<string, FileCursor>();
  /** The job copying each file now. */
  private readonly copying = new Map<string, Job>();
  /** Transfers whose walk lost its lease (fenceWalk): another worker's now, this runner starts none of their work. */
  private readonly disowned = new Set<string>();
  /** The queue position of the first transfer that has files ready but no slot: lanes behind it yield. */
  private waitingAhead: number | null = null;
  private lanes = 0;
  private scheduled = false;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: TransferStore,
    private readonly transitions: Transitions,
    private readonly sites: SitesService,
    private readonly pool: SessionPool,
    private readonly service: TransferService,
    private readonly commits: GroupCommit,
    private readonly options: RunnerOptions = {},
  ) {
    this.jobs = new JobTable(pool, () => this.kick());
  }

  kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.fill();
    });
  }

  load(activeCount = this.store.activeCount()): { running: number; waiting: number } {
    const running = new Set([...this.jobs.values()].map((j) => j.transferId)).size;
    return { running, waiting: Math.max(0, activeCount - running) };
  }

  /**
   * Cancel: the slots and sessions of the transfer's jobs are free at once, not when their work
   * returns, which may be stuck on a silent server. Its sessions still busy are closed (the
   * pool never hands one out mid-sequence), which also ends the commands they were waiting on.
   */
  abortTransfer(transferId: string): void {
    this.cursors.delete(transferId);
    for (const [key, job] of this.jobs.entries()) {
      if (job.transferId !== transferId) continue;
      job.controller.abort();
      this.jobs.end(key, job);
    }
  }

  // ---- cluster mode -----------------------------------------------------------------------

  /**
   * A dispatched lane (cluster mode): on this node, for the transfer, until its ready files
   * run out. 'busy' when this node has no slot for it now (the ticket comes back later),
   * 'idle' when there is nothing to do.
   */
  async runLane(transferId: string): Promise<LaneOutcome> {
    const transfer = this.dispatchable(transferId);
    if (!transfer) return 'idle';
    if (this.jobs.size >= this.concurrency() || !this.jobs.hasRoom([transfer.source_site, transfer.dest_site])) {
      return 'busy';
    }
    return (await this.startLane(transfer, null)) ? 'again' : 'ran';
  }

  /** A dispatched walk (cluster mode); the caller holds the walk's lease. */
  async runWalk(transferId: string): Promise<LaneOutcome> {
    const transfer = this.dispatchable(transferId);
    if (!transfer || transfer.expanded || this.jobs.has(`walk:${transferId}`)) return 'idle';
    if (this.jobs.size >= this.concurrency() || !this.jobs.hasRoom([transfer.source_site, transfer.dest_site])) {
      return 'busy';
    }
    await this.startWalk(transfer);
    return 'ran';
  }

  /** The files copying on this node now. */
  copyingFiles(): string[] {
    return [...this.copying.keys()];
  }

  /** Stop these files' copies at once (their lease was lost, or their transfer cancelled elsewhere). */
  abortFiles(fileIds: string[], reason: string): void {
    for (const id of fileIds) this.copying.get(id)?.controller.abort(reason);
  }

  private dispatchable(transferId: string): TransferRow | undefined {
    if (this.paused || this.stopping || this.disowned.has(transferId)) return undefined;
    const transfer = this.store.transfer(transferId);
    if (!transfer || (transfer.state !== 'queued' && transfer.state !== 'running')) return undefined;
    if (this.pausedSites.has(transfer.dest_site)) return undefined;
    return transfer;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const running = [...this.jobs.values()];
    for (const job of running) job.controller.abort(SHUTDOWN);
    await waitUntil(() => this.jobs.size === 0, 15_000);
    this.commits.flush();
  }

  // ---- scheduling -------------------------------------------------------------------------

  /**
   * Give free slots to transfers in queue order: a walk where one is due, and lanes (a source
   * and a destination session that copy the transfer's files one after another) while files
   * are ready. A running lane takes its next file itself, so this runs when a job ends or work
   * arrives, not once per file.
   */
  private fill(): void {
    if (this.paused || this.stopping) return;
    const limit = this.concurrency();
    const now = new Date().toISOString();
    if (this.options.cluster) {
      // The planner reads the head of the queue itself: not the whole queue at every job's end
      // (10 000 queued transfers made that most of what PostgreSQL did). Retries come due on the
      // workers' heartbeats.
      this.options.cluster.offer();
      this.service.publishQueue();
      return;
    }
    const active = this.store.active();
    this.waitingAhead = null;
    for (const transfer of active) {
      if (transfer.next_retry_at && transfer.next_retry_at > now) continue;
      if (this.pausedSites.has(transfer.dest_site) || this.disowned.has(transfer.id)) continue;
      const sites = [transfer.source_site, transfer.dest_site];
      // Files found so far may run while the walk goes on.
      const walkDue = !transfer.expanded && !this.jobs.has(`walk:${transfer.id}`);
      if (walkDue && this.jobs.size < limit && this.jobs.hasRoom(sites)) void this.startWalk(transfer);
      const cursor = this.cursorOf(transfer.id);
      const lanes = Math.min(cursor.ready(), limit - this.jobs.size);
      for (let i = 0; i < lanes && this.jobs.hasRoom(sites); i++) void this.startLane(transfer, cursor);
      // A walk due or files ready, and no slot for either: the lanes of transfers behind this one make room.
      const waiting =
        (walkDue && !this.jobs.has(`walk:${transfer.id}`)) || (cursor.ready() > 0 && !this.jobs.hasLane(transfer.id));
      if (this.waitingAhead === null && waiting) this.waitingAhead = transfer.position;
      if (this.jobs.size >= limit) break;
    }
    this.service.publishQueue(active);
    this.armRetryTimer(active);
  }

  private cursorOf(transferId: string): FileCursor {
    let cursor = this.cursors.get(transferId);
    if (!cursor) {
      cursor = new FileCursor(this.store, transferId, (fileId) => this.transitions.claimed(fileId));
      this.cursors.set(transferId, cursor);
    }
    return cursor;
  }

  private armRetryTimer(active: TransferRow[]): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const times = [this.store.nextRetryAt(), ...active.map((t) => t.next_retry_at)].filter(
      (t): t is string => t !== null,
    );
    if (times.length === 0) return;
    const wait = Math.max(50, Math.min(...times.map((t) => Date.parse(t))) - Date.now());
    this.retryTimer = setTimeout(() => this.kick(), wait);
    this.retryTimer.unref();
  }

  // ---- work -------------------------------------------------------------------------------

  private startWalk(transfer: TransferRow): Promise<void> {
    const key = `walk:${transfer.id}`;
    const job = this.jobs.begin(key, transfer.id, [transfer.source_site, transfer.dest_site]);
    this.transitions.started(transfer);
    return (async () => {
      try {
        await runWalkJob(this.walkContext(), transfer, job);
      } finally {
        if (this.transitions.settle(transfer.id)) this.forget(transfer.id);
        else this.service.emitNow(transfer.id);
        this.jobs.end(key, job);
      }
    })();
  }

  /**
   * A lane: one source and one destination session copying a transfer's ready files in turn,
   * kept warm from file to file. The next file starts the moment the last one's bytes have
   * moved (both final replies in), while that one's size check and its row are still being
   * finished. It ends when no file is ready, the queue pauses, or a transfer ahead of this one
   * in the queue waits for a slot.
   */
  private startLane(transfer: TransferRow, cursor: FileCursor | null): Promise<boolean> {
    const key = `lane:${transfer.id}:${++this.lanes}`;
    const job = this.jobs.begin(key, transfer.id, [transfer.source_site, transfer.dest_site]);
    this.transitions.started(transfer);
    return (async () => {
      const finishing = new Set<Promise<void>>();
      let claimed = 0;
      try {
        for (;;) {
          // A dispatched lane makes way after a few files: its ticket goes back in the queue,
          // where a transfer ahead of it (moved to the top, say) is taken first.
          if (!cursor && claimed >= CLUSTER_LANE_FILES) return true;
          // One file finishing while the next moves its bytes, no more: finishing must keep up.
          while (finishing.size > 1) await Promise.race(finishing);
          // Checked right before the claim: a pause that came during the wait starts nothing.
          if (job.controller.signal.aborted || this.paused || this.stopping || job.yielding) break;
          if (this.pausedSites.has(transfer.dest_site)) break;
          if (this.waitingAhead !== null && this.waitingAhead < transfer.position) break;
          const file = this.claim(transfer, cursor);
          if (!file) break;
          claimed++;
          let transferred!: () => void;
          const sessionsFree = new Promise<void>((resolve) => (transferred = resolve));
          const copy = copyOne(this.copyContext(), transfer, file, job, transferred);
          finishing.add(copy);
          void copy.then(() => finishing.delete(copy));
          await Promise.race([sessionsFree, copy]);
        }
        return false;
      } finally {
        await Promise.all(finishing);
        this.jobs.end(key, job);
        if (this.transitions.settle(transfer.id)) this.forget(transfer.id);
      }
    })();
  }

  /** The next ready file, now marked running; undefined when none is ready. */
  private claim(transfer: TransferRow, cursor: FileCursor | null): FileRow | undefined {
    if (!cursor) {
      const claimed = this.options.cluster!.claim(transfer.id);
      // copyOne counts the attempt itself: the row as it was before the claim.
      return claimed && { ...claimed, attempts: claimed.attempts - 1 };
    }
    for (let file = cursor.next(); file; file = cursor.next()) {
      // Read as queued a moment ago; if it is not any more, whoever moved it owns it.
      if (this.transitions.fileStarted(file, file.attempts + 1)) return file;
    }
    return undefined;
  }

  /** What a walk needs of this runner (runner-walk.ts). */
  private walkContext(): WalkContext {
    const { store, transitions, pool, service, options, disowned } = this;
    return { store, transitions, pool, service, options, disowned, kick: () => this.kick() };
  }

  /** What a copy needs of this runner (runner-copy.ts). */
  private copyContext(): CopyContext {
    const { store, transitions, sites, pool, service, commits, options, progress, copying, shownMode, times } = this;
    return { store, transitions, sites, pool, service, commits, options, progress, copying, shownMode, times };
  }

  /** A transfer ended: what was kept about it in memory goes (a retry learns it again). */
  private forget(transferId: string): void {
    this.cursors.delete(transferId);
    this.disowned.delete(transferId);
    this.shownMode.delete(transferId);
    this.times.forget(transferId);
  }

  private concurrency(): number {
    return this.options.concurrency ?? 4;
  }

  /** Files (and walks) this runner works on at once. */
  get slots(): number {
    return this.concurrency();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}
