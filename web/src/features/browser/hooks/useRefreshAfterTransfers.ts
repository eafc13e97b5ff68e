import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Transfer } from '../../../../../contract/index.js';
import { liveStore } from '../../../lib/live.js';
import { listingKey } from '../api/browser.js';

/** When a transfer finishes, the folder it landed in has changed: refetch that listing. */
export function useRefreshAfterTransfers() {
  const client = useQueryClient();
  useEffect(() => {
    let known = new Map<string, Transfer['state']>();
    let primed = false;
    const check = () => {
      const { transfers, awaitingSnapshot } = liveStore.getState();
      if (awaitingSnapshot) return;
      const next = new Map<string, Transfer['state']>();
      for (const transfer of Object.values(transfers)) {
        next.set(transfer.id, transfer.state);
        const before = known.get(transfer.id);
        const ended = transfer.state === 'done' || (transfer.state === 'failed' && transfer.filesDone > 0);
        if (primed && ended && before !== transfer.state) {
          void client.invalidateQueries({
            queryKey: listingKey(transfer.destination.siteId, transfer.destination.dir),
          });
        }
      }
      known = next;
      primed = true;
    };
    check();
    return liveStore.subscribe(check);
  }, [client]);
}
