/**
 * Cancellation: the user (or a shutdown) stopped the work. Every await of a copy, a walk or a
 * listing goes through `untilAborted`, so a silent server can hold none of them past a cancel.
 */

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/**
 * Settles like `work`, or rejects with CancelledError as soon as `signal` aborts. The work
 * itself goes on: whoever owns its session closes it (a released lease still busy is dropped).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new CancelledError());
  }
  const waiting = waitersOf(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    waiting.add(onAbort);
    work.then(
      (value) => {
        waiting.delete(onAbort);
        resolve(value);
      },
      (error: unknown) => {
        waiting.delete(onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Who waits on each signal. One listener per signal calls them all: a copy awaits a dozen
 * steps per file, and an AbortSignal listener added and removed per step (Node's EventTarget)
 * cost more than the rest of the step's own work on a tree of small files.
 */
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

function waitersOf(signal: AbortSignal): Set<() => void> {
  let waiting = waiters.get(signal);
  if (!waiting) {
    const set = new Set<() => void>();
    signal.addEventListener(
      'abort',
      () => {
        for (const onAbort of set) onAbort();
        set.clear();
      },
      { once: true },
    );
    waiters.set(signal, set);
    waiting = set;
  }
  return waiting;
}
