import { describe, it, expect } from 'vitest';
import {
  clickSelect,
  emptySelection,
  moveCursor,
  pruneSelection,
  selectAll,
  selectedInOrder,
  toggleCursor,
  type PaneSelection,
} from './selection.js';

const names = ['a', 'b', 'c', 'd', 'e', 'f'];
const sel = (s: PaneSelection) => [...s.selected].sort();

describe('clickSelect', () => {
  it('a plain click selects only that row and sets the anchor', () => {
    const s = clickSelect(clickSelect(emptySelection, names, 1), names, 3);
    expect(sel(s)).toEqual(['d']);
    expect(s.anchor).toBe('d');
    expect(s.cursor).toBe('d');
  });

  it('shift-click selects the range from the anchor, either direction', () => {
    const down = clickSelect(clickSelect(emptySelection, names, 1), names, 4, { shift: true });
    expect(sel(down)).toEqual(['b', 'c', 'd', 'e']);
    const up = clickSelect(down, names, 0, { shift: true });
    expect(sel(up)).toEqual(['a', 'b']);
    expect(up.anchor).toBe('b');
  });

  it('shift-click without an anchor selects just the row', () => {
    expect(sel(clickSelect(emptySelection, names, 2, { shift: true }))).toEqual(['c']);
  });

  it('ctrl-click toggles and moves the anchor', () => {
    let s = clickSelect(emptySelection, names, 0);
    s = clickSelect(s, names, 2, { toggle: true });
    s = clickSelect(s, names, 4, { toggle: true });
    expect(sel(s)).toEqual(['a', 'c', 'e']);
    s = clickSelect(s, names, 2, { toggle: true });
    expect(sel(s)).toEqual(['a', 'e']);
    expect(s.anchor).toBe('c');
  });

  it('ctrl+shift-click adds a range to the selection', () => {
    let s = clickSelect(emptySelection, names, 0);
    s = clickSelect(s, names, 3, { toggle: true });
    s = clickSelect(s, names, 5, { toggle: true, shift: true });
    expect(sel(s)).toEqual(['a', 'd', 'e', 'f']);
  });

  it('ignores a click outside the list', () => {
    expect(clickSelect(emptySelection, names, 99)).toBe(emptySelection);
  });
});

describe('moveCursor', () => {
  it('arrows start at the first (down) or last (up) row', () => {
    expect(moveCursor(emptySelection, names, 1).cursor).toBe('a');
    expect(moveCursor(emptySelection, names, -1).cursor).toBe('f');
  });

  it('plain arrows move and select the single row, clamped at the ends', () => {
    let s = clickSelect(emptySelection, names, 4);
    s = moveCursor(s, names, 1);
    expect(sel(s)).toEqual(['f']);
    s = moveCursor(s, names, 1);
    expect(s.cursor).toBe('f');
    s = moveCursor(s, names, -10);
    expect(sel(s)).toEqual(['a']);
  });

  it('shift+arrows extend from the anchor and shrink back', () => {
    let s = clickSelect(emptySelection, names, 2);
    s = moveCursor(s, names, 1, { shift: true });
    s = moveCursor(s, names, 1, { shift: true });
    expect(sel(s)).toEqual(['c', 'd', 'e']);
    s = moveCursor(s, names, -3, { shift: true });
    expect(sel(s)).toEqual(['b', 'c']);
    expect(s.anchor).toBe('c');
  });

  it('ctrl+arrows move the cursor only, so Space can pick scattered rows', () => {
    let s = clickSelect(emptySelection, names, 0);
    s = moveCursor(s, names, 2, { toggle: true });
    expect(sel(s)).toEqual(['a']);
    expect(s.cursor).toBe('c');
    s = toggleCursor(s, names);
    expect(sel(s)).toEqual(['a', 'c']);
    s = toggleCursor(s, names);
    expect(sel(s)).toEqual(['a']);
  });

  it('home and end jump', () => {
    const s = clickSelect(emptySelection, names, 2);
    expect(moveCursor(s, names, 'end', { shift: true }).selected.size).toBe(4);
    expect(moveCursor(s, names, 'home').cursor).toBe('a');
  });

  it('does nothing on an empty list', () => {
    expect(moveCursor(emptySelection, [], 1)).toBe(emptySelection);
  });
});

describe('selectAll, prune and order', () => {
  it('selects every visible row', () => {
    expect(selectAll(emptySelection, names).selected.size).toBe(6);
  });

  it('prunes rows that disappeared and keeps identity when nothing did', () => {
    const s = clickSelect(clickSelect(emptySelection, names, 1), names, 3, { shift: true });
    expect(pruneSelection(s, names)).toBe(s);
    const pruned = pruneSelection(s, ['a', 'b', 'd']);
    expect(sel(pruned)).toEqual(['b', 'd']);
    expect(pruned.cursor).toBe('d');
    expect(pruned.anchor).toBe('b');
    expect(pruneSelection(s, ['x']).cursor).toBeNull();
  });

  it('lists the selection in display order', () => {
    let s = clickSelect(emptySelection, names, 4);
    s = clickSelect(s, names, 1, { toggle: true });
    expect(selectedInOrder(s, names)).toEqual(['b', 'e']);
    expect(selectedInOrder(s, ['e', 'b'])).toEqual(['e', 'b']);
  });
});
