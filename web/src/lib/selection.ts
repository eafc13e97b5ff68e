/**
 * Multi-select in a list of rows (a file pane, the compare view), as file managers do it:
 * click selects one, Ctrl/Cmd-click toggles, Shift-click selects the range from the anchor,
 * arrows move the cursor. Pure functions over the visible order of unique names (a
 * directory's names, a compare's paths), so sorting or filtering keeps what is selected.
 */

export interface PaneSelection {
  readonly selected: ReadonlySet<string>;
  /** Where a Shift range starts: the last item clicked or toggled without Shift. */
  readonly anchor: string | null;
  /** The keyboard focus (the row arrows move from). */
  readonly cursor: string | null;
}

export interface Modifiers {
  shift?: boolean;
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  toggle?: boolean;
}

export const emptySelection: PaneSelection = { selected: new Set(), anchor: null, cursor: null };

function range(names: readonly string[], from: number, to: number): string[] {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  return names.slice(lo, hi + 1);
}

function anchorIndex(selection: PaneSelection, names: readonly string[], fallback: number): number {
  const index = selection.anchor === null ? -1 : names.indexOf(selection.anchor);
  return index === -1 ? fallback : index;
}

export function clickSelect(
  selection: PaneSelection,
  names: readonly string[],
  index: number,
  modifiers: Modifiers = {},
): PaneSelection {
  const name = names[index];
  if (name === undefined) return selection;
  if (modifiers.shift) {
    const from = anchorIndex(selection, names, index);
    const picked = range(names, from, index);
    const selected = modifiers.toggle ? new Set([...selection.selected, ...picked]) : new Set(picked);
    return { selected, anchor: names[from] ?? name, cursor: name };
  }
  if (modifiers.toggle) {
    const selected = new Set(selection.selected);
    if (selected.has(name)) selected.delete(name);
    else selected.add(name);
    return { selected, anchor: name, cursor: name };
  }
  return { selected: new Set([name]), anchor: name, cursor: name };
}

export type CursorMove = number | 'home' | 'end';

export function moveCursor(
  selection: PaneSelection,
  names: readonly string[],
  move: CursorMove,
  modifiers: Modifiers = {},
): PaneSelection {
  if (names.length === 0) return selection;
  const current = selection.cursor === null ? -1 : names.indexOf(selection.cursor);
  let target: number;
  if (move === 'home') target = 0;
  else if (move === 'end') target = names.length - 1;
  else if (current === -1) target = move > 0 ? 0 : names.length - 1;
  else target = Math.min(names.length - 1, Math.max(0, current + move));
  const name = names[target]!;

  if (modifiers.shift) {
    const from = anchorIndex(selection, names, current === -1 ? target : current);
    return { selected: new Set(range(names, from, target)), anchor: names[from]!, cursor: name };
  }
  if (modifiers.toggle) return { ...selection, cursor: name };
  return { selected: new Set([name]), anchor: name, cursor: name };
}

/** Space: flip the row under the cursor (the first row when there is no cursor yet). */
export function toggleCursor(selection: PaneSelection, names: readonly string[]): PaneSelection {
  const name = selection.cursor !== null && names.includes(selection.cursor) ? selection.cursor : names[0];
  if (name === undefined) return selection;
  const selected = new Set(selection.selected);
  if (selected.has(name)) selected.delete(name);
  else selected.add(name);
  return { selected, anchor: name, cursor: name };
}

export function selectAll(selection: PaneSelection, names: readonly string[]): PaneSelection {
  return { selected: new Set(names), anchor: selection.anchor ?? names[0] ?? null, cursor: selection.cursor ?? names[0] ?? null };
}

/**
 * Drop what is no longer visible (after a refresh, a delete or a filter) so actions never
 * act on rows the user cannot see. Returns the same object when nothing changed.
 */
export function pruneSelection(selection: PaneSelection, names: readonly string[]): PaneSelection {
  const visible = new Set(names);
  let changed = false;
  const selected = new Set<string>();
  for (const name of selection.selected) {
    if (visible.has(name)) selected.add(name);
    else changed = true;
  }
  const cursor = selection.cursor !== null && visible.has(selection.cursor) ? selection.cursor : null;
  const anchor = selection.anchor !== null && visible.has(selection.anchor) ? selection.anchor : null;
  if (!changed && cursor === selection.cursor && anchor === selection.anchor) return selection;
  return { selected, anchor, cursor };
}

/** The selected names in the order they are shown. */
export function selectedInOrder(selection: PaneSelection, names: readonly string[]): string[] {
  if (selection.selected.size === 0) return [];
  return names.filter((name) => selection.selected.has(name));
}
