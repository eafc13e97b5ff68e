/**
 * Expanding a transfer into files: a file is one job; a directory is walked breadth-first,
 * its folders created on the destination as they are found and its files queued at once,
 * so copying starts before the walk ends. Safe to run again after a crash: files are keyed
 * by source path and folders that exist are left alone.
 */
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
}

export async function walkTree({ source, destination, transfer, store, signal, onFound, onNote }: Walk): Promise<void> {
  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, signal);
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
  const pending: [string, string][] = [[transfer.source_path, destinationRoot]];
  let skippedLinks = 0;
  let rejected = 0;
  while (pending.length > 0) {
    const [sourceDir, destinationDir] = pending.shift()!;
    await step(ensureDirectory(destination, destinationDir));
    const listing = await list(source, sourceDir, { signal });
    rejected += listing.rejected;
    const entries = [...listing.entries].sort((a, b) => a.name.localeCompare(b.name));
    const files: [string, string, number][] = [];
    for (const entry of entries) {
      const from = joinRemote(sourceDir, entry.name);
      const to = joinRemote(destinationDir, entry.name);
      if (entry.type === 'dir') pending.push([from, to]);
      else if (entry.type === 'file') files.push([from, to, entry.size]);
      else skippedLinks++;
    }
    store.insertFiles(transfer.id, files);
    onFound();
  }
  if (skippedLinks > 0) onNote(`${skippedLinks} symbolic link(s) not copied`);
  if (rejected > 0) onNote(`${rejected} entr(ies) with unsafe names skipped`);
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
