import { useInfiniteQuery } from '@tanstack/react-query';
import type { HistoryPage, QueueState, Transfer, TransferFilesPage } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore } from '../../../lib/live.js';

export type TransferAction = 'cancel' | 'retry' | 'top' | 'resume';

/** Each answer is the updated transfer: apply it now rather than wait for the socket's echo. */
export async function transferAction(id: string, action: TransferAction): Promise<void> {
  // A transfer paused by its destination (out of space) is resumed with the queue, which resumes every such destination.
  if (action === 'resume') return setQueuePaused(false);
  const transfer = await api.post<Transfer>(`/api/transfers/${seg(id)}/${action}`);
  if (transfer && typeof transfer === 'object') liveStore.applyLocal({ type: 'transfer.updated', transfer });
}

/** Take finished rows out of the queue (History keeps them); failed ones only `withFailed`. */
export async function clearFinished(withFailed: boolean): Promise<void> {
  await api.post(`/api/transfers/clear${withFailed ? '?failed=true' : ''}`);
  liveStore.clearFinishedTransfers(withFailed);
}

export async function setQueuePaused(paused: boolean): Promise<void> {
  const queue = await api.post<QueueState>(paused ? '/api/queue/pause' : '/api/queue/resume');
  if (queue && typeof queue === 'object') liveStore.applyLocal({ type: 'queue.updated', queue });
}

const FILES_PAGE = 500;

/**
 * A directory transfer's files, a page at a time as the list scrolls; polled while it runs
 * (files are not pushed over the socket). A poll refetches every page loaded so far, so the
 * interval grows with them: about five page requests a second at most, however far the
 * user scrolled into a 100 000-file tree.
 */
export function useTransferFiles(id: string, running: boolean) {
  return useInfiniteQuery({
    queryKey: ['transfer-files', id],
    queryFn: ({ pageParam, signal }) => {
      const query = new URLSearchParams({ limit: String(FILES_PAGE) });
      if (pageParam) query.set('cursor', pageParam);
      return api.get<TransferFilesPage>(`/api/transfers/${seg(id)}/files?${query}`, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: (query) => (running ? Math.max(2000, (query.state.data?.pages.length ?? 1) * 200) : false),
    staleTime: running ? 0 : 30_000,
  });
}

const HISTORY_PAGE = 50;

/**
 * Finished transfers, newest first, a page at a time; `q` filters by name or path. Refetched
 * when a transfer ends (a finished row is news to History) by the caller's invalidation.
 */
export function useHistory(q: string) {
  return useInfiniteQuery({
    queryKey: historyKey(q),
    queryFn: ({ pageParam, signal }) => {
      const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
      if (q) query.set('q', q);
      if (pageParam) query.set('cursor', pageParam);
      return api.get<HistoryPage>(`/api/history?${query}`, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export const historyKey = (q?: string) => (q === undefined ? ['history'] : ['history', q]);
