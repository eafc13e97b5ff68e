import { describe, expect, it } from 'vitest';
import { emptyTypeAhead, isTypeAheadKey, typeAheadKey, typeAheadMatch, TYPEAHEAD_RESET_MS } from './typeahead.js';

const names = ['alpha', 'beta', 'betamax', 'Delta', 'docs', 'dump.bin'];

describe('type-ahead', () => {
  it('builds a prefix from keys typed quickly and starts over after a pause', () => {
    let state = typeAheadKey(emptyTypeAhead, 'B', 1000);
    state = typeAheadKey(state, 'e', 1000 + 200);
    expect(state.prefix).toBe('be');
    state = typeAheadKey(state, 'd', 1200 + TYPEAHEAD_RESET_MS + 1);
    expect(state.prefix).toBe('d');
  });

  it('jumps to the first name with the prefix, case-insensitively', () => {
    expect(typeAheadMatch(names, 'betam', 0)).toBe(2);
    expect(typeAheadMatch(names, 'del', -1)).toBe(3);
    expect(typeAheadMatch(names, 'zzz', 0)).toBe(-1);
    expect(typeAheadMatch([], 'a', -1)).toBe(-1);
  });

  it('stays on the cursor while a longer prefix still matches it', () => {
    expect(typeAheadMatch(names, 'be', 1)).toBe(1);
    expect(typeAheadMatch(names, 'bet', 1)).toBe(1);
  });

  it('cycles through names with the same letter when one letter is pressed again', () => {
    expect(typeAheadMatch(names, 'd', -1)).toBe(3);
    expect(typeAheadMatch(names, 'd', 3)).toBe(4);
    expect(typeAheadMatch(names, 'dd', 4)).toBe(5);
    expect(typeAheadMatch(names, 'ddd', 5)).toBe(3);
  });

  it('takes printable keys only, not shortcuts or the help key', () => {
    expect(isTypeAheadKey({ key: 'a', ctrlKey: false, altKey: false, metaKey: false })).toBe(true);
    expect(isTypeAheadKey({ key: 'a', ctrlKey: true, altKey: false, metaKey: false })).toBe(false);
    expect(isTypeAheadKey({ key: 'ArrowDown', ctrlKey: false, altKey: false, metaKey: false })).toBe(false);
    expect(isTypeAheadKey({ key: '?', ctrlKey: false, altKey: false, metaKey: false })).toBe(false);
    expect(isTypeAheadKey({ key: ' ', ctrlKey: false, altKey: false, metaKey: false })).toBe(false);
  });
});
