import type { Transfer } from '../../../../../contract/index.js';

const rank: Record<Transfer['state'], number> = { running: 0, queued: 1, paused: 1, failed: 2, cancelled: 2, done: 2 };

/** Running first, then the queue in its order, then what finished, newest first. */
export function orderTransfers(transfers: Iterable<Transfer>): Transfer[] {
  return [...transfers].sort((a, b) => {
    const byRank = rank[a.state] - rank[b.state];
    if (byRank !== 0) return byRank;
    if (rank[a.state] < 2) return a.position - b.position || a.createdAt.localeCompare(b.createdAt);
    return (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt);
  });
}

export const isFinished = (transfer: Transfer) =>
  transfer.state === 'done' || transfer.state === 'failed' || transfer.state === 'cancelled';

export function summarize(transfers: Iterable<Transfer>) {
  let running = 0;
  let queued = 0;
  let finished = 0;
  let failed = 0;
  for (const transfer of transfers) {
    if (transfer.state === 'running') running += 1;
    else if (transfer.state === 'queued' || transfer.state === 'paused') queued += 1;
    else {
      finished += 1;
      if (transfer.state === 'failed') failed += 1;
    }
  }
  return { running, queued, finished, failed };
}
