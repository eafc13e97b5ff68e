/**
 * Mirror jobs as the API sees them: saved jobs (CRUD, validation), their runs (start,
 * cancel, history, compared entries) and the live events and webhooks about both. A run's
 * work is RunExecution's; when a job runs by itself is the Scheduler's.
 */
import crypto from 'node:crypto';
import type {
  Job,
  JobCreate,
  JobPatch,
  Run,
  RunEntriesPage,
  RunEntriesQuery,
  RunRequest,
  Site,
  Transfer,
} from '../../../contract/index.js';
import { RunLeases, type RunLeaseOptions } from '../cluster/run-leases.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { SessionPool } from '../sites/pool.js';
import type { SecretBox } from '../sites/secrets.js';
import type { SitesService } from '../sites/service.js';
import type { TransferService } from '../transfers/service.js';
import { emptyCounts } from './compare.js';
import { checkOverlap, JobInput } from './job-input.js';
import type { Notifier } from './notify.js';
import { resolveRules, DEFAULT_RULES } from './rules.js';
import { RunExecutor } from './executor.js';
import type { RunDeps } from './run.js';
import { nextSlot, validateSchedule } from './schedule.js';
import { Scheduler, type Clock, type ScheduleTarget } from './scheduler.js';
import { TransferWaits } from './transfer-waits.js';
import { MirrorStore, type JobFields, type JobRow, type RunRow } from './store.js';
import { jobRules, jobSchedule, toEntry, toJob, toRun } from './views.js';

export interface MirrorOptions {
  clock?: Clock;
  /** Log a webhook that could not be delivered, or an unexpected failure. */
  log?: (message: string, error?: unknown) => void;
  /**
   * This process as a node of a cluster. A node that doesn't execute runs (a web node) only
   * queues them, for a worker to take; on PostgreSQL a node that does holds each run it
   * executes under a lease in its id (cluster/run-leases.ts), and takes runs nobody holds.
   * Without it, or on SQLite, this process executes every run itself.
   */
  cluster?: { nodeId: string; executesRuns: boolean; egressTags: readonly string[]; leases?: RunLeaseOptions };
}

const DEFAULT_PAGE = 200;

export class MirrorService implements ScheduleTarget {
  readonly store: MirrorStore;
  private readonly scheduler: Scheduler;
  private readonly input: JobInput;
  private readonly executor: RunExecutor;

  constructor(
    db: ConstructorParameters<typeof MirrorStore>[0],
    sites: SitesService,
    pool: SessionPool,
    private readonly transfers: TransferService,
    private readonly events: EventBus,
    secrets: SecretBox,
    private readonly notifier: Notifier,
    private readonly options: MirrorOptions = {},
  ) {
    this.store = new MirrorStore(db);
    this.input = new JobInput(sites, secrets);
    const waits = new TransferWaits(transfers.store, events);
    this.scheduler = new Scheduler(this.store, this, options.clock);
    const cluster = options.cluster;
    const leases = cluster && db.engine === 'postgres' ? new RunLeases(db, cluster.nodeId, cluster.leases) : null;
    const deps: RunDeps = {
      fence: leases && ((runId) => leases.fence(runId)),
      store: this.store,
      sites,
      pool,
      transfers,
      transferEnded: (id, signal) => waits.ended(id, signal),
      changed: (runId) => this.publishRun(runId),
      ended: (runId) => this.runEnded(runId),
      transferFailed: (runId, transferId) => this.notify(runId, 'transfer.failed', transfers.get(transferId)),
      unexpected: (error) => this.options.log?.('mirror run failed unexpectedly', error),
    };
    this.executor = new RunExecutor(deps, {
      executesRuns: cluster?.executesRuns ?? true,
      leases,
      egressTags: cluster?.egressTags ?? [],
      recheckWaits: () => waits.recheck(),
      log: (message, error) => this.options.log?.(message, error),
    });
    sites.onRemoved((site) => this.siteRemoved(site));
  }

  /**
   * On a node that executes runs, after the queue has started. Runs a crash left syncing wait
   * for their transfer again (the queue resumes it); runs left comparing are closed as
   * interrupted; in a cluster a worker does the same with the runs it takes (RunExecutor).
   * Then the schedule, with slots missed while down run once.
   */
  start(): void {
    this.executor.start();
    this.scheduler.start();
  }

  /** Stop every run's work without writing: the next start (or another worker) resumes or closes them. */
  stop(): void {
    this.scheduler.close();
    this.notifier.close();
    this.executor.stop();
  }

  /** The Scheduler's: a moment to take runs no node executes. */
  ticked(): void {
    this.executor.tick();
  }

  // ---- jobs -------------------------------------------------------------------------------

  list(): Job[] {
    return this.store.jobs().map((row) => this.toJob(row));
  }

  get(id: string): Job {
    return this.toJob(this.jobRow(id));
  }

  create(input: JobCreate): Job {
    const id = crypto.randomUUID();
    const source = this.input.endpoint('source', input.source);
    const destination = this.input.endpoint('destination', input.destination);
    checkOverlap(source, destination);
    const rules = resolveRules(input.rules, DEFAULT_RULES);
    const schedule = input.schedule ?? null;
    validateSchedule(schedule);
    const enabled = input.enabled ?? true;
    const webhook = this.input.webhookColumns(id, input.webhook ?? null, null);
    this.store.insertJob(
      {
        name: input.name,
        source_site: source.siteId,
        source_dir: source.dir,
        dest_site: destination.siteId,
        dest_dir: destination.dir,
        rules: JSON.stringify(rules),
        schedule: schedule ? JSON.stringify(schedule) : null,
        ...webhook,
        enabled: Number(enabled),
        next_run_at: enabled ? nextSlot(schedule, this.now()) : null,
      },
      id,
    );
    this.scheduler.reschedule();
    return this.publishJob(id);
  }

  update(id: string, patch: JobPatch): Job {
    const current = this.jobRow(id);
    const fields: JobFields = {};
    if (patch.name !== undefined) fields.name = patch.name;
    const source = patch.source
      ? this.input.endpoint('source', patch.source)
      : { siteId: current.source_site, dir: current.source_dir };
    const destination = patch.destination
      ? this.input.endpoint('destination', patch.destination)
      : { siteId: current.dest_site, dir: current.dest_dir };
    if (patch.source || patch.destination) {
      checkOverlap(source, destination);
      Object.assign(fields, {
        source_site: source.siteId,
        source_dir: source.dir,
        dest_site: destination.siteId,
        dest_dir: destination.dir,
      });
      // Another destination may or may not keep times: learn it again.
      if (destination.siteId !== current.dest_site || destination.dir !== current.dest_dir)
        fields.dest_keeps_times = null;
    }
    if (patch.rules) fields.rules = JSON.stringify(resolveRules(patch.rules, jobRules(current)));
    const schedule = patch.schedule === undefined ? jobSchedule(current) : patch.schedule;
    if (patch.schedule !== undefined) {
      validateSchedule(schedule);
      fields.schedule = schedule ? JSON.stringify(schedule) : null;
    }
    if (patch.webhook !== undefined) Object.assign(fields, this.input.webhookColumns(id, patch.webhook, current));
    const enabled = patch.enabled ?? current.enabled === 1;
    if (patch.enabled === true && current.disabled_reason) {
      // Re-enabling a job pasv disabled: its sites must exist now (a patch may have replaced them).
      this.input.endpoint('source', source);
      this.input.endpoint('destination', destination);
      fields.disabled_reason = null;
    }
    if (patch.enabled !== undefined) fields.enabled = Number(enabled);
    if (patch.schedule !== undefined || patch.enabled !== undefined) {
      // From now: a job un-paused does not make up for the slots it slept through.
      fields.next_run_at = enabled ? nextSlot(schedule, this.now()) : null;
    }
    this.store.updateJob(id, fields);
    this.scheduler.reschedule();
    return this.publishJob(id);
  }

  /** The job, its runs and entries; a run under way is cancelled first (its transfer too). */
  remove(id: string): void {
    this.jobRow(id);
    const active = this.store.activeRun(id);
    if (active) this.cancelRun(active.id);
    this.store.deleteJob(id);
    this.scheduler.reschedule();
    this.events.publish({ type: 'job.removed', id });
  }

  // ---- runs -------------------------------------------------------------------------------

  /** A manual run; 409 when the job is disabled or already running. */
  run(jobId: string, request: RunRequest = {}): Run {
    const job = this.jobRow(jobId);
    if (job.enabled !== 1) {
      throw new ConflictError(
        job.disabled_reason ? `the job is disabled: ${job.disabled_reason}` : 'the job is paused: enable it to run it',
      );
    }
    const active = this.store.activeRun(jobId);
    if (active) throw new ConflictError(`the job is already running (run ${active.id}, ${active.state})`);
    const row = this.insertRun(job, {
      dryRun: request.dryRun ?? false,
      trigger: 'manual',
      slot: null,
      paths: request.paths,
      notes: [],
    });
    return this.toRun(row!);
  }

  /** The Scheduler's: a run for `slot`, unless one is under way or the slot already ran. */
  /** A job changed on another node of the cluster: wait for the earliest slot again. */
  reschedule(): void {
    this.scheduler.reschedule();
  }

  runScheduled(jobId: string, slot: string, notes: string[]): 'started' | 'busy' | 'duplicate' {
    const job = this.store.job(jobId);
    if (!job || job.enabled !== 1) return 'duplicate';
    if (this.store.activeRun(jobId)) return 'busy';
    return this.insertRun(job, { dryRun: false, trigger: 'schedule', slot, notes }) ? 'started' : 'duplicate';
  }

  /** The Scheduler's: the job's nextRunAt moved on. */
  slotStored(jobId: string): void {
    if (this.store.job(jobId)) this.publishJob(jobId);
  }

  runsOf(jobId: string): Run[] {
    const job = this.jobRow(jobId);
    return this.store.runsOf(jobId).map((row) => toRun(row, job.name));
  }

  getRun(id: string): Run {
    return this.toRun(this.runRow(id));
  }

  cancelRun(id: string): Run {
    const run = this.runRow(id);
    const cancelled = this.store.changeRunState(id, 'cancelled', {
      finished_at: new Date().toISOString(),
      notes: JSON.stringify([...(JSON.parse(run.notes) as string[]), 'cancelled by request']),
    });
    if (!cancelled) throw new ConflictError(`run is already ${this.runRow(id).state}`);
    this.executor.cancelled(id);
    if (run.transfer_id) {
      try {
        this.transfers.cancel(run.transfer_id);
      } catch (error) {
        if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error; // finished or gone already
      }
    }
    this.publishRun(id);
    this.runEnded(id);
    return this.getRun(id);
  }

  /** The compared entries of the job's latest compared run, in a stable order (empty for older runs). */
  entries(runId: string, query: RunEntriesQuery): RunEntriesPage {
    this.runRow(runId);
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = this.store.entries(runId, {
      verdict: query.verdict,
      afterSeq: Number(query.cursor ?? 0),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { entries: page.map(toEntry), nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
  }

  // ---- internals --------------------------------------------------------------------------

  private insertRun(
    job: JobRow,
    options: {
      dryRun: boolean;
      trigger: 'manual' | 'schedule';
      slot: string | null;
      paths?: string[];
      notes: string[];
    },
  ): RunRow | null {
    const counts = JSON.stringify(emptyCounts());
    const row = this.store.insertRun(
      {
        job_id: job.id,
        dry_run: Number(options.dryRun),
        trigger: options.trigger,
        slot: options.slot,
        counts,
        bytes: counts,
      },
      this.executor.ownerOfNew(),
    );
    if (!row) return null;
    this.store.updateRun(row.id, {
      notes: JSON.stringify(options.notes),
      paths: options.paths ? JSON.stringify(options.paths) : null,
    });
    this.publishRun(row.id);
    this.executor.started(row.id);
    return this.runRow(row.id);
  }

  /** A site a job uses is gone: the job stops (schedule kept) and says why. */
  private siteRemoved(site: Site): void {
    for (const job of this.store.jobsUsingSite(site.id)) {
      const side =
        job.source_site === site.id ? (job.dest_site === site.id ? 'source and destination' : 'source') : 'destination';
      this.store.updateJob(job.id, {
        enabled: 0,
        next_run_at: null,
        disabled_reason: `the ${side} site "${site.name}" was removed; choose another site and enable the job again`,
      });
      this.publishJob(job.id);
    }
    this.scheduler.reschedule();
  }

  private runEnded(runId: string): void {
    const run = this.store.run(runId);
    if (!run || run.dry_run) return; // a dry run is a preview someone is looking at
    this.notify(runId, `run.${run.state}`);
  }

  private notify(runId: string, event: string, transfer?: Transfer): void {
    const run = this.store.run(runId);
    const job = run && this.store.job(run.job_id);
    if (!run || !job?.webhook_url) return;
    this.notifier.send(job.webhook_url, this.input.webhookSecret(job), {
      event,
      at: new Date().toISOString(),
      job: this.toJob(job),
      run: toRun(run, job.name),
      ...(transfer ? { transfer } : {}),
    });
  }

  private publishRun(runId: string): void {
    const run = this.store.run(runId);
    const job = run && this.store.job(run.job_id);
    if (!run || !job) return;
    this.events.publish({ type: 'run.updated', run: toRun(run, job.name) });
    this.events.publish({ type: 'job.updated', job: this.toJob(job) });
  }

  private publishJob(id: string): Job {
    const job = this.get(id);
    this.events.publish({ type: 'job.updated', job });
    return job;
  }

  private jobRow(id: string): JobRow {
    const row = this.store.job(id);
    if (!row) throw new NotFoundError(`no job with id ${id}`);
    return row;
  }

  private runRow(id: string): RunRow {
    const row = this.store.run(id);
    if (!row) throw new NotFoundError(`no run with id ${id}`);
    return row;
  }

  private toJob(row: JobRow): Job {
    return toJob(row, this.store.lastRun(row.id));
  }

  private toRun(row: RunRow): Run {
    return toRun(row, this.store.job(row.job_id)?.name);
  }

  private now(): Date {
    return new Date(this.options.clock?.now() ?? Date.now());
  }
}
