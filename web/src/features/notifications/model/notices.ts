/**
 * Which changes in the live store deserve telling the user: a mirror run that ended, a
 * transfer that finished, was skipped or failed. Pure: the previous sighting of each run and transfer in, the new
 * notices out, so a state seen again (a snapshot after a reconnect, an HTTP echo) never
 * tells twice, and what was already over when the page loaded is not news.
 */
import type { Run, RunState, Transfer } from '../../../../../contract/index.js';
import { formatBytes, formatDuration } from '../../../lib/format.js';
import type { LiveState } from '../../../lib/live.js';

export type NoticeTone = 'success' | 'error' | 'info';

export interface Notice {
  /** Stable per event: the same run ending is one notice, whoever reports it. */
  key: string;
  tone: NoticeTone;
  title: string;
  body: string;
}

export interface Sightings {
  runs: ReadonlyMap<string, RunState>;
  transfers: ReadonlyMap<string, Transfer['state']>;
  /** Transfers are known from the first snapshot on: before it, everything would look new. */
  primed: boolean;
}

export const noSightings: Sightings = { runs: new Map(), transfers: new Map(), primed: false };

const FINAL_RUN: ReadonlySet<RunState> = new Set(['done', 'failed', 'cancelled']);

export type DescribeRun = (run: Run) => string;

function runNotice(run: Run, jobName: string, describe: DescribeRun): Notice {
  const what = run.dryRun ? 'dry run' : run.trigger === 'schedule' ? 'scheduled run' : 'run';
  const ended = run.state === 'done' ? 'finished' : run.state;
  return {
    key: `run:${run.id}:${run.state}`,
    tone: run.state === 'failed' ? 'error' : run.state === 'done' ? 'success' : 'info',
    title: `${jobName}: ${what} ${ended}`,
    body: describe(run),
  };
}

/** The transfer states told as they are reached: its end. */
const TOLD: ReadonlySet<Transfer['state']> = new Set(['done', 'skipped', 'failed']);

function transferNotice(transfer: Transfer): Notice {
  if (transfer.state === 'done') {
    const took =
      transfer.startedAt && transfer.finishedAt
        ? ` in ${formatDuration(Date.parse(transfer.finishedAt) - Date.parse(transfer.startedAt))}`
        : '';
    const files = transfer.kind === 'dir' ? `${transfer.filesDone} files, ` : '';
    const skipped = transfer.filesSkipped > 0 ? ` · ${transfer.filesSkipped} skipped` : '';
    return {
      key: `transfer:${transfer.id}:done`,
      tone: 'success',
      title: `Transfer finished: ${transfer.name}`,
      body: `${files}${formatBytes(transfer.bytesDone)}${took}${transfer.verified ? ` · ${transfer.verified} ✓` : ''}${skipped}`,
    };
  }
  if (transfer.state === 'skipped') {
    return {
      key: `transfer:${transfer.id}:skipped`,
      tone: 'info',
      title: `Transfer skipped: ${transfer.name}`,
      body: 'The destination already has it: nothing was copied.',
    };
  }
  return {
    key: `transfer:${transfer.id}:failed`,
    tone: 'error',
    title: `Transfer failed: ${transfer.name}`,
    body: transfer.error
      ? transfer.error.message
      : `${transfer.filesFailed} of ${transfer.filesTotal} files failed`,
  };
}

type Watched = Pick<LiveState, 'runs' | 'transfers' | 'jobs' | 'awaitingSnapshot'>;

export function detectNotices(
  seen: Sightings,
  state: Watched,
  describe: DescribeRun,
): { seen: Sightings; notices: Notice[] } {
  const notices: Notice[] = [];
  const runs = new Map(seen.runs);
  // Runs reach the store only through run.updated, never a snapshot: each final state seen
  // for the first time is an end that just happened.
  for (const run of Object.values(state.runs)) {
    const before = runs.get(run.id);
    if (FINAL_RUN.has(run.state) && before !== run.state) {
      const jobName = run.jobName ?? state.jobs[run.jobId]?.name ?? 'Mirror job';
      notices.push(runNotice(run, jobName, describe));
    }
    runs.set(run.id, run.state);
  }
  if (state.awaitingSnapshot) return { seen: { ...seen, runs }, notices };

  // A run's own transfer ending is told by the run's end.
  const ofRuns = new Set(Object.values(state.runs).flatMap((run) => (run.transferId ? [run.transferId] : [])));
  const transfers = new Map<string, Transfer['state']>();
  for (const transfer of Object.values(state.transfers)) {
    const before = seen.transfers.get(transfer.id);
    if (seen.primed && TOLD.has(transfer.state) && before !== transfer.state && !ofRuns.has(transfer.id))
      notices.push(transferNotice(transfer));
    transfers.set(transfer.id, transfer.state);
  }
  return { seen: { runs, transfers, primed: true }, notices };
}
