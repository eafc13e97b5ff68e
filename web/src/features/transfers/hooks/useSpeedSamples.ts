import { useSyncExternalStore } from 'react';
import { liveStore, type LiveState } from '../../../lib/live.js';
import { addSample, type SpeedSample } from '../model/sparkline.js';

/**
 * The last minute of speeds of each running transfer, sampled as the live store changes
 * (outside React, so a render stays pure); a transfer's samples go once it stops running.
 */
const samples = new Map<string, SpeedSample[]>();
const listeners = new Set<() => void>();
const EMPTY: readonly SpeedSample[] = [];
let lastSeen: LiveState['transfers'] | null = null;
let unsubscribe: (() => void) | null = null;

function record(): void {
  const transfers = liveStore.getState().transfers;
  if (transfers === lastSeen) return;
  lastSeen = transfers;
  const now = Date.now();
  for (const id of samples.keys()) if (transfers[id]?.state !== 'running') samples.delete(id);
  for (const transfer of Object.values(transfers)) {
    if (transfer.state !== 'running') continue;
    const list = samples.get(transfer.id) ?? [];
    if (list.at(-1)?.at === now) continue;
    samples.set(transfer.id, addSample(list, { at: now, bytesPerSecond: transfer.bytesPerSecond }));
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!unsubscribe) {
    unsubscribe = liveStore.subscribe(record);
    record();
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    unsubscribe?.();
    unsubscribe = null;
    lastSeen = null;
  };
}

export function useSpeedSamples(transferId: string): readonly SpeedSample[] {
  return useSyncExternalStore(subscribe, () => samples.get(transferId) ?? EMPTY);
}
