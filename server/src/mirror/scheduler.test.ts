/**
 * The scheduler on a real store with a hand-driven clock: one timer to the next slot, one
 * run per slot, missed slots once at start, a busy job's slot skipped and said, a paused
 * job left alone, and a slot that already has a run never run again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import type { Db } from '../store/db.js';
import { Scheduler, type Clock, type ScheduleTarget } from './scheduler.js';
import { MirrorStore } from './store.js';

const MINUTE = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

class ManualClock implements Clock {
  time = T0;
  timers = new Map<number, { at: number; callback: () => void }>();
  private ids = 0;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => void this.timers.delete(handle as number);
  /** Move time on, firing each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }
}

/** Starts runs the way the service does: none while one is active, one per slot. */
class Runs implements ScheduleTarget {
  readonly started: { jobId: string; slot: string; notes: string[] }[] = [];
  constructor(private readonly store: MirrorStore) {}
  runScheduled(jobId: string, slot: string, notes: string[]): 'started' | 'busy' | 'duplicate' {
    if (this.store.activeRun(jobId)) return 'busy';
    const run = this.store.insertRun({
      job_id: jobId,
      dry_run: 0,
      trigger: 'schedule',
      slot,
      counts: '{}',
      bytes: '{}',
    });
    if (!run) return 'duplicate';
    this.started.push({ jobId, slot, notes });
    return 'started';
  }
  finishAll(): void {
    for (const run of this.store.unfinishedRuns()) this.store.changeRunState(run.id, 'done');
  }
}

onBothEngines((open) => {
  let db: Db;
  let store: MirrorStore;
  let clock: ManualClock;
  let runs: Runs;
  let scheduler: Scheduler;

  beforeEach(() => {
    db = open();
    store = new MirrorStore(db);
    clock = new ManualClock();
    runs = new Runs(store);
    scheduler = new Scheduler(store, runs, clock);
  });

  afterEach(() => {
    scheduler.close();
  });

  function addJob(schedule: object, nextRunAt: number | null, enabled = true): string {
    return store.insertJob({
      name: 'job',
      source_site: 's',
      source_dir: '/a',
      dest_site: 'd',
      dest_dir: '/b',
      rules: '{}',
      schedule: JSON.stringify(schedule),
      webhook_url: null,
      webhook_secret_enc: null,
      enabled: Number(enabled),
      next_run_at: nextRunAt === null ? null : new Date(nextRunAt).toISOString(),
    }).id;
  }

  describe('Scheduler', () => {
    it('waits with one timer for the next slot, runs each slot once, and counts the next from then', () => {
      const job = addJob({ everyMinutes: 5 }, T0 + 5 * MINUTE);
      scheduler.start();
      expect(runs.started).toHaveLength(0);
      expect([...clock.timers.values()].map((t) => t.at)).toEqual([T0 + 5 * MINUTE]);
      clock.advance(5 * MINUTE - 1);
      expect(runs.started).toHaveLength(0);
      clock.advance(1);
      expect(runs.started).toEqual([{ jobId: job, slot: new Date(T0 + 5 * MINUTE).toISOString(), notes: [] }]);
      expect(store.job(job)!.next_run_at).toBe(new Date(T0 + 10 * MINUTE).toISOString());
      runs.finishAll();
      clock.advance(5 * MINUTE);
      expect(runs.started.map((r) => r.slot)).toEqual([
        new Date(T0 + 5 * MINUTE).toISOString(),
        new Date(T0 + 10 * MINUTE).toISOString(),
      ]);
      expect(clock.timers.size).toBe(1);
    });

    it('follows a cron expression', () => {
      const job = addJob({ cron: '30 3 * * *' }, Date.parse('2030-01-01T03:30:00.000Z'));
      scheduler.start();
      clock.advance(4 * 60 * MINUTE);
      expect(runs.started).toHaveLength(1);
      const next = new Date(store.job(job)!.next_run_at!);
      expect(next.getTime()).toBeGreaterThan(clock.now());
      expect([next.getMinutes(), next.getHours()]).toEqual([30, 3]);
    });

    it('runs slots missed while down once at start, and says so', () => {
      const job = addJob({ everyMinutes: 1 }, T0 - 10 * MINUTE + 1);
      scheduler.start();
      expect(runs.started).toHaveLength(1);
      expect(runs.started[0]!.slot).toBe(new Date(T0 - 10 * MINUTE + 1).toISOString());
      expect(runs.started[0]!.notes.join()).toMatch(
        /^10 slots since .* were missed while pasv was not running: ran once$/,
      );
      expect(Date.parse(store.job(job)!.next_run_at!)).toBe(T0 + MINUTE);
    });

    it('never overlaps: a slot that comes while the run is going is skipped, and the next run says so', () => {
      addJob({ everyMinutes: 1 }, T0 + MINUTE);
      scheduler.start();
      clock.advance(MINUTE);
      expect(runs.started).toHaveLength(1);
      clock.advance(3 * MINUTE); // the run is still going for three more slots
      expect(runs.started).toHaveLength(1);
      runs.finishAll();
      clock.advance(MINUTE);
      expect(runs.started).toHaveLength(2);
      expect(runs.started[1]!.notes).toEqual([
        `skipped 3 slots from ${new Date(T0 + 2 * MINUTE).toISOString()}: the previous run was still going`,
      ]);
    });

    it('leaves a paused job alone, schedule and all', () => {
      const job = addJob({ everyMinutes: 1 }, T0 - MINUTE, false);
      scheduler.start();
      clock.advance(10 * MINUTE);
      expect(runs.started).toHaveLength(0);
      expect(store.job(job)!.schedule).toBe(JSON.stringify({ everyMinutes: 1 }));
      expect(clock.timers.size).toBe(0);
    });

    it('does not run a slot again that already has a run (a crash before the next slot was stored)', () => {
      const slot = T0 - MINUTE;
      const job = addJob({ everyMinutes: 60 }, slot);
      store.insertRun({
        job_id: job,
        dry_run: 0,
        trigger: 'schedule',
        slot: new Date(slot).toISOString(),
        counts: '{}',
        bytes: '{}',
      });
      runs.finishAll();
      scheduler.start();
      expect(runs.started).toHaveLength(0);
      expect(store.runsOf(job)).toHaveLength(1);
      expect(Date.parse(store.job(job)!.next_run_at!)).toBe(T0 + 60 * MINUTE);
    });

    it('re-arms its one timer when schedules change, and clears it on close', () => {
      const job = addJob({ everyMinutes: 60 }, T0 + 60 * MINUTE);
      scheduler.start();
      store.updateJob(job, { next_run_at: new Date(T0 + MINUTE).toISOString() });
      scheduler.reschedule();
      scheduler.reschedule();
      expect([...clock.timers.values()].map((t) => t.at)).toEqual([T0 + MINUTE]);
      scheduler.close();
      expect(clock.timers.size).toBe(0);
      clock.advance(2 * MINUTE);
      expect(runs.started).toHaveLength(0);
    });
  });
});
