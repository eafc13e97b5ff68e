/** The import preview's rows as the user ticks and renames them, and what to send for them. */
import type { ImportCandidateView } from '../../../../../contract/index.js';

export interface ImportRow {
  candidate: ImportCandidateView;
  take: boolean;
  name: string;
}

/** Ticked: what can be imported and clashes with no saved site; a clash waits for a new name. */
export function initialRows(candidates: ImportCandidateView[]): ImportRow[] {
  return candidates.map((candidate) => ({
    candidate,
    take: !candidate.unsupported && !candidate.duplicate,
    name: candidate.name,
  }));
}

/** A ticked row whose name (case aside) is already a saved site's or another ticked row's. */
export function clashes(rows: ImportRow[], savedNames: string[]): Set<number> {
  const taken = new Map<string, number>();
  for (const name of savedNames) taken.set(name.toLowerCase(), (taken.get(name.toLowerCase()) ?? 0) + 1);
  for (const row of rows)
    if (row.take) taken.set(row.name.trim().toLowerCase(), (taken.get(row.name.trim().toLowerCase()) ?? 0) + 1);
  return new Set(
    rows
      .filter((row) => row.take && (taken.get(row.name.trim().toLowerCase()) ?? 0) > 1)
      .map((row) => row.candidate.index),
  );
}

export function toTake(rows: ImportRow[]): { index: number; name: string }[] {
  return rows
    .filter((row) => row.take && !row.candidate.unsupported)
    .map((row) => ({ index: row.candidate.index, name: row.name.trim() }));
}
