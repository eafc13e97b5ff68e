/**
 * Case j's dispatch figures from the transfers' own start and finish times (as the worker nodes
 * wrote them to PostgreSQL): how fast the cluster took queued transfers and finished them.
 * The clock starts at the first start, not at a worker's launch: node start-up is not dispatch.
 */

export interface TransferTimes {
  /** Epoch ms; null while it never started. */
  startedAt: number | null;
  /** Epoch ms of reaching done; null while it is not done. */
  finishedAt: number | null;
}

export interface Throughput {
  total: number;
  started: number;
  done: number;
  /** From the first start to the last start, when every transfer started. */
  allStartedMs: number | null;
  /** From the first start to the last finish, when every transfer is done. */
  allDoneMs: number | null;
  /** Transfers started per second, first start → last start. */
  startedPerSecond: number;
  /** Transfers done per second, first start → last finish. */
  donePerSecond: number;
  /** Done per second between the 10th and the 90th percentile finish: no ramp-up, no tail. */
  steadyDonePerSecond: number;
}

/**
 * Events per second between the `from` and `to` quantiles of their times: the count between
 * the two over the time between them. NaN with fewer than two events or no time between them.
 */
export function rateBetween(times: number[], from = 0.1, to = 0.9): number {
  if (times.length < 2) return Number.NaN;
  const sorted = [...times].sort((a, b) => a - b);
  const last = sorted.length - 1;
  const [i, j] = [Math.round(from * last), Math.round(to * last)];
  const span = sorted[j]! - sorted[i]!;
  return span > 0 ? ((j - i) * 1000) / span : Number.NaN;
}

export function throughput(transfers: TransferTimes[]): Throughput {
  const starts = transfers.flatMap((t) => (t.startedAt === null ? [] : [t.startedAt]));
  const finishes = transfers.flatMap((t) => (t.finishedAt === null ? [] : [t.finishedAt]));
  const first = starts.length > 0 ? Math.min(...starts) : Number.NaN;
  const lastStart = starts.length > 0 ? Math.max(...starts) : Number.NaN;
  const lastFinish = finishes.length > 0 ? Math.max(...finishes) : Number.NaN;
  const perSecond = (count: number, ms: number) => (ms > 0 ? (count * 1000) / ms : Number.NaN);
  const total = transfers.length;
  return {
    total,
    started: starts.length,
    done: finishes.length,
    allStartedMs: starts.length === total && total > 0 ? lastStart - first : null,
    allDoneMs: finishes.length === total && total > 0 ? lastFinish - first : null,
    startedPerSecond: perSecond(starts.length, lastStart - first),
    donePerSecond: perSecond(finishes.length, lastFinish - first),
    steadyDonePerSecond: rateBetween(finishes),
  };
}
