/**
 * Waiting for a transfer to end without polling: a run in `syncing` waits here, and the
 * event bus wakes it when its transfer is done, failed, cancelled or removed.
 */
import { CancelledError } from '../ftp/cancel.js';
import type { EventBus } from '../events.js';
import type { TransferRow, TransferStore } from '../transfers/store.js';

const FINISHED_TRANSFER = new Set(['done', 'skipped', 'failed', 'cancelled']);

export class TransferWaits {
  /** Runs waiting for their transfer to end, by transfer id. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly transfers: TransferStore,
    events: EventBus,
  ) {
    events.on('event', (event) => {
      if (event.type === 'transfer.updated' && FINISHED_TRANSFER.has(event.transfer.state))
        this.wake(event.transfer.id);
      else if (event.type === 'transfer.removed') this.wake(event.id);
    });
  }

  /** Resolves with the transfer once it has ended; undefined when it is gone. */
  ended(id: string, signal: AbortSignal): Promise<TransferRow | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiters.get(id) ?? new Set<() => void>();
      const onAbort = () => {
        waiters.delete(check);
        reject(new CancelledError());
      };
      const check = () => {
        const row = this.transfers.transfer(id);
        if (row && !FINISHED_TRANSFER.has(row.state)) return;
        waiters.delete(check);
        if (waiters.size === 0) this.waiters.delete(id);
        signal.removeEventListener('abort', onAbort);
        resolve(row);
      };
      if (signal.aborted) return onAbort();
      waiters.add(check);
      this.waiters.set(id, waiters);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /**
   * Look at every awaited transfer again: in a cluster another worker may copy it, and a
   * worker hears no other node's transfer events.
   */
  recheck(): void {
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }

  private wake(transferId: string): void {
    for (const check of [...(this.waiters.get(transferId) ?? [])]) check();
  }
}
