import type { Notice } from './notices.js';

export interface Toast extends Notice {
  id: number;
}

/** At most this many toasts stack up; the oldest goes first. */
export const TOAST_LIMIT = 4;

/** The toasts on screen, newest last; pure so the stacking rules are tested without a DOM. */
export function pushToast(toasts: readonly Toast[], toast: Toast): Toast[] {
  const others = toasts.filter((known) => known.key !== toast.key);
  return [...others, toast].slice(-TOAST_LIMIT);
}

export const dismissToast = (toasts: readonly Toast[], id: number): Toast[] => toasts.filter((toast) => toast.id !== id);
