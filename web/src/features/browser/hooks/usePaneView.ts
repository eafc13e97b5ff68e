import { useMemo } from 'react';
import type { Entry } from '../../../../../contract/index.js';
import { useListing } from '../api/browser.js';
import { filterEntries, sortEntries } from '../model/entries.js';
import type { PaneState } from './usePaneState.js';

export interface PaneView {
  query: ReturnType<typeof useListing>;
  /** Sorted and filtered: what the table shows, in that order. */
  entries: readonly Entry[];
  /** Entries in the folder before the filter. */
  total: number;
}

export function usePaneView(state: PaneState): PaneView {
  const query = useListing(state.siteId, state.path);
  const sorted = useMemo(() => (query.data ? sortEntries(query.data.entries, state.sort) : []), [query.data, state.sort]);
  const entries = useMemo(() => filterEntries(sorted, state.filter), [sorted, state.filter]);
  return { query, entries, total: sorted.length };
}
