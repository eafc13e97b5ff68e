/** What a user of the pool holds: one session, until it gives it back. */
import type { SessionProvider } from '../ftp/copy.js';
import type { Fence } from '../ftp/fence.js';
import type { FtpSession } from '../ftp/session.js';
import type { PoolEntry } from './pool-entry.js';
import type { TraceTag } from './trace-tag.js';

/** A session held by one user of the pool until release(). acquire() reconnects if it died. */
export interface Lease extends SessionProvider {
  readonly sessionId: string;
  /** From now on this session's lines belong to this transfer file's trace (null: to none). */
  trace(tag: TraceTag | null): void;
  /**
   * From now on every command on this session that can't be undone passes `check` first
   * (ftp/fence.ts), on whichever session the lease reconnects to, until cleared or released:
   * the next holder never inherits it. Returns what clears it, unless a later fence replaced
   * it (a lane's next file sets its own while the last one's checks still run).
   */
  fence(check: Fence | null): () => void;
  release(): void;
}

/** The lease on a reserved entry: `connect` gives its session, `release` gives the entry back to the pool. */
export function leaseOf(
  entry: PoolEntry,
  connect: (entry: PoolEntry) => Promise<FtpSession>,
  release: (entry: PoolEntry) => void,
): Lease {
  let released = false;
  return {
    sessionId: entry.id,
    acquire: () => {
      if (released) return Promise.reject(new Error('lease already released'));
      return connect(entry);
    },
    trace: (tag) => {
      if (!released) entry.tag = tag;
    },
    fence: (check) => {
      if (!released) entry.fence = check;
      return () => {
        if (!released && entry.fence === check) entry.fence = null;
      };
    },
    release: () => {
      if (released) return;
      released = true;
      entry.tag = null;
      entry.fence = null;
      entry.signal = undefined;
      release(entry);
    },
  };
}
