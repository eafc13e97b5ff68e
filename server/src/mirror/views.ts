/**
 * The public view of jobs, runs and entries (contract DTOs) from their rows. A webhook's
 * secret never leaves the row: the view says only whether there is one.
 */
import type { Job, MirrorRules, MirrorSchedule, Run, RunEntry, VerdictCounts } from '../../../contract/index.js';
import { emptyCounts } from './compare.js';
import { describeSchedule } from './schedule.js';
import type { EntryRow, JobRow, RunRow } from './store.js';

export function parseCounts(json: string): VerdictCounts {
  return { ...emptyCounts(), ...(JSON.parse(json) as Partial<VerdictCounts>) };
}

export function toRun(row: RunRow, jobName?: string): Run {
  const bytesByVerdict = parseCounts(row.bytes);
  return {
    id: row.id,
    jobId: row.job_id,
    ...(jobName !== undefined ? { jobName } : {}),
    state: row.state,
    dryRun: row.dry_run === 1,
    trigger: row.trigger,
    ...(row.slot ? { slot: row.slot } : {}),
    ...(row.paths ? { paths: JSON.parse(row.paths) as string[] } : {}),
    counts: parseCounts(row.counts),
    bytes: row.planned_bytes ?? bytesByVerdict.new + bytesByVerdict.changed,
    bytesByVerdict,
    deleted: row.deleted,
    ...(row.transfer_id ? { transferId: row.transfer_id } : {}),
    notes: JSON.parse(row.notes) as string[],
    ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
    startedAt: row.started_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
  };
}

export function jobRules(row: JobRow): MirrorRules {
  return JSON.parse(row.rules) as MirrorRules;
}

export function jobSchedule(row: JobRow): MirrorSchedule | null {
  return row.schedule ? (JSON.parse(row.schedule) as MirrorSchedule) : null;
}

export function toJob(row: JobRow, lastRun: RunRow | undefined): Job {
  const schedule = jobSchedule(row);
  return {
    id: row.id,
    name: row.name,
    source: { siteId: row.source_site, dir: row.source_dir },
    destination: { siteId: row.dest_site, dir: row.dest_dir },
    rules: jobRules(row),
    schedule,
    schedulePreview: describeSchedule(schedule),
    webhook: row.webhook_url ? { url: row.webhook_url, hasSecret: row.webhook_secret_enc !== null } : null,
    enabled: row.enabled === 1,
    ...(row.disabled_reason ? { disabledReason: row.disabled_reason } : {}),
    nextRunAt: row.next_run_at,
    ...(lastRun ? { lastRun: toRun(lastRun, row.name) } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toEntry(row: EntryRow): RunEntry {
  return {
    path: row.path,
    type: row.type,
    verdict: row.verdict,
    ...(row.reason ? { reason: row.reason } : {}),
    source: row.source ? (JSON.parse(row.source) as RunEntry['source']) : null,
    destination: row.destination ? (JSON.parse(row.destination) as RunEntry['destination']) : null,
  };
}
