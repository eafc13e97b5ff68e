/**
 * Compare two trees on their servers: both sides of a folder listed together, several
 * folders at once, each worker holding leased sessions (so the sites' connection limits
 * hold, copies included). MDTM or a hash only for the files whose verdict needs one.
 * A folder whose listing loses its session (or gets a transient refusal) is listed again.
 */
import { isTransient } from '../errors.js';
import { FtpConnectionError, FtpReplyError } from '../ftp/errors.js';
import { list, modifiedAt } from '../ftp/ops.js';
import { joinRemotePath } from '../ftp/path.js';
import type { FtpSession } from '../ftp/session.js';
import { CancelledError } from '../ftp/cancel.js';
import { commonHash, remoteHash } from '../ftp/verify.js';
import type { Lease, SessionPool } from '../sites/pool.js';
import { compareFolder, decideFile, type ComparedEntry, type CompareSettings, type FolderTask, type SideEntry } from './compare.js';
import type { EntryFilter } from './rules.js';

/** Folders compared at once at most, whatever the sites allow: listings are small, latency is the cost. */
const MAX_WORKERS = 4;
/** Listings of one folder tried at most when the session keeps dying. */
const FOLDER_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;

export interface TreeCompareRequest {
  pool: SessionPool;
  source: { siteId: string; dir: string; maxConnections: number };
  destination: { siteId: string; dir: string; maxConnections: number };
  filter: EntryFilter;
  settings: CompareSettings;
  signal: AbortSignal;
}

export interface TreeComparison {
  entries: ComparedEntry[];
  notes: string[];
}

interface Worker {
  source: Lease;
  /** The same lease as source when both ends are one site (a site limit of 1 must not deadlock). */
  destination: Lease;
}

export async function compareTrees(request: TreeCompareRequest): Promise<TreeComparison> {
  const { pool, source, destination, signal } = request;
  const sameSite = source.siteId === destination.siteId;
  const count = Math.max(
    1,
    Math.min(MAX_WORKERS, source.maxConnections, sameSite ? source.maxConnections : destination.maxConnections),
  );
  const entries: ComparedEntry[] = [];
  const notes = new Set<string>();
  const pending: FolderTask[] = [{ path: '', onSource: true, onDestination: true }];
  let busy = 0;
  let failure: unknown = null;
  /** Idle workers wait here for a busy one to find subfolders (or finish). */
  const idle: (() => void)[] = [];
  const settings = { ...request.settings };

  const runWorker = async (worker: Worker) => {
    for (;;) {
      if (failure !== null) return;
      if (signal.aborted) throw new CancelledError();
      const task = pending.shift();
      if (!task) {
        if (busy === 0) return;
        await new Promise<void>((resolve) => idle.push(resolve));
        continue;
      }
      busy++;
      try {
        const result = await withRetries(() => compareOne(worker, task));
        entries.push(...result.entries);
        pending.push(...result.subfolders);
      } catch (error) {
        failure ??= error;
      } finally {
        busy--;
        for (const resume of idle.splice(0)) resume();
      }
    }
  };

  const compareOne = async (worker: Worker, task: FolderTask) => {
    const [s, d] = await Promise.all([
      task.onSource ? listSide(worker.source, joinRemotePath(source.dir, task.path), task.path === '' ? 'required' : 'expected') : null,
      task.onDestination ? listSide(worker.destination, joinRemotePath(destination.dir, task.path), 'optional') : null,
    ]);
    const result = compareFolder(task, s, d, request.filter, settings);
    for (const question of result.questions) await answer(worker, question.entry, question.ask);
    return result;
  };

  const answer = async (worker: Worker, entry: ComparedEntry, ask: 'exact-times' | 'hashes') => {
    const [s, d] = [entry.source!, entry.destination!];
    const sessions = await Promise.all([worker.source.acquire(), worker.destination.acquire()]);
    const paths = [joinRemotePath(source.dir, entry.path), joinRemotePath(destination.dir, entry.path)] as const;
    if (ask === 'exact-times') {
      const sides = [s, d];
      await Promise.all(
        sides.map(async (side, i) => {
          if (side.exactTime) return;
          const exact = await modifiedAt(sessions[i]!, paths[i]);
          // No MDTM: the listing's time is all there is; take it as it is rather than ask again.
          sides[i] = { ...side, modifiedAt: exact ?? side.modifiedAt, exactTime: true };
        }),
      );
      [entry.source, entry.destination] = sides;
    } else {
      const hash = commonHash(sessions[0]!, sessions[1]!);
      if (!hash) {
        notes.add('compare by hash: the servers offer no common hash; compared by size and time instead');
        settings.compareBy = 'size+time';
      } else {
        entry.source = { ...s, hash: await remoteHash(sessions[0]!, paths[0], hash.a) };
        entry.destination = { ...d, hash: await remoteHash(sessions[1]!, paths[1], hash.b) };
      }
    }
    const decision = decideFile(entry.source!, entry.destination!, settings);
    if ('ask' in decision) return answer(worker, entry, decision.ask);
    entry.verdict = decision.verdict;
    if (decision.reason) entry.reason = decision.reason;
    else delete entry.reason;
  };

  const workers: Worker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const sourceLease = await pool.lease(source.siteId, signal);
      workers.push({ source: sourceLease, destination: sourceLease });
      if (!sameSite) workers[i]!.destination = await pool.lease(destination.siteId, signal);
    }
    await Promise.all(workers.map(runWorker));
  } finally {
    for (const worker of workers) {
      worker.source.release();
      worker.destination.release();
    }
  }
  if (failure !== null) throw failure;
  if (signal.aborted) throw new CancelledError();
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, notes: [...notes] };
}

/**
 * One side's listing as a map by name. A missing destination folder is an empty one; a
 * missing source root is an error; a source subfolder gone meanwhile lists as empty.
 */
async function listSide(lease: Lease, path: string, missing: 'required' | 'expected' | 'optional'): Promise<Map<string, SideEntry> | null> {
  const session = await lease.acquire();
  try {
    const listing = await list(session, path);
    const exactTime = hasExactTimes(session);
    return new Map(
      listing.entries.map((e) => [e.name, { type: e.type, size: e.size, modifiedAt: e.modifiedAt, exactTime }] as const),
    );
  } catch (error) {
    if (error instanceof FtpReplyError && error.code === 550 && missing !== 'required') return missing === 'optional' ? null : new Map();
    throw error;
  }
}

/** MLSD's modify fact is exact UTC; LIST shows minutes at best. */
function hasExactTimes(session: FtpSession): boolean {
  return session.features.has('MLST');
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // A lost session, or a "not now" (425 no data port free, 421, 450): that folder again, a little later.
      const lostSession = error instanceof FtpConnectionError && ['closed', 'timeout'].includes(error.code);
      if (!(lostSession || isTransient(error)) || attempt >= FOLDER_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
    }
  }
}
