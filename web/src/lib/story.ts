import { useSyncExternalStore } from 'react';

/**
 * Which transfer's story is open: the queue's rows open it, the dashboard shows it (the trace
 * feature's dialog), neither feature importing the other.
 */
let openId: string | null = null;
const listeners = new Set<() => void>();

function set(id: string | null): void {
  openId = id;
  for (const listener of listeners) listener();
}

export const openStory = (transferId: string) => set(transferId);
export const closeStory = () => set(null);

export function useOpenStory(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => openId,
  );
}
