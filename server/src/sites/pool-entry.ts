/**
 * One pooled session's record: its connection, what the Sessions tab shows of it, and what
 * its lease's holder set on it (trace tag, fence, signal).
 */
import crypto from 'node:crypto';
import type { LiveSession, SessionState } from '../../../contract/index.js';
import type { Fence } from '../ftp/fence.js';
import type { FtpSession } from '../ftp/session.js';
import type { TraceTag } from './trace-tag.js';

export interface PoolEntry {
  id: string;
  siteId: string;
  session: FtpSession | null;
  state: SessionState;
  since: string;
  leased: boolean;
  idleTimer: NodeJS.Timeout | null;
  stateCheck: NodeJS.Immediate | null;
  connecting: Promise<FtpSession> | null;
  shownCommand: string | undefined;
  /** The transfer file the lease's holder works on: its lines go to that transfer's trace. */
  tag: TraceTag | null;
  /** What the lease's holder checks its commands that can't be undone with (ftp/fence.ts). */
  fence: Fence | null;
  /** The lease's signal: a login waiting for a cluster slot stops waiting when it aborts. */
  signal: AbortSignal | undefined;
  /** A digest of the connection settings its session logged in with (siteSettingsKey). */
  settings?: string;
}

/** What a session's login depends on, as a digest: a site change that leaves it equal spares the session. */
export function siteSettingsKey(options: object): string {
  return crypto.createHash('sha256').update(JSON.stringify(options)).digest('base64');
}

export function createEntry(siteId: string): PoolEntry {
  return {
    id: crypto.randomUUID(),
    siteId,
    session: null,
    state: 'connecting',
    since: new Date().toISOString(),
    leased: false,
    idleTimer: null,
    stateCheck: null,
    connecting: null,
    shownCommand: undefined,
    tag: null,
    fence: null,
    signal: undefined,
  };
}

export function stateOf(entry: PoolEntry): SessionState {
  const session = entry.session;
  if (!session || session.closedError) return 'closed';
  const command = session.currentCommand;
  if (!command) return 'idle';
  return /^(RETR|STOR|APPE|LIST|MLSD|NLST)\b/.test(command) ? 'transferring' : 'busy';
}

export function toLiveSession(entry: PoolEntry): LiveSession {
  const command = entry.session?.currentCommand ?? undefined;
  return {
    id: entry.id,
    siteId: entry.siteId,
    state: entry.state,
    since: entry.since,
    ...(command ? { command } : {}),
  };
}
