/**
 * Mirror jobs, their runs and the compared entries of each job's latest run, in SQLite.
 * A run's state is written only through changeRunState (the from-state is checked in the
 * UPDATE itself), so a cancel and the end of a sync cannot both win.
 */
import crypto from 'node:crypto';
import type { RunState, Verdict } from '../../../contract/index.js';
import type { Db } from '../store/db.js';
import type { ComparedEntry, SideEntry } from './compare.js';

export interface JobRow {
  id: string;
  name: string;
  source_site: string;
  source_dir: string;
  dest_site: string;
  dest_dir: string;
  /** JSON MirrorRules. */
  rules: string;
  /** JSON MirrorSchedule, or null. */
  schedule: string | null;
  webhook_url: string | null;
  webhook_secret_enc: string | null;
  enabled: number;
  disabled_reason: string | null;
  next_run_at: string | null;
  /** Whether the destination set modification times at the last sync: null unknown, 0 no, 1 yes. */
  dest_keeps_times: number | null;
  created_at: string;
  updated_at: string;
}

export interface RunRow {
  id: string;
  job_id: string;
  state: RunState;
  dry_run: number;
  trigger: 'manual' | 'schedule';
  /** The schedule slot (ISO time) this run is for; null for manual runs. */
  slot: string | null;
  counts: string;
  bytes: string;
  deleted: number;
  /** What the plan copies, in bytes; null on runs from before it was kept. */
  planned_bytes: number | null;
  transfer_id: string | null;
  notes: string;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
  /** JSON array of the relative paths a "sync selected" run is limited to; null for everything. */
  paths: string | null;
  /** In a cluster: the node executing the run, and until when unless it renews (cluster/run-leases.ts). */
  run_owner: string | null;
  run_expires_at: string | null;
}

export interface EntryRow {
  seq: number;
  path: string;
  type: 'file' | 'dir';
  verdict: Verdict;
  reason: string | null;
  source: string | null;
  destination: string | null;
}

export type JobFields = Partial<Omit<JobRow, 'id' | 'created_at'>>;
export type RunFields = Partial<Omit<RunRow, 'id' | 'job_id' | 'state'>>;
export type RunOwner = Pick<RunRow, 'run_owner' | 'run_expires_at'>;

const ACTIVE: RunState[] = ['queued', 'comparing', 'syncing'];

export class MirrorStore {
  constructor(private readonly db: Db) {}

  atomically<T>(writes: () => T): T {
    return this.db.transaction(writes)();
  }

  // ---- jobs -------------------------------------------------------------------------------

  insertJob(fields: Omit<JobRow, 'id' | 'created_at' | 'updated_at' | 'disabled_reason' | 'dest_keeps_times'>, id = crypto.randomUUID()): JobRow {
    const at = new Date().toISOString();
    this.db.prepare(
      `INSERT INTO mirror_jobs (id, name, source_site, source_dir, dest_site, dest_dir, rules, schedule, webhook_url,
           webhook_secret_enc, enabled, next_run_at, created_at, updated_at)
         VALUES (@id, @name, @source_site, @source_dir, @dest_site, @dest_dir, @rules, @schedule, @webhook_url,
           @webhook_secret_enc, @enabled, @next_run_at, @at, @at)`,
    ).run({ ...fields, id, at });
    return this.job(id)!;
  }

  job(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM mirror_jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  jobs(): JobRow[] {
    return this.db.prepare('SELECT * FROM mirror_jobs ORDER BY created_at').all() as JobRow[];
  }

  jobsUsingSite(siteId: string): JobRow[] {
    return this.db.prepare('SELECT * FROM mirror_jobs WHERE source_site = ? OR dest_site = ?').all(siteId, siteId) as JobRow[];
  }

  updateJob(id: string, fields: JobFields): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const set = entries.map(([column]) => `${column} = @${column}`).join(', ');
    this.db.prepare(`UPDATE mirror_jobs SET ${set}, updated_at = @updated_at_now WHERE id = @id`).run({
      ...fields,
      id,
      updated_at_now: new Date().toISOString(),
    });
  }

  deleteJob(id: string): void {
    this.db.prepare('DELETE FROM mirror_jobs WHERE id = ?').run(id);
  }

  /** Enabled scheduled jobs whose next slot has come. */
  dueJobs(now: string): JobRow[] {
    return this.db.prepare(
      'SELECT * FROM mirror_jobs WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at',
    ).all(now) as JobRow[];
  }

  earliestNextRun(): string | null {
    return (this.db.prepare('SELECT MIN(next_run_at) AS t FROM mirror_jobs WHERE enabled = 1').get() as { t: string | null }).t;
  }

  // ---- runs -------------------------------------------------------------------------------

  /**
   * A new queued run, owned from the start when `owner` is given (the node executes it at
   * once); null when this job already has a run for `slot`.
   */
  insertRun(
    fields: Pick<RunRow, 'job_id' | 'dry_run' | 'trigger' | 'slot' | 'counts' | 'bytes'>,
    owner: RunOwner = { run_owner: null, run_expires_at: null },
  ): RunRow | null {
    const id = crypto.randomUUID();
    const result = this.db.prepare(
      `INSERT INTO mirror_runs (id, job_id, state, dry_run, trigger, slot, counts, bytes, started_at, run_owner, run_expires_at)
         VALUES (@id, @job_id, 'queued', @dry_run, @trigger, @slot, @counts, @bytes, @started_at, @run_owner, @run_expires_at)
         ON CONFLICT DO NOTHING`,
    ).run({ ...fields, ...owner, id, started_at: new Date().toISOString() });
    return result.changes > 0 ? this.run(id)! : null;
  }

  run(id: string): RunRow | undefined {
    return this.db.prepare('SELECT * FROM mirror_runs WHERE id = ?').get(id) as RunRow | undefined;
  }

  runsOf(jobId: string, limit = 100): RunRow[] {
    return this.db.prepare('SELECT * FROM mirror_runs WHERE job_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(
      jobId,
      limit,
    ) as RunRow[];
  }

  lastRun(jobId: string): RunRow | undefined {
    return this.runsOf(jobId, 1)[0];
  }

  activeRun(jobId: string): RunRow | undefined {
    return this.db.prepare(`SELECT * FROM mirror_runs WHERE job_id = ? AND state IN ('queued', 'comparing', 'syncing') LIMIT 1`).get(
      jobId,
    ) as RunRow | undefined;
  }

  /** Runs a crash (or a stop) left unfinished, oldest first. */
  unfinishedRuns(): RunRow[] {
    return this.db.prepare(`SELECT * FROM mirror_runs WHERE state IN ('queued', 'comparing', 'syncing') ORDER BY started_at`).all() as RunRow[];
  }

  updateRun(id: string, fields: RunFields): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const set = entries.map(([column]) => `${column} = @${column}`).join(', ');
    this.db.prepare(`UPDATE mirror_runs SET ${set} WHERE id = @id`).run({ ...fields, id });
  }

  /** Move a run to `to` if it is in one of `from` (default: any unfinished state); false if not. */
  changeRunState(id: string, to: RunState, fields: RunFields = {}, from: RunState[] = ACTIVE): boolean {
    const also = Object.keys(fields)
      .map((column) => `, ${column} = @${column}`)
      .join('');
    const placeholders = from.map((_, i) => `@from${i}`).join(', ');
    const result = this.db.prepare(`UPDATE mirror_runs SET state = @to${also} WHERE id = @id AND state IN (${placeholders})`).run({
      ...fields,
      ...Object.fromEntries(from.map((state, i) => [`from${i}`, state])),
      to,
      id,
    });
    return result.changes > 0;
  }

  // ---- entries ----------------------------------------------------------------------------

  /** Keep only this run's entries for the job: the lists of a run live until the next one. */
  replaceEntries(runId: string, jobId: string, entries: ComparedEntry[]): void {
    const insert = this.db.prepare(
      `INSERT INTO mirror_entries (run_id, seq, path, type, verdict, reason, source, destination)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const side = (entry: SideEntry | null) => (entry ? JSON.stringify({ size: entry.size, modifiedAt: entry.modifiedAt }) : null);
    this.atomically(() => {
      this.db.prepare('DELETE FROM mirror_entries WHERE run_id IN (SELECT id FROM mirror_runs WHERE job_id = ?)').run(jobId);
      entries.forEach((entry, i) => {
        insert.run(runId, i + 1, entry.path, entry.type, entry.verdict, entry.reason ?? null, side(entry.source), side(entry.destination));
      });
    });
  }

  entries(runId: string, options: { verdict?: Verdict; afterSeq: number; limit: number }): EntryRow[] {
    return options.verdict
      ? (this.db.prepare('SELECT * FROM mirror_entries WHERE run_id = ? AND verdict = ? AND seq > ? ORDER BY seq LIMIT ?').all(
          runId,
          options.verdict,
          options.afterSeq,
          options.limit,
        ) as EntryRow[])
      : (this.db.prepare('SELECT * FROM mirror_entries WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
          runId,
          options.afterSeq,
          options.limit,
        ) as EntryRow[]);
  }
}
