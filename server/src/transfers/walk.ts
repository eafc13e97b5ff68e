/**
 * Expanding a transfer into files: a file is one job; a directory is walked breadth-first,
 * its folders created on the destination as they are found and its files queued at once,
 * so copying starts before the walk ends. Safe to run again after a crash: files are keyed
 * by source path and folders that exist are left alone. Listed names are untrusted: unsafe
 * ones are skipped and named in a note, and a tree that nests itself (a link loop) or never
 * ends stops at a depth and an entry cap.
 */
import { WalkLimitError } from '../errors.js';
import { untilAborted } from '../ftp/cancel.js';
import { FtpReplyError } from '../ftp/errors.js';
import { ensureDirectory, list, size } from '../ftp/ops.js';
import { joinRemote } from '../ftp/path.js';
import type { FtpSession } from '../ftp/session.js';
import type { TransferRow, TransferStore } from './store.js';

export interface Walk {
  source: FtpSession;
  destination: FtpSession;
  transfer: TransferRow;
  store: TransferStore;
  signal: AbortSignal;
  onFound: () => void;
  onNote: (note: string) => void;
  limits?: Partial<WalkLimits>;
}

export interface WalkLimits {
  /** Folder levels below the transfer's own folder. */
  maxDepth: number;
  /** Entries listed over the whole tree (files, folders, links). */
  maxEntries: number;
}

const DEFAULT_LIMITS: WalkLimits = { maxDepth: 64, maxEntries: 1_000_000 };
/** Unsafe names quoted in the note; the rest are counted. */
const NAMES_IN_NOTE = 20;

export async function walkTree({
  source,
  destination,
  transfer,
  store,
  signal,
  onFound,
  onNote,
  limits,
}: Walk): Promise<void> {
  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, signal);
  const { maxDepth, maxEntries } = { ...DEFAULT_LIMITS, ...limits };
  const destinationRoot = joinRemote(transfer.dest_dir, transfer.name);
  // SIZE first: for a file (the common case) one round trip says what it is and how big.
  const bytes = await step(size(source, transfer.source_path));
  if (bytes !== null) {
    await step(ensureDirectory(destination, transfer.dest_dir));
    store.updateTransfer(transfer.id, { kind: 'file' });
    store.insertFiles(transfer.id, [[transfer.source_path, destinationRoot, bytes]]);
    onFound();
    return;
  }
  if (!(await step(isDirectory(source, transfer.source_path)))) {
    throw new FtpReplyError(550, `${transfer.source_path}: no such file or directory on the source`, 'SIZE');
  }
  store.updateTransfer(transfer.id, { kind: 'dir' });
  const pending: [string, string, number][] = [[transfer.source_path, destinationRoot, 0]];
  let skippedLinks = 0;
  let unreadable = 0;
  let listed = 0;
  const unsafe = { count: 0, named: [] as string[] };
  while (pending.length > 0) {
    const [sourceDir, destinationDir, depth] = pending.shift()!;
    await step(ensureDirectory(destination, destinationDir));
    const listing = await list(source, sourceDir, { signal });
    unreadable += listing.rejected - listing.unsafeNames.length;
    unsafe.count += listing.unsafeNames.length;
    for (const name of listing.unsafeNames.slice(0, NAMES_IN_NOTE - unsafe.named.length))
      unsafe.named.push(`${name} in ${sourceDir}`);
    listed += listing.entries.length + listing.rejected;
    if (listed > maxEntries) {
      throw new WalkLimitError(
        'tree_too_large',
        `the tree holds more than ${maxEntries} entries (the walk's limit): stopped in ${sourceDir}`,
      );
    }
    const entries = [...listing.entries].sort((a, b) => a.name.localeCompare(b.name));
    const files: [string, string, number][] = [];
    for (const entry of entries) {
      const from = joinRemote(sourceDir, entry.name);
      const to = joinRemote(destinationDir, entry.name);
      if (entry.type === 'dir') pending.push([checkDepth(from, depth + 1, maxDepth), to, depth + 1]);
      else if (entry.type === 'file') files.push([from, to, entry.size]);
      else skippedLinks++;
    }
    store.insertFiles(transfer.id, files);
    onFound();
  }
  if (skippedLinks > 0) onNote(`${skippedLinks} symbolic link(s) not copied`);
  if (unsafe.count > 0) onNote(unsafeNamesNote(unsafe.count, unsafe.named));
  if (unreadable > 0) onNote(`${unreadable} listing line(s) that could not be read skipped`);
}

function checkDepth(dir: string, depth: number, maxDepth: number): string {
  if (depth <= maxDepth) return dir;
  throw new WalkLimitError(
    'tree_too_deep',
    `the tree is deeper than ${maxDepth} levels (the walk's limit; a folder that contains itself, such as a link loop, does this): stopped at ${dir}`,
  );
}

function unsafeNamesNote(count: number, named: string[]): string {
  const more = count > named.length ? ` and ${count - named.length} more` : '';
  return `${count} ${count === 1 ? 'entry' : 'entries'} with unsafe names skipped: ${named.join(', ')}${more}`;
}

async function isDirectory(session: FtpSession, path: string): Promise<boolean> {
  try {
    await session.send('CWD', path);
    return true;
  } catch (error) {
    if (error instanceof FtpReplyError && error.code === 550) return false;
    throw error;
  }
}
