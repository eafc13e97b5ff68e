/**
 * The transfer queue as the API sees it: create, inspect, cancel, retry, reorder, pause.
 * The Runner does the work, Transitions writes every state change; this class owns the public
 * view (Transfer DTOs) and its events, progress throttled.
 */
import type {
  HistoryPage,
  HistoryQuery,
  QueueState,
  Transfer,
  TransferCreate,
  TransferFile,
  TransferFilesPage,
  TransferFilesQuery,
  TransferMode,
} from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import { baseName, normalizeRemotePath } from '../ftp/path.js';
import { UnsafeArgumentError } from '../ftp/errors.js';
import { NotFoundError } from '../errors.js';
import type { SitesService } from '../sites/service.js';
import type { SessionPool } from '../sites/pool.js';
import type { Db } from '../store/db.js';
import { getMeta, groupCommit, setMeta, type GroupCommit } from '../store/db.js';
import { Runner, type RunnerOptions } from './runner.js';
import { TransferStore, type FileRow, type TransferRow } from './store.js';
import { Transitions } from './transitions.js';
import type { FileLeases } from '../cluster/leases.js';

export interface PlannedTransfer {
  /** What the queue shows (the mirror job's name). */
  name: string;
  source: { siteId: string; dir: string };
  destination: { siteId: string; dir: string };
  /**
   * Absolute paths on each side; the destination's folders must exist. A file with
   * `modifiedAt` gets that time on the destination once copied (MFMT, else SITE UTIME);
   * `exactTime: false` says it came from a coarse listing, and the source's MDTM is asked first.
   */
  files: { source: string; destination: string; size: number; modifiedAt?: string | null; exactTime?: boolean }[];
  mode?: TransferMode;
}

/**
 * How often, at most, one transfer's progress is announced (~5 per second). The only throttle
 * between the copies and the browsers: the hub sends transfer updates as they come.
 */
const PROGRESS_INTERVAL_MS = 200;
/** Files per page of GET /api/transfers/:id/files when the client names no limit. */
const FILES_PAGE = 200;
/** Transfers per page of GET /api/history when the client names no limit. */
const HISTORY_PAGE = 50;
/** The meta key of the destinations a policy reply paused (site id → note). */
const PAUSED_SITES = 'queue.pausedSites';

export class TransferService {
  readonly store: TransferStore;
  private readonly transitions: Transitions;
  private readonly runner: Runner;
  private readonly pendingEmit = new Map<string, NodeJS.Timeout>();
  private readonly commits: GroupCommit;
  /** Smoothed speed per transfer: last sample and the moving average. */
  private readonly speed = new Map<string, { at: number; bytes: number; rate: number }>();

  constructor(
    private readonly db: Db,
    sites: SitesService,
    pool: SessionPool,
    private readonly events: EventBus,
    options: RunnerOptions & { leases?: FileLeases } = {},
  ) {
    this.store = new TransferStore(db);
    this.clustered = options.cluster !== undefined;
    this.commits = groupCommit(db);
    this.transitions = new Transitions(
      this.store,
      { now: (id) => this.emitNow(id), soon: (id) => this.touch(id) },
      this.commits,
      options.leases,
    );
    this.runner = new Runner(this.store, this.transitions, sites, pool, this, this.commits, options);
    this.sites = sites;
  }

  private readonly sites: SitesService;
  private readonly clustered: boolean;

  /** Cluster mode wiring (cluster/cluster-work.ts): the runner that takes tickets, the transitions it writes through. */
  get engine(): { runner: Runner; transitions: Transitions } {
    return { runner: this.runner, transitions: this.transitions };
  }

  /**
   * Re-queue what a crash interrupted and start working (unless the queue was paused). In a
   * cluster what is running may be another node's: leases that ran out are queued again instead
   * (cluster/leases.ts).
   */
  start(): void {
    if (!this.clustered) this.transitions.requeueInterrupted();
    this.runner.paused = getMeta(this.db, 'queue.paused') === 'true';
    const pausedSites = JSON.parse(getMeta(this.db, PAUSED_SITES) ?? '{}') as Record<string, string>;
    for (const [siteId, note] of Object.entries(pausedSites)) this.runner.pausedSites.set(siteId, note);
    this.runner.kick();
  }

  /** Stop running copies, keeping them queued (and resumable) for the next start. */
  async stop(): Promise<void> {
    await this.runner.stop();
    for (const timer of this.pendingEmit.values()) clearTimeout(timer);
    this.pendingEmit.clear();
  }

  create(input: TransferCreate): Transfer {
    this.sites.get(input.source.siteId);
    this.sites.get(input.destination.siteId);
    const sourcePath = normalizeRemotePath(input.source.path);
    const name = baseName(sourcePath);
    if (!name) throw new UnsafeArgumentError('the source path must name a file or a directory, not /');
    const row = this.store.insertTransfer({
      name,
      source_site: input.source.siteId,
      source_path: sourcePath,
      dest_site: input.destination.siteId,
      dest_dir: normalizeRemotePath(input.destination.dir),
      requested_mode: input.mode ?? 'auto',
      if_exists: input.ifExists ?? 'overwrite',
    });
    this.emitNow(row.id);
    this.runner.kick();
    return this.get(row.id);
  }

  /**
   * A transfer of an explicit file list (a mirror's plan): no walk, the files are queued as
   * given, and the caller has made the destination folders. Everything else (FXP, flip,
   * relay, resume, verification, retries, crash safety) is the queue's as for any transfer.
   */
  createPlanned(input: PlannedTransfer): Transfer {
    this.sites.get(input.source.siteId);
    this.sites.get(input.destination.siteId);
    if (input.files.length === 0) throw new UnsafeArgumentError('a planned transfer needs at least one file');
    const row = this.store.insertPlannedTransfer(
      {
        name: input.name,
        source_site: input.source.siteId,
        source_path: normalizeRemotePath(input.source.dir),
        dest_site: input.destination.siteId,
        dest_dir: normalizeRemotePath(input.destination.dir),
        requested_mode: input.mode ?? 'auto',
        if_exists: 'overwrite',
      },
      input.files.map((f) => [
        normalizeRemotePath(f.source),
        normalizeRemotePath(f.destination),
        f.size,
        f.modifiedAt,
        f.exactTime,
      ]),
    );
    this.emitNow(row.id);
    this.runner.kick();
    return this.get(row.id);
  }

  list(): Transfer[] {
    return this.store.transfers().map((row) => this.toDto(row));
  }

  get(id: string): Transfer {
    return this.toDto(this.row(id));
  }

  /** A page of the transfer's files in seq order (files found later by a walk come after). */
  files(id: string, query: TransferFilesQuery = {}): TransferFilesPage {
    this.row(id);
    const limit = query.limit ?? FILES_PAGE;
    const rows = this.store.filesPage(id, Number(query.cursor ?? 0), limit + 1);
    const page = rows.slice(0, limit);
    return {
      files: page.map((file) => this.toFileDto(file)),
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
    };
  }

  cancel(id: string): Transfer {
    this.row(id);
    this.transitions.cancel(id);
    this.runner.abortTransfer(id);
    return this.get(id);
  }

  retry(id: string): Transfer {
    this.row(id);
    this.transitions.retry(id);
    this.runner.kick();
    return this.get(id);
  }

  moveToTop(id: string): Transfer {
    this.row(id);
    this.store.moveToTop(id);
    this.emitNow(id);
    this.runner.kick();
    return this.get(id);
  }

  /** Out of the queue (failed ones only when asked), still in History. */
  clearFinished(withFailed = false): void {
    for (const id of this.store.clearFinished(withFailed)) this.events.publish({ type: 'transfer.removed', id });
  }

  /** Finished transfers, newest first, cleared ones too; the cursor is the last row's "finishedAt|id". */
  history(query: HistoryQuery = {}): HistoryPage {
    const limit = query.limit ?? HISTORY_PAGE;
    const [finishedAt, id] = query.cursor ? query.cursor.split('|') : [];
    const after = finishedAt && id ? { finishedAt, id } : null;
    const rows = this.store.history(query.q?.trim() ?? '', after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      transfers: page.map((row) => this.toDto(row)),
      nextCursor: rows.length > limit && last ? `${last.finished_at}|${last.id}` : null,
    };
  }

  queueState(): QueueState {
    return { paused: this.runner.paused, ...this.runner.load() };
  }

  /** Pause or resume the queue. Resume also resumes the destinations a policy reply paused. */
  setPaused(paused: boolean): QueueState {
    setMeta(this.db, 'queue.paused', String(paused));
    this.runner.paused = paused;
    if (!paused) {
      const resumed = new Set(this.runner.pausedSites.keys());
      this.runner.pausedSites.clear();
      setMeta(this.db, PAUSED_SITES, '{}');
      for (const row of this.store.active()) if (resumed.has(row.dest_site)) this.emitNow(row.id);
      this.runner.kick();
    }
    this.publishQueue();
    return this.queueState();
  }

  // ---- called by the Runner ---------------------------------------------------------------

  /**
   * A destination said it is out of space (or has no transfer slave): no file starts on any
   * transfer to it until Resume, and each of them says why. Kept across restarts, as a pause is.
   */
  pauseDestination(siteId: string, note: string): void {
    if (!this.runner.pausedSites.has(siteId)) {
      this.runner.pausedSites.set(siteId, note);
      setMeta(this.db, PAUSED_SITES, JSON.stringify(Object.fromEntries(this.runner.pausedSites)));
    }
    for (const row of this.store.active()) {
      if (row.dest_site !== siteId) continue;
      this.addNote(row.id, note);
      this.emitNow(row.id);
    }
  }

  /** Announce the queue's state when it changed. */
  publishQueue(active?: TransferRow[]): void {
    const queue = { paused: this.runner.paused, ...this.runner.load(active?.length) };
    const key = JSON.stringify(queue);
    if (key === this.lastQueue) return;
    this.lastQueue = key;
    this.events.publish({ type: 'queue.updated', queue });
  }

  private lastQueue = '';

  /** Progress changed: announce it soon, at most every PROGRESS_INTERVAL_MS. */
  touch(id: string): void {
    if (this.pendingEmit.has(id)) return;
    const timer = setTimeout(() => this.emitNow(id), PROGRESS_INTERVAL_MS);
    timer.unref();
    this.pendingEmit.set(id, timer);
  }

  /** A state changed: announce it now. */
  emitNow(id: string): void {
    const timer = this.pendingEmit.get(id);
    if (timer) clearTimeout(timer);
    this.pendingEmit.delete(id);
    this.commits.writeDeferred(); // what it tells includes the files' claims (transitions.ts)
    const row = this.store.transfer(id);
    if (row) this.events.publish({ type: 'transfer.updated', transfer: this.toDto(row) });
  }

  /**
   * Record what pasv did. A tree repeats the same story for many files ("fell back to relay"):
   * a note whose gist (its words before any detail in parentheses) is already there is
   * not added again.
   */
  addNote(id: string, note: string): void {
    const row = this.store.transfer(id);
    if (!row) return;
    const notes = JSON.parse(row.notes) as string[];
    const gist = (text: string) => text.replace(/^\/.*?: /s, '').replace(/\s*\(.*$/s, '');
    if (notes.some((existing) => gist(existing) === gist(note))) return;
    notes.push(note);
    this.store.updateTransfer(id, { notes: JSON.stringify(notes.slice(-20)) });
  }

  // ---- views ------------------------------------------------------------------------------

  private row(id: string): TransferRow {
    const row = this.store.transfer(id);
    if (!row) throw new NotFoundError(`no transfer with id ${id}`);
    return row;
  }

  private toDto(row: TransferRow): Transfer {
    const counts = this.store.counts(row.id);
    const bytesDone = counts.bytesDone + this.runner.progress.transferBytes(row.id);
    const finished = row.state !== 'queued' && row.state !== 'running';
    if (finished) {
      this.speed.delete(row.id);
      this.runner.progress.forgetMoved(row.id);
    }
    return {
      id: row.id,
      version: row.version,
      // Unfinished, but its destination paused the queue: what the user must act on.
      state: !finished && this.runner.pausedSites.has(row.dest_site) ? 'paused' : row.state,
      mode: row.mode,
      requestedMode: row.requested_mode,
      ifExists: row.if_exists,
      kind: row.kind,
      name: row.name,
      source: { siteId: row.source_site, path: row.source_path },
      destination: { siteId: row.dest_site, dir: row.dest_dir },
      bytesDone,
      bytesTotal: counts.bytesTotal,
      bytesPerSecond: finished ? 0 : this.sampleSpeed(row.id, this.runner.progress.movedBytes(row.id)),
      filesDone: counts.done,
      filesFailed: counts.failed,
      filesSkipped: counts.skipped,
      filesTotal: counts.total,
      verified: finished ? this.store.verifiedSummary(row.id) : null,
      position: row.position,
      attempts: row.attempts,
      notes: JSON.parse(row.notes) as string[],
      createdAt: row.created_at,
      ...(row.next_retry_at ? { nextRetryAt: row.next_retry_at } : {}),
      ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
      ...(row.started_at ? { startedAt: row.started_at } : {}),
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    };
  }

  /** Exponential moving average over ~3 s, so the speed shown doesn't jump with every sample. */
  private sampleSpeed(id: string, bytes: number): number {
    const now = Date.now();
    const last = this.speed.get(id);
    if (!last) {
      this.speed.set(id, { at: now, bytes, rate: 0 });
      return 0;
    }
    const elapsed = (now - last.at) / 1000;
    if (elapsed < 0.1) return last.rate;
    const instant = Math.max(0, bytes - last.bytes) / elapsed;
    const weight = 1 - Math.exp(-elapsed / 3);
    const rate = last.rate === 0 ? instant : last.rate + weight * (instant - last.rate);
    this.speed.set(id, { at: now, bytes, rate });
    return Math.round(rate);
  }

  private toFileDto(file: FileRow): TransferFile {
    return {
      id: file.id,
      path: file.source_path,
      state: file.state,
      mode: file.mode,
      size: file.size,
      bytesDone:
        file.state === 'running' ? (this.runner.progress.fileBytes(file.id) ?? file.bytes_done) : file.bytes_done,
      verified: file.verified,
      ...(file.error_code ? { error: { code: file.error_code, message: file.error_message ?? '' } } : {}),
    };
  }
}
