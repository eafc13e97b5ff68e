import { useEffect, useReducer } from 'react';
import { emptySelection, type PaneSelection } from '../../../lib/selection.js';
import type { SortKey, SortOrder } from '../model/entries.js';

export type PaneId = 'left' | 'right';

export interface PaneState {
  siteId: string | null;
  path: string;
  sort: SortOrder;
  filter: string;
  selection: PaneSelection;
  /** Where each site was last left, so switching back returns there. */
  lastPaths: Record<string, string>;
}

export type PaneAction =
  | { type: 'site'; siteId: string | null }
  | { type: 'navigate'; path: string; focus?: string }
  | { type: 'sort'; key: SortKey }
  | { type: 'filter'; text: string }
  | { type: 'select'; selection: PaneSelection };

export function paneReducer(state: PaneState, action: PaneAction): PaneState {
  switch (action.type) {
    case 'site': {
      if (action.siteId === state.siteId) return state;
      const lastPaths = state.siteId ? { ...state.lastPaths, [state.siteId]: state.path } : state.lastPaths;
      const path = (action.siteId && lastPaths[action.siteId]) || '/';
      return { ...state, siteId: action.siteId, path, filter: '', selection: emptySelection, lastPaths };
    }
    case 'navigate': {
      const focus = action.focus ?? null;
      const selection: PaneSelection = focus ? { selected: new Set(), anchor: focus, cursor: focus } : emptySelection;
      return { ...state, path: action.path, filter: '', selection };
    }
    case 'sort': {
      const dir = state.sort.key === action.key && state.sort.dir === 'asc' ? 'desc' : 'asc';
      return { ...state, sort: { key: action.key, dir } };
    }
    case 'filter':
      return { ...state, filter: action.text };
    case 'select':
      return action.selection === state.selection ? state : { ...state, selection: action.selection };
  }
}

interface Persisted {
  siteId: string | null;
  path: string;
  sort: SortOrder;
  lastPaths: Record<string, string>;
}

const storageKey = (id: PaneId) => `pasv.pane.${id}`;

function load(id: PaneId): PaneState {
  const state: PaneState = {
    siteId: null,
    path: '/',
    sort: { key: 'name', dir: 'asc' },
    filter: '',
    selection: emptySelection,
    lastPaths: {},
  };
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(id)) ?? 'null') as Partial<Persisted> | null;
    if (saved && typeof saved === 'object') {
      if (typeof saved.siteId === 'string') state.siteId = saved.siteId;
      if (typeof saved.path === 'string' && saved.path.startsWith('/')) state.path = saved.path;
      if (saved.sort && ['name', 'size', 'modified'].includes(saved.sort.key) && ['asc', 'desc'].includes(saved.sort.dir))
        state.sort = saved.sort;
      if (saved.lastPaths && typeof saved.lastPaths === 'object') state.lastPaths = saved.lastPaths;
    }
  } catch {
    // A broken entry only costs the remembered place.
  }
  return state;
}

/** A pane's place (site, folder, sort) survives a reload; filter and selection do not. */
export function usePaneState(id: PaneId) {
  const [state, dispatch] = useReducer(paneReducer, id, load);
  useEffect(() => {
    const persisted: Persisted = { siteId: state.siteId, path: state.path, sort: state.sort, lastPaths: state.lastPaths };
    try {
      localStorage.setItem(storageKey(id), JSON.stringify(persisted));
    } catch {
      // Storage full or disabled: nothing to do.
    }
  }, [id, state.siteId, state.path, state.sort, state.lastPaths]);
  return [state, dispatch] as const;
}
