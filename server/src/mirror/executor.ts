/**
 * The runs this node executes. Alone (SQLite) that is every run: a new one starts at once,
 * and at start the runs a crash left are resumed or closed. In a cluster (PostgreSQL) a web
 * node executes none (its runs wait queued, with no owner) and a worker holds each run it
 * executes under a lease (cluster/run-leases.ts). Every tick (a short interval, and the
 * scheduler's) a worker renews its leases, stops the runs it no longer holds (cancelled or
 * removed on any node, or taken over after it stalled), looks at the transfers its runs wait
 * on (another worker may copy them, and its events don't reach this node), and takes the runs
 * nobody executes: queued ones, and a dead worker's once its lease ran out.
 */
import type { RunLeases } from '../cluster/run-leases.js';
import { RunExecution, type RunDeps } from './run.js';
import type { RunOwner, RunRow } from './store.js';

/** How often a worker looks for runs to take: a run queued on a web node starts within this. */
export const ADOPT_INTERVAL_MS = 1_500;

const UNFINISHED = new Set(['queued', 'comparing', 'syncing']);

export interface ExecutorOptions {
  /** False on a web node: it only queues runs. */
  executesRuns: boolean;
  /** A worker's run leases on PostgreSQL; null when this process owns every run (SQLite). */
  leases: RunLeases | null;
  /** The egress tags of this node: it takes only runs whose sites it may reach. */
  egressTags: readonly string[];
  /** Awaited transfers may have ended on another node. */
  recheckWaits(): void;
  log(message: string, error?: unknown): void;
}

export class RunExecutor {
  private readonly executions = new Map<string, RunExecution>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly deps: RunDeps,
    private readonly options: ExecutorOptions,
  ) {}

  private get adopting(): RunLeases | null {
    return this.options.executesRuns ? this.options.leases : null;
  }

  /** The owner columns of a run inserted now: ours when this node executes it at once. */
  ownerOfNew(): RunOwner | undefined {
    return this.adopting?.fresh();
  }

  /** A run just inserted (with ownerOfNew()): started here, or left queued for a worker. */
  started(runId: string): void {
    if (this.options.executesRuns) this.execute(runId, (execution) => execution.start());
  }

  /** After the queue has started, on a node that executes runs. */
  start(): void {
    if (this.adopting) {
      this.timer = setInterval(() => this.tick(), ADOPT_INTERVAL_MS);
      this.timer.unref();
      this.tick();
    } else {
      for (const run of this.deps.store.unfinishedRuns()) this.adopt(run, 'interrupted by a restart of pasv before it copied anything');
    }
  }

  /** The run was cancelled (its state is written already): its execution here stops. */
  cancelled(runId: string): void {
    this.executions.get(runId)?.cancel();
  }

  tick(): void {
    const leases = this.adopting;
    if (!leases || this.stopped) return;
    try {
      const held = leases.renew();
      for (const [runId, execution] of [...this.executions]) {
        if (held.has(runId)) continue;
        this.executions.delete(runId);
        const row = this.deps.store.run(runId);
        // Still unfinished: another node took it over and goes on with it, so write nothing.
        if (row && UNFINISHED.has(row.state)) {
          this.options.log(`mirror run ${runId} was taken over by ${row.run_owner ?? 'another node'}: it stops here`);
          execution.stop();
        } else {
          execution.cancel();
        }
      }
      this.options.recheckWaits();
      for (const run of leases.claim(this.options.egressTags)) {
        this.adopt(run, 'interrupted: the node running it stopped before it copied anything');
      }
    } catch (error) {
      this.options.log('mirror run leases: tick failed', error);
    }
  }

  /** Stop every run's work without writing: the next start (or another worker) resumes or closes them. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const execution of this.executions.values()) execution.stop();
    this.executions.clear();
    try {
      // Free for another worker at once, not after the lease.
      this.adopting?.releaseAll();
    } catch (error) {
      this.options.log('mirror run leases: release failed', error);
    }
  }

  /**
   * A run to execute that no execution here started: a queued one starts (in a cluster; alone
   * one can only be a crash's); one left syncing waits for its transfer again; one left
   * comparing (nothing copied yet), or whose transfer is gone, is closed.
   */
  private adopt(run: RunRow, interrupted: string): void {
    if (this.executions.has(run.id)) return;
    const { store, transfers } = this.deps;
    if (run.state === 'queued' && this.adopting) {
      this.execute(run.id, (execution) => execution.start());
    } else if (run.state === 'syncing' && run.transfer_id && transfers.store.transfer(run.transfer_id)) {
      this.execute(run.id, (execution) => execution.resume());
    } else {
      const gone = run.state === 'syncing';
      const ended = store.changeRunState(run.id, 'failed', {
        finished_at: new Date().toISOString(),
        error_code: gone ? 'transfer_gone' : 'interrupted',
        error_message: gone ? 'the run’s transfer was removed from the queue before it finished' : interrupted,
      });
      if (ended) {
        this.deps.changed(run.id);
        this.deps.ended(run.id);
      }
    }
  }

  private execute(runId: string, work: (execution: RunExecution) => Promise<void>): void {
    const execution = new RunExecution(this.deps, runId);
    this.executions.set(runId, execution);
    void work(execution).finally(() => {
      if (this.executions.get(runId) === execution) this.executions.delete(runId);
    });
  }
}
