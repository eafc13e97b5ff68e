import { describe, expect, it } from 'vitest';
import { nextUnseen, titleWithCount } from './title.js';

describe('the tab title counter', () => {
  it('shows the count only when there is something unseen', () => {
    expect(titleWithCount('pasv', 0)).toBe('pasv');
    expect(titleWithCount('pasv', 1)).toBe('(1) pasv');
    expect(titleWithCount('pasv', 12)).toBe('(12) pasv');
  });

  it('counts up while the tab is elsewhere and reads all once it is focused', () => {
    let unseen = 0;
    unseen = nextUnseen(unseen, 1, false);
    unseen = nextUnseen(unseen, 2, false);
    expect(unseen).toBe(3);
    expect(nextUnseen(unseen, 1, true)).toBe(0);
  });
});
