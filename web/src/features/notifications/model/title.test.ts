import { describe, expect, it } from 'vitest';
import { nextUnseen, nothingUnseen, runningProgress, titleFor } from './title.js';

describe('the tab title', () => {
  it('shows what ended unseen, with a mark for a failure, and the progress of what runs', () => {
    expect(titleFor('pasv', nothingUnseen, null)).toBe('pasv');
    expect(titleFor('pasv', { count: 1, failed: false }, null)).toBe('(1 ✓) pasv');
    expect(titleFor('pasv', { count: 12, failed: true }, 42)).toBe('(12 ✗) 42% · pasv');
    expect(titleFor('pasv', nothingUnseen, 0)).toBe('0% · pasv');
  });

  it('counts up while the tab is elsewhere, remembers a failure, and reads all once focused', () => {
    let unseen = nothingUnseen;
    unseen = nextUnseen(unseen, [{ tone: 'success' }], false);
    expect(unseen).toEqual({ count: 1, failed: false });
    unseen = nextUnseen(unseen, [{ tone: 'error' }, { tone: 'info' }], false);
    expect(unseen).toEqual({ count: 3, failed: true });
    unseen = nextUnseen(unseen, [{ tone: 'success' }], false);
    expect(unseen.failed).toBe(true);
    expect(nextUnseen(unseen, [{ tone: 'success' }], true)).toEqual(nothingUnseen);
  });

  it('sums the bytes of running transfers only', () => {
    expect(runningProgress([])).toBeNull();
    expect(runningProgress([{ state: 'done', bytesDone: 10, bytesTotal: 10 }])).toBeNull();
    expect(
      runningProgress([
        { state: 'running', bytesDone: 30, bytesTotal: 100 },
        { state: 'running', bytesDone: 15, bytesTotal: 100 },
        { state: 'queued', bytesDone: 0, bytesTotal: 1000 },
      ]),
    ).toBe(22);
    expect(runningProgress([{ state: 'running', bytesDone: 0, bytesTotal: 0 }])).toBe(0);
  });
});
