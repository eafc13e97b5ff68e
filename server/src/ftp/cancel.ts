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
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
