import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { liveStore, useLive } from '../../../lib/live.js';
import { detectNotices, noSightings, type DescribeRun, type Notice } from '../model/notices.js';
import { nextUnseen, nothingUnseen, runningProgress, titleFor, type Unseen } from '../model/title.js';
import { dismissToast, pushToast, type Toast } from '../model/toasts.js';

const STORAGE_KEY = 'pasv.notify';
const listeners = new Set<() => void>();

function wantsBrowserNotifications(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'on' && typeof Notification === 'function' && Notification.permission === 'granted';
  } catch {
    return false;
  }
}

function subscribeChoice(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setChoice(on: boolean): void {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  for (const listener of listeners) listener();
}

/** The "also tell me when the tab is hidden" switch: turning it on asks the browser's permission. */
export function useBrowserNotificationsChoice() {
  const enabled = useSyncExternalStore(subscribeChoice, wantsBrowserNotifications);
  const supported = typeof Notification === 'function';
  const denied = supported && Notification.permission === 'denied';
  const toggle = useCallback(async () => {
    if (!supported) return;
    if (wantsBrowserNotifications()) return setChoice(false);
    const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    setChoice(permission === 'granted');
  }, [supported]);
  return { enabled, supported, denied, toggle };
}

const focused = () => typeof document.hasFocus === 'function' && document.hasFocus() && document.visibilityState === 'visible';

/**
 * Tells about runs that ended and transfers that finished, were skipped or failed: a toast on
 * the page, the count (✗ if one failed) in the tab title until the tab is focused, the
 * progress of running transfers there too, and a browser notification while it is hidden
 * (when the user asked for them). Mount once; `describeRun` words a run's result.
 */
export function useNotices(describeRun: DescribeRun) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [unseen, setUnseen] = useState<Unseen>(nothingUnseen);
  const progress = useLive((state) => runningProgress(Object.values(state.transfers)));

  useEffect(() => {
    let seen = noSightings;
    let nextId = 1;
    const tell = (notice: Notice) => {
      setToasts((current) => pushToast(current, { ...notice, id: nextId++ }));
      if (document.visibilityState === 'hidden' && wantsBrowserNotifications()) {
        new Notification(notice.title, { body: notice.body, tag: notice.key });
      }
    };
    const check = () => {
      const result = detectNotices(seen, liveStore.getState(), describeRun);
      seen = result.seen;
      if (result.notices.length === 0) return;
      result.notices.forEach(tell);
      setUnseen((current) => nextUnseen(current, result.notices, focused()));
    };
    check();
    return liveStore.subscribe(check);
  }, [describeRun]);

  useEffect(() => {
    const read = () => focused() && setUnseen(nothingUnseen);
    window.addEventListener('focus', read);
    document.addEventListener('visibilitychange', read);
    return () => {
      window.removeEventListener('focus', read);
      document.removeEventListener('visibilitychange', read);
    };
  }, []);

  useEffect(() => {
    document.title = titleFor('pasv', unseen, progress);
  }, [unseen, progress]);

  const dismiss = useCallback((id: number) => setToasts((current) => dismissToast(current, id)), []);
  return { toasts, dismiss };
}
