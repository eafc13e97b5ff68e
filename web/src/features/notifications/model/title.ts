import type { Transfer } from '../../../../../contract/index.js';
import type { NoticeTone } from './notices.js';

export interface Unseen {
  count: number;
  /** Whether one of them was a failure: the title then says ✗ rather than ✓. */
  failed: boolean;
}

export const nothingUnseen: Unseen = { count: 0, failed: false };

/**
 * The tab title: what ended while the user looked elsewhere ("(2 ✗)"), and how far what runs
 * has got ("42% ·"), so a glance at the tab strip tells both: "(2 ✓) 42% · pasv".
 */
export function titleFor(base: string, unseen: Unseen, progress: number | null): string {
  const mark = unseen.count > 0 ? `(${unseen.count} ${unseen.failed ? '✗' : '✓'}) ` : '';
  const running = progress === null ? '' : `${progress}% · `;
  return `${mark}${running}${base}`;
}

/** Notices count as unseen only while the tab is not focused; focusing it reads them all. */
export function nextUnseen(unseen: Unseen, arrived: readonly { tone: NoticeTone }[], focused: boolean): Unseen {
  if (focused) return nothingUnseen;
  return {
    count: unseen.count + arrived.length,
    failed: unseen.failed || arrived.some((notice) => notice.tone === 'error'),
  };
}

/** How far the running transfers have got together, a whole percentage; null when none runs. */
export function runningProgress(
  transfers: Iterable<Pick<Transfer, 'state' | 'bytesDone' | 'bytesTotal'>>,
): number | null {
  let done = 0;
  let total = 0;
  let running = false;
  for (const transfer of transfers) {
    if (transfer.state !== 'running') continue;
    running = true;
    done += transfer.bytesDone;
    total += transfer.bytesTotal;
  }
  if (!running) return null;
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}
