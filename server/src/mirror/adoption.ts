/**
 * Which runs a worker of a cluster executes. Runs started on a web node (a person's "Run
 * now") wait queued with no owner; a run whose worker died keeps an owner whose lease runs
 * out. Every tick (a short interval, and the scheduler's) a worker renews the leases of the
 * runs it executes, stops those it no longer holds (cancelled or removed on any node, or
 * taken over after it stalled), looks at the transfers its runs wait on (another worker may
 * be copying them, and its events don't reach this node), and takes what nobody executes.
 */
import type { RunLeases } from '../cluster/run-leases.js';
import type { RunExecution } from './run.js';
import type { MirrorStore, RunRow } from './store.js';

/** How often a worker looks for runs to take: a queued manual run starts within this. */
export const ADOPT_INTERVAL_MS = 1_500;

export interface AdoptionHost {
  store: MirrorStore;
  /** The executions under way on this node, by run id. */
  executions: Map<string, RunExecution>;
  /** Execute (or resume, or close) a run this node just claimed. */
  adopt(run: RunRow): void;
  /** Awaited transfers may have ended on another node. */
  recheckWaits(): void;
  log(message: string, error?: unknown): void;
}

export class RunAdoption {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly leases: RunLeases,
    private readonly tags: readonly string[],
    private readonly host: AdoptionHost,
    private readonly intervalMs = ADOPT_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.tick();
  }

  tick(): void {
    if (this.stopped) return;
    const { executions, store } = this.host;
    try {
      const held = this.leases.renew();
      for (const [runId, execution] of [...executions]) {
        if (held.has(runId)) continue;
        executions.delete(runId);
        const row = store.run(runId);
        // Still unfinished: another node took it over and goes on with it, so write nothing.
        if (row && ['queued', 'comparing', 'syncing'].includes(row.state)) {
          this.host.log(`mirror run ${runId} was taken over by ${row.run_owner ?? 'another node'}: it stops here`);
          execution.stop();
        } else {
          execution.cancel();
        }
      }
      this.host.recheckWaits();
      for (const run of this.leases.claim(this.tags)) this.host.adopt(run);
    } catch (error) {
      this.host.log('mirror run leases: tick failed', error);
    }
  }

  /** No more ticks; this node's runs are free for another worker at once. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.leases.releaseAll();
    } catch (error) {
      this.host.log('mirror run leases: release failed', error);
    }
  }
}
