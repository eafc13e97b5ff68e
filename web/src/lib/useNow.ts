import { useCallback, useSyncExternalStore } from 'react';

/**
 * The current time in steps of `everyMs`, ticking while `active`: for "for 12 s" and
 * countdowns. The clock is an external store, so a tab that becomes active reads the time
 * at once instead of showing the time it was last rendered at.
 */
export function useNow(everyMs = 1000, active = true): number {
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (!active) return () => undefined;
      const timer = setInterval(onTick, everyMs);
      return () => clearInterval(timer);
    },
    [everyMs, active],
  );
  // Rounded to the step so that reads between two ticks agree, as useSyncExternalStore needs.
  const read = useCallback(() => Math.floor(Date.now() / everyMs) * everyMs, [everyMs]);
  return useSyncExternalStore(subscribe, read);
}
