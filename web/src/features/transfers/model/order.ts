import type { Transfer } from '../../../../../contract/index.js';

const rank: Record<Transfer['state'], number> = {
  running: 0,
  queued: 1,
  paused: 1,
  failed: 2,
  cancelled: 2,
  skipped: 2,
  done: 2,
};

/** Running first, then the queue in its order, then what finished, newest first. */
export function orderTransfers(transfers: Iterable<Transfer>): Transfer[] {
  return [...transfers].sort((a, b) => {
    const byRank = rank[a.state] - rank[b.state];
    if (byRank !== 0) return byRank;
    if (rank[a.state] < 2) return a.position - b.position || a.createdAt.localeCompare(b.createdAt);
    return (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt);
  });
}

export const isFinished = (transfer: Transfer) => rank[transfer.state] === 2;

/** What "Clear finished" takes out of the queue: failed rows stay unless asked, they need a look. */
export const isClearable = (transfer: Transfer, withFailed: boolean) =>
  isFinished(transfer) && (withFailed || transfer.state !== 'failed');

export function summarize(transfers: Iterable<Transfer>) {
  let running = 0;
  let queued = 0;
  let finished = 0;
  let failed = 0;
  let skipped = 0;
  for (const transfer of transfers) {
    if (transfer.state === 'running') running += 1;
    else if (transfer.state === 'queued' || transfer.state === 'paused') queued += 1;
    else {
      finished += 1;
      if (transfer.state === 'failed') failed += 1;
      if (transfer.state === 'skipped') skipped += 1;
    }
  }
  return { running, queued, finished, failed, skipped, clearable: finished - failed };
}
