/**
 * When jobs run by themselves. Each enabled scheduled job keeps its next slot in the store
 * (next_run_at); one timer waits for the earliest of them — no polling — and each due job
 * gets one run for its slot, its next slot counted from now. So slots missed while pasv was
 * down run once at start, not once each; a slot that comes while the job's last run is still
 * going is skipped (and said on the next run); and the store's UNIQUE (job, slot) keeps a
 * slot from running twice, even when a crash came between starting it and moving on.
 */
import { nextSlot } from './schedule.js';
import type { MirrorStore } from './store.js';
import { jobSchedule } from './views.js';

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Who starts the runs (the MirrorService). */
export interface ScheduleTarget {
  /** Start a run for `slot`: 'busy' while one is under way, 'duplicate' if the slot ran already (or the job can't). */
  runScheduled(jobId: string, slot: string, notes: string[]): 'started' | 'busy' | 'duplicate';
  /** The job's next slot was stored (announce its nextRunAt). */
  slotStored?(jobId: string): void;
  /** A tick ran (in a cluster: a moment to take runs no node executes). */
  ticked?(): void;
}

/** A timer further out than this is re-armed on waking (timers cap near 24.8 days; clocks jump). */
const MAX_WAIT_MS = 60 * 60_000;
/** Missed slots counted at most, for the note. */
const MAX_COUNTED = 10_000;

export class Scheduler {
  private timer: unknown = null;
  private closed = false;
  private started = false;
  /** Slots skipped while a job's run was still going, said on its next run. */
  private readonly skipped = new Map<string, { first: string; count: number }>();

  constructor(
    private readonly store: MirrorStore,
    private readonly target: ScheduleTarget,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Run what is due (slots missed while down: once each job), then wait for the next slot. */
  start(): void {
    this.started = true;
    this.tick();
  }

  /** A job's schedule changed: wait for the earliest slot again. */
  reschedule(): void {
    if (this.started && !this.closed) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    for (const job of this.store.dueJobs(new Date(now).toISOString())) {
      const schedule = jobSchedule(job);
      const slot = job.next_run_at!;
      const notes: string[] = [];
      const skipped = this.skipped.get(job.id);
      if (skipped) {
        notes.push(`skipped ${plural(skipped.count, 'slot')} from ${skipped.first}: the previous run was still going`);
      }
      const missed = countSlots(schedule, slot, now);
      if (missed > 1) notes.push(`${missed >= MAX_COUNTED ? 'many' : missed} slots since ${slot} were missed while pasv was not running: ran once`);
      const result = this.target.runScheduled(job.id, slot, notes);
      if (result === 'busy') this.skipped.set(job.id, { first: skipped?.first ?? slot, count: (skipped?.count ?? 0) + missed });
      else this.skipped.delete(job.id);
      // Only after the run exists: a crash in between finds the slot due again, and UNIQUE says it ran.
      this.store.updateJob(job.id, { next_run_at: nextSlot(schedule, new Date(now)) });
      this.target.slotStored?.(job.id);
    }
    this.target.ticked?.();
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const next = this.store.earliestNextRun();
    if (next === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, Date.parse(next) - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
    }, wait);
  }
}

/** How many slots from `first` (itself included) have come by `now`. */
function countSlots(schedule: ReturnType<typeof jobSchedule>, first: string, now: number): number {
  let count = 0;
  for (let slot: string | null = first; slot !== null && Date.parse(slot) <= now && count < MAX_COUNTED; count++) {
    slot = nextSlot(schedule, new Date(slot));
  }
  return Math.max(1, count);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
