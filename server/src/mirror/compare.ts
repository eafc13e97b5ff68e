/**
 * The verdicts, as pure functions over two listings of one folder: what is new, changed,
 * the same, extra, in conflict or skipped, and which subfolders to compare next. What needs
 * another round trip (an exact time from MDTM, a hash) comes back as a question; the lister
 * asks the servers and decides again with the answer.
 */
import type { CompareBy, Verdict, VerdictCounts } from '../../../contract/index.js';
import type { EntryFilter } from './rules.js';

export interface SideEntry {
  type: 'file' | 'dir' | 'link';
  size: number;
  /** ISO UTC, or null when the listing gave none. */
  modifiedAt: string | null;
  /** False for LIST times (minutes at best, midnight for year-only dates); true for MLSD and MDTM. */
  exactTime: boolean;
  /** A hash, when the lister fetched one (compare by hash). */
  hash?: string;
}

export interface CompareSettings {
  compareBy: CompareBy;
  newerOnly: boolean;
  /** False when the destination cannot set modification times: times then say nothing, sizes decide. */
  timesUsable: boolean;
}

export interface ComparedEntry {
  /** Relative to the job's dir, no leading slash. */
  path: string;
  type: 'file' | 'dir';
  verdict: Verdict;
  reason?: string;
  source: SideEntry | null;
  destination: SideEntry | null;
}

/** The lister must fetch this and decide again. */
export type Question = 'exact-times' | 'hashes';
export type FileDecision = { verdict: Verdict; reason?: string } | { ask: Question };

/** Exact times a little apart are the same (FAT's 2 s, servers that round). */
const EXACT_SLACK_MS = 2_000;
/** LIST shows minutes at best. */
const COARSE_SLACK_MS = 60_000;

/** Compare two files present on both sides; the filter has admitted the source. */
export function decideFile(source: SideEntry, destination: SideEntry, settings: CompareSettings): FileDecision {
  const { compareBy, newerOnly } = settings;
  if (compareBy === 'always') return { verdict: 'changed', reason: 'compare by: always copy' };
  const times = settings.timesUsable ? timeRelation(source, destination) : 'unknown';
  if (times === 'uncertain' && (newerOnly || compareBy === 'size+time' || compareBy === 'time')) {
    // Sizes first: a size difference decides without asking (unless newer-only needs the times).
    if (newerOnly || compareBy === 'time' || source.size === destination.size) return { ask: 'exact-times' };
  }
  if (newerOnly && times === 'destination-newer') return { verdict: 'conflict', reason: 'destination is newer' };
  const sizeDiffers = source.size !== destination.size;
  switch (compareBy) {
    case 'size':
      return sizeDiffers ? { verdict: 'changed', reason: 'size differs' } : { verdict: 'same' };
    case 'hash':
      if (sizeDiffers) return { verdict: 'changed', reason: 'size differs' };
      if (source.hash === undefined || destination.hash === undefined) return { ask: 'hashes' };
      return source.hash === destination.hash ? { verdict: 'same' } : { verdict: 'changed', reason: 'hash differs' };
    case 'time':
      if (times === 'unknown') return sizeDiffers ? { verdict: 'changed', reason: 'size differs (no usable times)' } : { verdict: 'same' };
      return times === 'equal' ? { verdict: 'same' } : { verdict: 'changed', reason: 'time differs' };
    case 'size+time':
      if (sizeDiffers) return { verdict: 'changed', reason: 'size differs' };
      return times === 'equal' || times === 'unknown' ? { verdict: 'same' } : { verdict: 'changed', reason: 'time differs' };
  }
}

type TimeRelation = 'equal' | 'source-newer' | 'destination-newer' | 'unknown' | 'uncertain';

function timeRelation(source: SideEntry, destination: SideEntry): TimeRelation {
  if (source.modifiedAt === null || destination.modifiedAt === null) return 'unknown';
  const diff = Date.parse(source.modifiedAt) - Date.parse(destination.modifiedAt);
  const exact = source.exactTime && destination.exactTime;
  if (Math.abs(diff) <= EXACT_SLACK_MS) return 'equal';
  // A coarse time on either side cannot say which is newer, or whether they differ at all.
  if (!exact) return Math.abs(diff) < COARSE_SLACK_MS ? 'equal' : 'uncertain';
  return diff > 0 ? 'source-newer' : 'destination-newer';
}

export interface FolderTask {
  /** Relative dir, '' for the job's root. */
  path: string;
  onSource: boolean;
  onDestination: boolean;
}

export interface FolderResult {
  entries: ComparedEntry[];
  /** Files whose verdict needs an answer from the servers. */
  questions: { entry: ComparedEntry; ask: Question }[];
  subfolders: FolderTask[];
}

export function joinRelative(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * One folder's verdicts. `source`/`destination` are null when the folder exists on one side only.
 * Links are skipped (the queue copies files); what the rules leave out at the destination is
 * skipped too, never extra, so that deleteExtras cannot remove what the user excluded.
 */
export function compareFolder(
  task: FolderTask,
  source: Map<string, SideEntry> | null,
  destination: Map<string, SideEntry> | null,
  filter: EntryFilter,
  settings: CompareSettings,
): FolderResult {
  const result: FolderResult = { entries: [], questions: [], subfolders: [] };
  const names = [...new Set([...(source?.keys() ?? []), ...(destination?.keys() ?? [])])].sort();
  for (const name of names) {
    const path = joinRelative(task.path, name);
    const s = source?.get(name) ?? null;
    const d = destination?.get(name) ?? null;
    const push = (type: 'file' | 'dir', verdict: Verdict, reason?: string) => {
      const entry: ComparedEntry = { path, type, verdict, source: s, destination: d, ...(reason ? { reason } : {}) };
      result.entries.push(entry);
      return entry;
    };
    const type = (s?.type === 'dir' || (!s && d?.type === 'dir')) ? 'dir' : 'file';
    if (s?.type === 'link' || d?.type === 'link') {
      push(type, 'skipped', 'symbolic link');
      continue;
    }
    const admission = type === 'dir' ? filter.folder(name, path) : filter.file(name, path, (s ?? d)!.size);
    if (!admission.admitted) {
      push(type, 'skipped', admission.reason);
      continue;
    }
    if (s && d && s.type !== d.type) {
      push(type, 'conflict', s.type === 'dir' ? 'folder on the source, file on the destination' : 'file on the source, folder on the destination');
      continue;
    }
    if (type === 'dir') {
      push('dir', s && d ? 'same' : s ? 'new' : 'extra');
      result.subfolders.push({ path, onSource: s !== null, onDestination: d !== null });
      continue;
    }
    if (!d) push('file', 'new');
    else if (!s) push('file', 'extra');
    else {
      const decision = decideFile(s, d, settings);
      if ('ask' in decision) result.questions.push({ entry: push('file', 'same'), ask: decision.ask });
      else push('file', decision.verdict, decision.reason);
    }
  }
  return result;
}

export function emptyCounts(): VerdictCounts {
  return { new: 0, changed: 0, same: 0, extra: 0, conflict: 0, skipped: 0 };
}

/** Counts and bytes per verdict; bytes are the source's size, the destination's for extras. */
export function tally(entries: Iterable<ComparedEntry>): { counts: VerdictCounts; bytes: VerdictCounts } {
  const counts = emptyCounts();
  const bytes = emptyCounts();
  for (const entry of entries) {
    counts[entry.verdict]++;
    if (entry.type === 'file') bytes[entry.verdict] += (entry.verdict === 'extra' ? entry.destination : entry.source ?? entry.destination)?.size ?? 0;
  }
  return { counts, bytes };
}
