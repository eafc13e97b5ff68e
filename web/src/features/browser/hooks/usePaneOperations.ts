import { useQueryClient } from '@tanstack/react-query';
import { useState, type Dispatch } from 'react';
import { errorText } from '../../../lib/api.js';
import { fetchListing, listingKey, makeDirectory, removeEntry, renameEntry, siteListingsKey } from '../api/browser.js';
import { joinPath } from '../model/entries.js';
import type { PaneAction } from './usePaneState.js';

/**
 * What a pane does to its server's folder (new folder, rename, delete, go to a typed path),
 * one at a time: `busy` while it runs, a failure reported in words, `settled` after either.
 */
export function usePaneOperations(options: {
  siteId: string | null;
  path: string;
  dispatch: Dispatch<PaneAction>;
  report: (problem: string | null) => void;
  settled: () => void;
}) {
  const { siteId, path, dispatch, report, settled } = options;
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>, failure: string) => {
    setBusy(true);
    report(null);
    try {
      await work();
    } catch (error) {
      report(`${failure}: ${errorText(error)}`);
    } finally {
      setBusy(false);
      settled();
    }
  };
  const select = (name: string) =>
    dispatch({ type: 'select', selection: { selected: new Set([name]), anchor: name, cursor: name } });

  return {
    busy,
    createFolder: (name: string) =>
      run(async () => {
        await makeDirectory(siteId!, joinPath(path, name));
        await client.invalidateQueries({ queryKey: listingKey(siteId!, path) });
        select(name);
      }, `Could not create ${name}`),

    rename: (from: string, to: string) =>
      run(async () => {
        await renameEntry(siteId!, joinPath(path, from), joinPath(path, to));
        await client.invalidateQueries({ queryKey: siteListingsKey(siteId!) });
        select(to);
      }, `Could not rename ${from}`),

    remove: (targets: string[]) =>
      run(async () => {
        const failures: string[] = [];
        for (const name of targets) {
          try {
            await removeEntry(siteId!, joinPath(path, name));
          } catch (error) {
            failures.push(`${name}: ${errorText(error)}`);
          }
        }
        await client.invalidateQueries({ queryKey: siteListingsKey(siteId!) });
        if (failures.length > 0) throw new Error(failures.join('; '));
      }, 'Could not delete'),

    // The folder is listed before the pane goes there: a typo leaves the listing as it was.
    goTo: (to: string) =>
      void run(async () => {
        if (to === path) return;
        await client.fetchQuery({
          queryKey: listingKey(siteId!, to),
          queryFn: () => fetchListing(siteId!, to),
          staleTime: 5_000,
        });
        dispatch({ type: 'navigate', path: to });
      }, `Cannot open ${to}`),
  };
}
