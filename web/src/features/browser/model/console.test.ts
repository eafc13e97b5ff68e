import { describe, expect, it } from 'vitest';
import { replyClass, stepHistory } from './console.js';

describe('replyClass', () => {
  it.each([
    [150, 'preliminary'],
    [200, 'ok'],
    [215, 'ok'],
    [350, 'pending'],
    [421, 'transient'],
    [550, 'permanent'],
  ] as const)('%i is %s', (code, expected) => {
    expect(replyClass(code)).toBe(expected);
  });
});

describe('stepHistory', () => {
  it('goes up from the draft to the newest line, then older, and stops at the oldest', () => {
    expect(stepHistory(3, null, 'up')).toBe(2);
    expect(stepHistory(3, 2, 'up')).toBe(1);
    expect(stepHistory(3, 0, 'up')).toBeUndefined();
  });

  it('goes down to newer lines and back to the draft, and no further', () => {
    expect(stepHistory(3, 1, 'down')).toBe(2);
    expect(stepHistory(3, 2, 'down')).toBeNull();
    expect(stepHistory(3, null, 'down')).toBeUndefined();
  });

  it('does nothing without history', () => {
    expect(stepHistory(0, null, 'up')).toBeUndefined();
  });
});
