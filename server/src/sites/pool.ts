/**
 * Control sessions per site, leased to whoever needs one (a browse, a copy) within the
 * site's connection limit. Idle sessions stay warm (NOOP keepalive) for a while so that
 * thousands of small files don't pay a login each, then close. A session that dies is
 * replaced with jittered backoff; 530 (login refused) is final. A server that refuses a login
 * as one too many ("restricted to 2 simultaneous logins") holds its site to the sessions it
 * has, and the limit grows back by one a while after each such refusal (pool-cuts.ts). In a
 * cluster, each login also holds one of the site's slots across all nodes first (pool-slots.ts).
 */
import type { LiveSession, SessionState } from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import { sessionLines, type TraceSink } from './trace-tag.js';
import { FtpConnectionError, FtpReplyError } from '../ftp/errors.js';
import type { SessionProvider } from '../ftp/copy.js';
import { policyOf } from '../ftp/policy.js';
import { FtpSession, type SessionOptions } from '../ftp/session.js';
import { LoginCuts, LoginLimitError } from './pool-cuts.js';
import { createEntry, siteSettingsKey, stateOf, toLiveSession, type PoolEntry } from './pool-entry.js';
import { leaseOf, type Lease } from './pool-lease.js';
import { SlotGate, type HeldSlot, type LoginSlots, type SlotClaim } from './pool-slots.js';

export type { LoginSlots } from './pool-slots.js';
export type { Lease } from './pool-lease.js';
export { LoginLimitError } from './pool-cuts.js';

export interface PoolOptions {
  /** Close a session idle this long (default 60 s). */
  idleCloseMs?: number;
  /** NOOP after this long idle (default 25 s). */
  keepaliveMs?: number;
  /** Attempts to (re)connect before giving up (default 4). */
  connectAttempts?: number;
  /** Base of the exponential backoff between attempts (default 500 ms). */
  backoffMs?: number;
  /**
   * Connect, reply and listing deadlines for every pooled session (a silent server fails
   * after this long); unset, the session's own defaults apply.
   */
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  dataIdleTimeoutMs?: number;
  listingTimeoutMs?: number;
  /** After a login refused as one too many, the site's limit grows by one per this long (default 60 s). */
  loginRecoveryMs?: number;
  /** With cluster slots: how long the shared session's login waits for one (default 5 s). */
  sharedSlotWaitMs?: number;
}

interface Waiter {
  resolve: (entry: PoolEntry) => void;
  reject: (error: Error) => void;
}

export class SessionPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly sharedEntries = new Map<string, PoolEntry>();
  /** Sites whose server refused a login as one too many (pool-cuts.ts). */
  private readonly cuts: LoginCuts;
  private closed = false;
  /** Cluster slots (absent: the limits are this process's own). */
  private readonly gate: SlotGate | null;

  constructor(
    private readonly resolveSite: (siteId: string) => { options: SessionOptions; maxConnections: number },
    private readonly events: EventBus,
    private readonly options: PoolOptions = {},
    private readonly traces?: TraceSink,
    slots?: LoginSlots,
  ) {
    this.gate = slots ? new SlotGate(slots, (siteId) => this.yieldIdle(siteId), options.sharedSlotWaitMs) : null;
    this.cuts = new LoginCuts(options.loginRecoveryMs ?? 60_000);
  }

  /** Wait for a free slot on the site and lease a session (connected lazily by acquire()). */
  async lease(siteId: string, signal?: AbortSignal): Promise<Lease> {
    const entry = await this.reserve(siteId, signal);
    entry.signal = signal;
    return leaseOf(
      entry,
      (leased) => this.connect(leased),
      (leased) => this.release(leased),
    );
  }

  /**
   * One shared session per site for short work: progress probes (SIZE once a second) and
   * browsing (sites/browse.ts). Each runs as tasks that queue FIFO (ftp/task.ts), so every
   * running copy and every pane can share it without cutting into another's sequence, and a
   * pane stays responsive while copies hold the leased sessions. Outside the site's limit in
   * this process, inside it across the cluster (its login may wait a while there, then fail).
   * Unfenced: a copy's probe sends SIZE only, and the MKD, DELE, RNFR/RNTO and RMD of browsing
   * are a person's commands, which no file's lease owns.
   */
  shared(siteId: string): SessionProvider {
    return {
      acquire: () => {
        let entry = this.sharedEntries.get(siteId);
        if (!entry) {
          entry = this.newEntry(siteId, false);
          entry.leased = true;
          this.sharedEntries.set(siteId, entry);
        }
        return this.connect(entry);
      },
    };
  }

  /**
   * Sessions the site may have at once: its maxConnections, or less for a while after its
   * server refused a login as one too many (one more per loginRecoveryMs since then).
   */
  limit(siteId: string): number {
    return this.cuts.limit(siteId, this.resolveSite(siteId).maxConnections);
  }

  sessions(): LiveSession[] {
    const entries = [...this.entries.values(), ...this.sharedEntries.values()];
    // Unwatched, a session's state per command is not followed (adopt()): read it now.
    for (const entry of entries) if (entry.session && entry.state !== 'closed') this.setState(entry, stateOf(entry));
    return entries.map(toLiveSession);
  }

  /**
   * A site changed or went away: close its sessions that logged in with other settings than
   * it has now (all of them once it is gone); leased ones when their user gives them back. In a
   * cluster the word comes from other nodes too, late and more than once, so a change that
   * leaves the settings as they were closes nothing (and breaks no login under way).
   */
  async closeSite(siteId: string): Promise<void> {
    const current = this.settingsOf(siteId);
    const stale = (e: PoolEntry) => e.siteId === siteId && e.settings !== undefined && e.settings !== current;
    const doomed = [...this.entries.values()].filter((e) => !e.leased && stale(e));
    const shared = this.sharedEntries.get(siteId);
    if (shared && stale(shared)) {
      this.sharedEntries.delete(siteId);
      doomed.push(shared);
    }
    await Promise.all(doomed.map((entry) => this.drop(entry)));
  }

  /** The digest of the site's connection settings now; null once it is gone. */
  private settingsOf(siteId: string): string | null {
    try {
      return siteSettingsKey(this.resolveSite(siteId).options);
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.gate?.close();
    for (const waiters of this.waiters.values()) {
      for (const waiter of waiters.splice(0)) waiter.reject(new FtpConnectionError('aborted', 'shutting down'));
    }
    await Promise.all([...this.entries.values(), ...this.sharedEntries.values()].map((entry) => this.drop(entry)));
    this.sharedEntries.clear();
  }

  // ---- internals --------------------------------------------------------------------------

  private reserve(siteId: string, signal?: AbortSignal): Promise<PoolEntry> {
    if (this.closed) return Promise.reject(new FtpConnectionError('aborted', 'shutting down'));
    const entry = this.takeFree(siteId);
    if (entry) return Promise.resolve(entry);
    return new Promise<PoolEntry>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const queue = this.waiters.get(siteId) ?? [];
      queue.push(waiter);
      this.waiters.set(siteId, queue);
      signal?.addEventListener(
        'abort',
        () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
  }

  /** A warm idle session first, else a new slot if the site's limit allows. */
  private takeFree(siteId: string): PoolEntry | null {
    const ofSite = [...this.entries.values()].filter((e) => e.siteId === siteId);
    const idle = ofSite.find((e) => !e.leased && e.session && !e.session.closedError) ?? ofSite.find((e) => !e.leased);
    const entry = idle ?? (ofSite.length < this.limit(siteId) ? this.newEntry(siteId) : null);
    if (!entry) return null;
    entry.leased = true;
    this.clearIdle(entry);
    return entry;
  }

  private newEntry(siteId: string, counted = true): PoolEntry {
    const entry = createEntry(siteId);
    if (counted) this.entries.set(entry.id, entry);
    return entry;
  }

  private release(entry: PoolEntry): void {
    entry.leased = false;
    // Still logging in for the user who left (in a cluster it may wait for a slot under that
    // user's signal): the next user must not inherit that login's fate. Dropped, the login ends
    // (or is closed once it lands) and the next user gets an entry of its own.
    if (entry.connecting) {
      void this.drop(entry);
      return;
    }
    const session = entry.session;
    // Logged in with settings the site no longer has (closeSite left it to its user).
    if (entry.settings !== undefined && entry.settings !== this.settingsOf(entry.siteId)) {
      void this.drop(entry);
      return;
    }
    const max = () => this.resolveSite(entry.siteId).maxConnections;
    // Still busy (an abort, or a sequence its cancelled user left mid-way): never hand it to
    // the next user; in a cluster, nor one whose slot is beyond its site's lowered limit.
    // Dropping it closes it and gives its slot to the next waiter.
    if (session && !session.closedError && (!session.idle || this.gate?.beyondLimit(session, max))) {
      void this.drop(entry);
      return;
    }
    const next = this.waiters.get(entry.siteId)?.shift();
    if (next) {
      entry.leased = true;
      next.resolve(entry);
      return;
    }
    // Some node waits for a slot of this site: a warm session would keep it waiting.
    if (!session || session.closedError || this.gate?.isContended(entry.siteId)) {
      void this.drop(entry);
      return;
    }
    this.setState(entry, 'idle');
    entry.idleTimer = setTimeout(() => void this.drop(entry), this.options.idleCloseMs ?? 60_000);
    entry.idleTimer.unref();
  }

  private clearIdle(entry: PoolEntry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
  }

  private async drop(entry: PoolEntry): Promise<void> {
    this.clearIdle(entry);
    this.entries.delete(entry.id);
    const session = entry.session;
    entry.session = null;
    this.events.publish({ type: 'session.removed', id: entry.id });
    await session?.close();
    // A slot became free: the next waiter may open a new session in it.
    const next = this.waiters.get(entry.siteId)?.[0];
    if (next && !this.closed) {
      const free = this.takeFree(entry.siteId);
      if (free) {
        this.waiters.get(entry.siteId)!.shift();
        next.resolve(free);
      }
    }
  }

  /** The entry's session, connecting (again) with backoff when there is none or it died. */
  private connect(entry: PoolEntry): Promise<FtpSession> {
    if (entry.session && !entry.session.closedError) return Promise.resolve(entry.session);
    // The shared session has many users: they all wait for the same reconnection.
    entry.connecting ??= this.reconnect(entry).finally(() => (entry.connecting = null));
    return entry.connecting;
  }

  private async reconnect(entry: PoolEntry): Promise<FtpSession> {
    const reconnecting = entry.session !== null;
    entry.session = null;
    const attempts = this.options.connectAttempts ?? 4;
    const base = this.options.backoffMs ?? 500;
    // Released (its user cancelled) and dropped meanwhile: nobody is waiting for this login.
    const released = () => new FtpConnectionError('aborted', 'the session was released while it connected');
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.closed) throw new FtpConnectionError('aborted', 'shutting down');
      if (!this.isPooled(entry)) throw released();
      this.setState(entry, reconnecting || attempt > 0 ? 'reconnecting' : 'connecting');
      if (attempt > 0) await sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
      // In a cluster, each login holds one of the site's slots from before it opens until it closes.
      let slot: HeldSlot | null;
      try {
        slot = this.gate && (await this.gate.hold(this.claim(entry, released)));
      } catch (error) {
        this.setState(entry, 'closed');
        throw error;
      }
      try {
        const { options } = this.resolveSite(entry.siteId);
        entry.settings = siteSettingsKey(options);
        const session = await FtpSession.connect({
          ...options,
          keepaliveMs: this.options.keepaliveMs ?? 25_000,
          // From the first line on, so the log shows the greeting and the login (PASS masked).
          onLine: sessionLines(entry, this.traces, this.events),
          ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
          ...(this.options.replyTimeoutMs ? { replyTimeoutMs: this.options.replyTimeoutMs } : {}),
          ...(this.options.dataIdleTimeoutMs ? { dataIdleTimeoutMs: this.options.dataIdleTimeoutMs } : {}),
          ...(this.options.listingTimeoutMs ? { listingTimeoutMs: this.options.listingTimeoutMs } : {}),
        });
        slot?.keepUntilClosed(session);
        slot = null;
        if (this.isPooled(entry)) {
          this.adopt(entry, session);
          return session;
        }
        void session.close();
        throw released();
      } catch (error) {
        slot?.release(); // no login was opened with it (a backoff must not hold a slot)
        lastError = error;
        // One login too many: the site gets fewer sessions; a 421 is still tried again below.
        if (error instanceof FtpReplyError && policyOf(error)?.kind === 'too-many-logins') {
          lastError = new LoginLimitError(entry.siteId, this.cutLimit(entry), error);
        }
        // A refused login will be refused again; a missing site won't come back.
        if (error instanceof FtpReplyError && (error.code === 530 || error.code >= 500)) break;
        if (!(error instanceof FtpConnectionError || error instanceof FtpReplyError)) break;
      }
    }
    this.setState(entry, 'closed');
    throw lastError;
  }

  /** What this entry's login waits for a cluster slot with (pool-slots.ts). */
  private claim(entry: PoolEntry, released: () => Error): SlotClaim {
    const { siteId } = entry;
    const open = (e: PoolEntry) => e.siteId === siteId && e.leased && e.session && !e.session.closedError;
    return {
      siteId,
      max: () => this.resolveSite(siteId).maxConnections,
      signal: entry.signal,
      gone: () =>
        this.closed ? new FtpConnectionError('aborted', 'shutting down') : this.isPooled(entry) ? null : released(),
      ...(this.entries.has(entry.id) ? {} : { leasedOpen: () => [...this.entries.values()].filter(open).length }),
    };
  }

  /** Some node waits for a slot of the site: close its sessions nobody uses (a lease's stays its holder's). */
  private yieldIdle(siteId: string): void {
    const unused = (e: PoolEntry) => e.siteId === siteId && !!e.session && !e.session.closedError && e.session.idle;
    for (const entry of [...this.entries.values()]) if (!entry.leased && unused(entry)) void this.drop(entry);
    const shared = this.sharedEntries.get(siteId);
    if (shared && unused(shared)) {
      this.sharedEntries.delete(siteId);
      void this.drop(shared);
    }
  }

  /** The server refused this entry's login as one too many: hold the site to the sessions it has open. */
  private cutLimit(refused: PoolEntry): number {
    const open = [...this.entries.values()].filter(
      (e) => e !== refused && e.siteId === refused.siteId && e.session && !e.session.closedError,
    ).length;
    return this.cuts.cut(refused.siteId, this.limit(refused.siteId), open);
  }

  private adopt(entry: PoolEntry, session: FtpSession): void {
    entry.session = session;
    // Read at each guarded command: a fence set or cleared later holds at once.
    session.setFence((command, argument) => entry.fence?.(command, argument));
    session.on('line', () => {
      // Some node waits for a slot of this site: give this session's up once it is idle.
      if (this.gate?.isContended(entry.siteId)) setImmediate(() => this.yieldIdle(entry.siteId));
      // The reply is dispatched after its line is logged: read the state once that is done.
      if (!entry.stateCheck && this.events.watched) {
        entry.stateCheck = setImmediate(() => {
          entry.stateCheck = null;
          this.setState(entry, stateOf(entry));
        });
      }
    });
    session.on('close', () => {
      if (entry.session === session) this.setState(entry, 'closed');
    });
    this.setState(entry, stateOf(entry));
  }

  private isPooled(entry: PoolEntry): boolean {
    return this.entries.has(entry.id) || [...this.sharedEntries.values()].includes(entry);
  }

  /** Announce a session only when what the Sessions tab shows changed: its state or its command. */
  private setState(entry: PoolEntry, state: SessionState): void {
    const command = entry.session?.currentCommand ?? undefined;
    if (entry.state === state && entry.shownCommand === command) return;
    if (entry.state !== state) {
      entry.state = state;
      entry.since = new Date().toISOString();
    }
    entry.shownCommand = command;
    if (!this.isPooled(entry)) return;
    this.events.publish({ type: 'session.updated', session: toLiveSession(entry) });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
