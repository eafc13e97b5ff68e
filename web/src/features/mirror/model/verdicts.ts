/**
 * A compare's verdicts as the dashboard shows them: in a fixed order (what a sync copies
 * first, what it leaves alone last), with a word each and the counts and bytes of a run.
 */
import type { Run, RunState, Verdict, VerdictCounts } from '../../../../../contract/index.js';
import { formatBytes, formatDuration, plural } from '../../../lib/format.js';

export const VERDICTS: readonly Verdict[] = ['new', 'changed', 'extra', 'conflict', 'same', 'skipped'];

export const verdictLabel: Record<Verdict, string> = {
  new: 'new',
  changed: 'changed',
  extra: 'extra',
  conflict: 'conflict',
  same: 'same',
  skipped: 'skipped',
};

/** What each verdict means for a sync, for tooltips. */
export const verdictMeaning: Record<Verdict, string> = {
  new: 'Only at the source: a sync copies it',
  changed: 'Differs by the job’s rule: a sync copies it again',
  extra: 'Only at the destination: deleted only when the job deletes extras',
  conflict: 'File against folder, or a newer destination under “newer only”: left alone',
  same: 'Equal by the job’s rule: nothing to do',
  skipped: 'Left out by a skip or pass list or a size limit',
};

export interface VerdictSummary {
  verdict: Verdict;
  count: number;
  bytes: number;
}

/** One line per verdict in VERDICTS order, with zero counts kept so the bar does not jump. */
export function summarizeVerdicts(counts: VerdictCounts, bytes: VerdictCounts): VerdictSummary[] {
  return VERDICTS.map((verdict) => ({ verdict, count: counts[verdict], bytes: bytes[verdict] }));
}

export const totalEntries = (counts: VerdictCounts): number => VERDICTS.reduce((sum, verdict) => sum + counts[verdict], 0);

/** Whether the compare found nothing to copy or delete. */
export const inStep = (counts: VerdictCounts): boolean => counts.new + counts.changed + counts.extra === 0;

export const FINAL_RUN_STATES: ReadonlySet<RunState> = new Set(['done', 'failed', 'cancelled']);
export const isFinal = (run: Pick<Run, 'state'>): boolean => FINAL_RUN_STATES.has(run.state);
/** The compare is over and its entries can be read. */
export const hasEntries = (run: Pick<Run, 'state'>): boolean => run.state !== 'queued' && run.state !== 'comparing';

/** "12 new · 3 changed · 40 same": the non-zero verdicts of a run, for a table cell. */
export function countsText(counts: VerdictCounts): string {
  const parts = VERDICTS.filter((verdict) => counts[verdict] > 0).map((verdict) => `${counts[verdict]} ${verdictLabel[verdict]}`);
  return parts.length > 0 ? parts.join(' · ') : 'nothing listed';
}

export function runDuration(run: Pick<Run, 'startedAt' | 'finishedAt'>, now: number): number {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, end - Date.parse(run.startedAt));
}

/** What a run did, in one line: for the jobs table, toasts and notifications. */
export function runResultText(run: Run, now: number): string {
  const took = formatDuration(runDuration(run, now));
  switch (run.state) {
    case 'queued':
      return 'waiting to start';
    case 'comparing':
      return `comparing… ${took}`;
    case 'syncing':
      return `copying ${formatBytes(run.bytes)}… ${took}`;
    case 'cancelled':
      return `cancelled after ${took}`;
    case 'failed':
      return `failed after ${took}${run.error ? `: ${run.error.message}` : ''}`;
    case 'done': {
      if (run.dryRun) return `dry run: ${inStep(run.counts) ? 'in step' : countsText(run.counts)} (${took})`;
      const { new: added, changed } = run.counts;
      const parts = added + changed > 0 ? [`${added} new, ${changed} changed (${formatBytes(run.bytes)})`] : ['nothing to copy'];
      if (run.deleted > 0) parts.push(`${plural(run.deleted, 'extra', 'extras')} deleted`);
      return `${parts.join(', ')} in ${took}`;
    }
  }
}
