/**
 * The scheduler: takes queued work in queue order when the global and per-site limits allow,
 * walks directory trees as it goes, copies files with leased sessions, and retries transient
 * failures with backoff, resuming from what the destination already holds.
 */
import { setMaxListeners } from 'node:events';
import { copyFile } from '../ftp/copy.js';
import type { Fence } from '../ftp/fence.js';
import type { Route, RouteMemory } from '../ftp/route.js';
import type { Side } from '../ftp/supervise.js';
import { describeError } from '../errors.js';
import { LoginLimitError, type SessionPool, type Lease } from '../sites/pool.js';
import type { TraceStore } from './trace.js';
import type { SitesService } from '../sites/service.js';
import type { GroupCommit } from '../store/db.js';
import { FileCursor } from './cursor.js';
import { LiveProgress } from './live-progress.js';
import type { CopySites } from './policy-end.js';
import {
  ClusterBusyError,
  endFailedCopy,
  leaseLost,
  retryDelay,
  retryNote,
  SHUTDOWN,
  TimeKeeper,
  type RetryOptions,
} from './file-end.js';
import { walkTree, type WalkLimits } from './walk.js';
import type { FileRow, TransferRow, TransferStore } from './store.js';
import type { TransferService } from './service.js';
import type { Transitions } from './transitions.js';

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

interface Job {
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

/** What a dispatched lane or walk did: 'again' when its ticket should go back at once (files left). */
export type LaneOutcome = 'ran' | 'again' | 'busy' | 'idle';

/** Files a dispatched lane copies before it makes way (its ticket goes back in the queue). */
const CLUSTER_LANE_FILES = 16;

/** How long a lane holding one login waits for its second in a cluster before it gives the first back. */
const SECOND_LOGIN_WAIT_MS = 5_000;

/**
 * From this size on, a file remembers that our STOR reached the destination, so that a retry
 * resumes it (REST) instead of starting over. A smaller file costs less to copy again than
 * the write; with if-exists "skip" every file needs it, or a retry would skip our own part.
 */
const RESUME_MARK_BYTES = 1024 * 1024;

export class Runner {
  paused = false;
  /** Destinations whose queue a policy reply paused (out of space): site id → the note saying why. */
  readonly pausedSites = new Map<string, string>();
  private readonly jobs = new Map<string, Job>();
  private readonly usage = new Map<string, number>();
  readonly progress = new LiveProgress();
  /** The mode each transfer shows, so that most files need no read to know it. */
  private readonly shownMode = new Map<string, 'fxp' | 'relay'>();
  private readonly times = new TimeKeeper();
  /** What a failed copy's ending needs (file-end.ts). */
  private get ending(): Parameters<typeof endFailedCopy>[0] {
    return { transitions: this.transitions, service: this.service, options: this.options };
  }
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
  ) {}

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
    for (const [key, job] of this.jobs) {
      if (job.transferId !== transferId) continue;
      job.controller.abort();
      this.end(key, job);
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
    if (this.jobs.size >= this.concurrency() || !this.hasRoom([transfer.source_site, transfer.dest_site])) return 'busy';
    return (await this.startLane(transfer, null)) ? 'again' : 'ran';
  }

  /** A dispatched walk (cluster mode); the caller holds the walk's lease. */
  async runWalk(transferId: string): Promise<LaneOutcome> {
    const transfer = this.dispatchable(transferId);
    if (!transfer || transfer.expanded || this.jobs.has(`walk:${transferId}`)) return 'idle';
    if (this.jobs.size >= this.concurrency() || !this.hasRoom([transfer.source_site, transfer.dest_site])) return 'busy';
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
      if (walkDue && this.jobs.size < limit && this.hasRoom(sites)) void this.startWalk(transfer);
      const cursor = this.cursorOf(transfer.id);
      const lanes = Math.min(cursor.ready(), limit - this.jobs.size);
      for (let i = 0; i < lanes && this.hasRoom(sites); i++) void this.startLane(transfer, cursor);
      // A walk due or files ready, and no slot for either: the lanes of transfers behind this one make room.
      const waiting =
        (walkDue && !this.jobs.has(`walk:${transfer.id}`)) || (cursor.ready() > 0 && !this.hasLane(transfer.id));
      if (this.waitingAhead === null && waiting) this.waitingAhead = transfer.position;
      if (this.jobs.size >= limit) break;
    }
    this.service.publishQueue(active);
    this.armRetryTimer(active);
  }

  private hasLane(transferId: string): boolean {
    for (const key of this.jobs.keys()) if (key.startsWith(`lane:${transferId}:`)) return true;
    return false;
  }

  private cursorOf(transferId: string): FileCursor {
    let cursor = this.cursors.get(transferId);
    if (!cursor) {
      cursor = new FileCursor(this.store, transferId);
      this.cursors.set(transferId, cursor);
    }
    return cursor;
  }

  private hasRoom(sites: string[]): boolean {
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

  private begin(key: string, transferId: string, sites: string[]): Job {
    const job: Job = { transferId, sites, controller: new AbortController(), leases: [] };
    // A lane's copies in flight each wait on it a few times at once: not a leak.
    setMaxListeners(64, job.controller.signal);
    this.jobs.set(key, job);
    for (const site of sites) this.usage.set(site, (this.usage.get(site) ?? 0) + 1);
    return job;
  }

  /** Idempotent: a cancelled job ends twice, at the cancel and when its work returns. */
  private end(key: string, job: Job): void {
    // A lease that arrived after the cancel is released here, when the work returns.
    for (const lease of job.leases) lease.release();
    if (this.jobs.get(key) !== job) return;
    this.jobs.delete(key);
    for (const site of job.sites) this.usage.set(site, (this.usage.get(site) ?? 1) - 1);
    this.kick();
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
    const job = this.begin(key, transfer.id, [transfer.source_site, transfer.dest_site]);
    this.transitions.started(transfer);
    return (async () => {
      const leases = job.leases;
      try {
        leases.push(await this.pool.lease(transfer.source_site, job.controller.signal));
        leases.push(await this.pool.lease(transfer.dest_site, job.controller.signal));
        // The walk (SIZE or LIST, MKD) is part of the story too, from the logins on.
        leases[0]!.trace({ transferId: transfer.id, role: 'source', path: transfer.source_path });
        leases[1]!.trace({ transferId: transfer.id, role: 'destination', path: transfer.source_path });
        const check = this.options.fenceWalk?.(transfer);
        if (check) for (const lease of leases) lease.fence(check); // cleared by the release
        // In a cluster one after the other, by site id, as a lane's pair (clusterPair).
        const [source, destination] = this.options.cluster
          ? transfer.source_site <= transfer.dest_site
            ? [await leases[0]!.acquire(), await leases[1]!.acquire()]
            : [await leases[1]!.acquire(), await leases[0]!.acquire()].reverse()
          : await Promise.all(leases.map((l) => l.acquire()));
        await walkTree({
          source: source!,
          destination: destination!,
          transfer,
          store: this.store,
          signal: job.controller.signal,
          onFound: () => {
            this.service.touch(transfer.id);
            this.kick();
          },
          onNote: (note) => this.service.addNote(transfer.id, note),
          limits: this.options.walkLimits,
        });
        this.transitions.walkDone(transfer.id);
      } catch (error) {
        if (job.controller.signal.aborted) return;
        if (leaseLost(error)) {
          this.disowned.add(transfer.id); // another worker's to walk and to write now
          return;
        }
        const attempts = (this.store.transfer(transfer.id)?.attempts ?? 0) + 1;
        const failure = describeError(error);
        const delay = retryDelay(this.options, attempts, error);
        if (error instanceof LoginLimitError) {
          // One login too many: wait for a session, this attempt not counted (policy-end.ts).
          this.transitions.walkRetryLater(transfer.id, attempts - 1, new Date(Date.now() + (delay ?? 2_000)));
        } else if (delay !== null) {
          this.transitions.walkRetryLater(transfer.id, attempts, new Date(Date.now() + delay));
          this.service.addNote(transfer.id, retryNote(failure, delay));
        } else {
          this.transitions.walkFailed(transfer.id, attempts, failure);
        }
      } finally {
        if (this.transitions.settle(transfer.id)) this.forget(transfer.id);
        else this.service.emitNow(transfer.id);
        this.end(key, job);
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
    const job = this.begin(key, transfer.id, [transfer.source_site, transfer.dest_site]);
    this.transitions.started(transfer);
    return (async () => {
      const finishing = new Set<Promise<void>>();
      let claimed = 0;
      try {
        for (;;) {
          // A dispatched lane makes way after a few files: its ticket goes back in the queue,
          // where a transfer ahead of it (moved to the top, say) is taken first.
          if (!cursor && claimed >= CLUSTER_LANE_FILES) return true;
          if (job.controller.signal.aborted || this.paused || this.stopping || job.yielding) break;
          if (this.pausedSites.has(transfer.dest_site)) break;
          if (this.waitingAhead !== null && this.waitingAhead < transfer.position) break;
          // One file finishing while the next moves its bytes, no more: finishing must keep up.
          while (finishing.size > 1) await Promise.race(finishing);
          const file = this.claim(transfer, cursor);
          if (!file) break;
          claimed++;
          let transferred!: () => void;
          const sessionsFree = new Promise<void>((resolve) => (transferred = resolve));
          const copy = this.copyOne(transfer, file, job, transferred);
          finishing.add(copy);
          void copy.then(() => finishing.delete(copy));
          await Promise.race([sessionsFree, copy]);
        }
        return false;
      } finally {
        await Promise.all(finishing);
        this.end(key, job);
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
      if (this.commits.run(() => this.transitions.fileStarted(file, file.attempts + 1))) return file;
    }
    return undefined;
  }

  /** Copy one claimed file on the lane's sessions and write how it ended. Never rejects. */
  private async copyOne(transfer: TransferRow, file: FileRow, job: Job, transferred: () => void): Promise<void> {
    const attempts = file.attempts + 1;
    let unfence: (() => void)[] = [];
    this.progress.start(file.id, transfer.id);
    this.copying.set(file.id, job);
    // Named by id until read (a removed site fails the copy below).
    let sites: CopySites = {
      source: { id: transfer.source_site, name: transfer.source_site },
      destination: { id: transfer.dest_site, name: transfer.dest_site },
    };
    try {
      const source = this.sites.get(transfer.source_site);
      const destination = this.sites.get(transfer.dest_site);
      sites = { source, destination };
      const [sourceLease, destinationLease] = await this.leasePair(job, source.id, destination.id);
      const traces = this.options.traces;
      sourceLease.trace({ transferId: transfer.id, role: 'source', path: file.source_path });
      destinationLease.trace({ transferId: transfer.id, role: 'destination', path: file.source_path });
      const check = this.options.fence?.(file);
      if (check) unfence = [sourceLease.fence(check), destinationLease.fence(check)];
      const routes = this.options.routes;
      const known = job.route ?? routes?.lookup(source.id, destination.id) ?? null;
      const result = await copyFile({
        source: sourceLease,
        destination: destinationLease,
        probe: this.pool.shared(destination.id),
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
        stallTimeoutMs: this.options.stallTimeoutMs,
        finalReplyTimeoutMs: this.options.finalReplyTimeoutMs,
        onProgress: (position) => {
          this.progress.report(file.id, transfer.id, position);
          this.service.touch(transfer.id);
        },
        onNote: (note) => {
          this.service.addNote(transfer.id, `${file.source_path}: ${note}`);
          traces?.event(transfer.id, 'note', note, file.source_path);
        },
        route: known,
        pipeline: known !== null && known === job.route,
        onRefusal: (route, refusal) => routes?.failed(source.id, destination.id, route, refusal.message),
        onAttempt: ({ mode }) => {
          if (mode === 'relay') traces?.event(transfer.id, 'relay', 'relay through pasv', file.source_path);
          // The transfer shows relay once any of its files needed it (the file's own mode is
          // written when it ends).
          const shown = this.shownMode.get(transfer.id) ?? this.store.transfer(transfer.id)?.mode;
          if (shown !== mode && shown !== 'relay') {
            this.shownMode.set(transfer.id, mode);
            this.store.updateTransfer(transfer.id, { mode });
            this.service.emitNow(transfer.id);
          }
        },
        onDestinationOpened: () => {
          if (transfer.if_exists !== 'skip' && file.size < RESUME_MARK_BYTES) return;
          this.store.updateFile(file.id, { started: 1 });
          this.commits.flush(); // before our bytes can land there, or a retry after a crash may skip them
        },
        onTransferred: transferred,
      });
      if (result.route) {
        job.route = result.route;
        routes?.worked(source.id, destination.id, result.route);
      }
      const timeSet =
        result.outcome === 'copied' ? await this.times.preserve(file, sourceLease, destinationLease) : null;
      this.commits.run(() =>
        result.outcome === 'skipped'
          ? this.transitions.fileSkipped(file)
          : this.transitions.fileDone(file, {
              size: result.size,
              mode: result.mode,
              verified: result.hash ? result.hash.algorithm : 'size',
              mtime_set: timeSet,
            }),
      );
    } catch (error) {
      job.route = null;
      const position = this.progress.fileBytes(file.id) ?? 0;
      const signal = job.controller.signal;
      if (this.commits.run(() => endFailedCopy(this.ending, file, attempts, error, signal, position, sites))) {
        job.yielding = true;
      }
    } finally {
      for (const clear of unfence) clear();
      this.progress.end(file.id);
      this.copying.delete(file.id);
    }
  }

  /** The lane's two sessions, leased on its first file and kept until the lane ends. */
  private leasePair(job: Job, sourceSite: string, destinationSite: string): Promise<[Lease, Lease]> {
    job.pair ??= (async (): Promise<[Lease, Lease]> => {
      const leased: Lease[] = [];
      try {
        if (!this.options.cluster) {
          leased.push(await this.pool.lease(sourceSite, job.controller.signal));
          leased.push(await this.pool.lease(destinationSite, job.controller.signal));
        } else {
          await this.clusterPair(job, sourceSite, destinationSite, leased);
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

  /**
   * In a cluster a login waits for a slot that another node may hold (sites/pool-slots.ts).
   * Two lanes that each logged in on one site and wait for the other would wait forever: so
   * the pair logs in in one order (by site id), and the second login waits a while at most,
   * then the lane gives its first back and the file waits in the queue (this attempt not counted).
   */
  private async clusterPair(job: Job, sourceSite: string, destinationSite: string, leased: Lease[]): Promise<void> {
    const sourceFirst = sourceSite <= destinationSite;
    const first = await this.pool.lease(sourceFirst ? sourceSite : destinationSite, job.controller.signal);
    leased.push(first);
    await first.acquire();
    const patience = AbortSignal.any([job.controller.signal, AbortSignal.timeout(SECOND_LOGIN_WAIT_MS)]);
    const secondSite = sourceFirst ? destinationSite : sourceSite;
    const second = await this.pool.lease(secondSite, patience);
    if (sourceFirst) leased.push(second);
    else leased.unshift(second);
    try {
      await second.acquire();
    } catch (error) {
      if (job.controller.signal.aborted || !patience.aborted) throw error;
      throw new ClusterBusyError(secondSite);
    }
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

/** The site that prefers to listen is the passive one; by default the destination (as lftp). */
function passiveSide(source: string, destination: string): Side {
  if (source === 'passive' || destination === 'active') return 'source';
  return 'destination';
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}
