import { useQuery } from '@tanstack/react-query';
import type { QueueState, Transfer, TransferFile } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore } from '../../../lib/live.js';

export type TransferAction = 'cancel' | 'retry' | 'top';

/** Each answer is the updated transfer: apply it now rather than wait for the socket's echo. */
export async function transferAction(id: string, action: TransferAction): Promise<void> {
  const transfer = await api.post<Transfer>(`/api/transfers/${seg(id)}/${action}`);
  if (transfer && typeof transfer === 'object') liveStore.applyLocal({ type: 'transfer.updated', transfer });
}

export async function clearFinished(): Promise<void> {
  await api.post('/api/transfers/clear');
  liveStore.clearFinishedTransfers();
}

export async function setQueuePaused(paused: boolean): Promise<void> {
  const queue = await api.post<QueueState>(paused ? '/api/queue/pause' : '/api/queue/resume');
  if (queue && typeof queue === 'object') liveStore.applyLocal({ type: 'queue.updated', queue });
}

/** A directory transfer's files; polled while it runs (files are not pushed over the socket). */
export function useTransferFiles(id: string, running: boolean) {
  return useQuery({
    queryKey: ['transfer-files', id],
    queryFn: ({ signal }) => api.get<TransferFile[]>(`/api/transfers/${seg(id)}/files`, signal),
    refetchInterval: running ? 2000 : false,
    staleTime: running ? 0 : 30_000,
  });
}
