import type { Run } from '../../../../../contract/index.js';

const stateWord: Record<Run['state'], string> = {
  queued: 'queued',
  comparing: 'comparing',
  syncing: 'syncing',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A run's state in the queue's badge colours; "dry run" beside it when nothing was to be copied. */
export function RunBadge({ run }: { run: Run }) {
  const tone = run.state === 'comparing' || run.state === 'syncing' ? 'running' : run.state;
  return (
    <span className="run-badge">
      <span className={`state-badge state-${tone}`}>{stateWord[run.state]}</span>
      {run.dryRun && <span className="state-badge">dry run</span>}
    </span>
  );
}
