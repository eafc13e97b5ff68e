import { describe, expect, it } from 'vitest';
import { dismissToast, pushToast, TOAST_LIMIT, type Toast } from './toasts.js';

const toast = (id: number, key = `k${id}`): Toast => ({ id, key, tone: 'info', title: `t${id}`, body: '' });

describe('toasts', () => {
  it('stack newest last and drop the oldest past the limit', () => {
    let toasts: Toast[] = [];
    for (let id = 1; id <= TOAST_LIMIT + 2; id++) toasts = pushToast(toasts, toast(id));
    expect(toasts.map((t) => t.id)).toEqual([3, 4, 5, 6]);
    expect(dismissToast(toasts, 4).map((t) => t.id)).toEqual([3, 5, 6]);
  });

  it('show one event once, however often it is reported', () => {
    const toasts = pushToast(pushToast([], toast(1, 'run:a:done')), toast(2, 'run:a:done'));
    expect(toasts.map((t) => t.id)).toEqual([2]);
  });
});
