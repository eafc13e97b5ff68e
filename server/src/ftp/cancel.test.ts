import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CancelledError, untilAborted } from './cancel.js';

describe('untilAborted', () => {
  it('settles as the work does while the signal stays quiet', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('550 gone')), controller.signal)).rejects.toThrow('550 gone');
  });

  it('rejects every step still waiting when the signal aborts, and no step that has settled', async () => {
    const controller = new AbortController();
    const settled = untilAborted(Promise.resolve('done'), controller.signal);
    await settled;
    const never = new Promise<never>(() => undefined);
    const waiting = [untilAborted(never, controller.signal), untilAborted(never, controller.signal)];
    controller.abort();
    for (const step of waiting) await expect(step).rejects.toBeInstanceOf(CancelledError);
    await expect(settled).resolves.toBe('done');
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('listens on a signal once, however many steps await on it', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 100; i++) await untilAborted(Promise.resolve(i), controller.signal);
    const pending = untilAborted(new Promise<never>(() => undefined), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });
});
