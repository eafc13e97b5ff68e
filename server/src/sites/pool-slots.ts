/**
 * The pool's side of a site limit that holds across the cluster (cluster/slots.ts): before it
 * opens a login the pool holds one of the site's slots, and it gives the slot back when that
 * connection closes. A node that finds no slot free waits, polling, and says that it waits;
 * every node then gives up the slots of its idle sessions of that site (a warm session kept
 * for the next file, the shared session between two listings), so that nothing kept warm on
 * one node keeps a copy or a pane on another waiting for the idle close.
 */
import { FtpConnectionError } from '../ftp/errors.js';
import type { FtpSession } from '../ftp/session.js';

/** A site's login slots across the cluster; ClusterSlots (cluster/slots.ts) implements it. */
export interface LoginSlots {
  /** Take a free slot of the site's `max`: its number, or null when every one is held. */
  tryAcquire(siteId: string, max: number): number | null;
  release(siteId: string, slot: number): void;
  /** Say (waiting true) or stop saying that this node waits for a slot of the site. */
  want(siteId: string, waiting: boolean): void;
  /** Whether some node, this one included, waits for a slot of the site. */
  wanted(siteId: string): boolean;
}

/** One slot held for one login. release() may be called more than once. */
export interface HeldSlot {
  release(): void;
  /** Held until the login's connection closes, however it closes. */
  keepUntilClosed(session: FtpSession): void;
}

/** A login that waits for a slot. */
export interface SlotClaim {
  siteId: string;
  /** The site's limit for the whole cluster, read at every try (its settings may change). */
  max: () => number;
  /** A lease's: the login stops waiting when it aborts. */
  signal?: AbortSignal;
  /** Why the login is no longer wanted (the pool closed, its session left the pool), or null. */
  gone: () => Error | null;
  /**
   * The shared session's (a probe, a pane): how many of the site's logins this process's
   * leases hold. Its login waits only so long, and not at all when those are every slot:
   * only they could free one, and a copy's probe waiting for its own copy would hold it up.
   */
  leasedOpen?: () => number;
}

/** How often a waiting login tries again. */
const POLL_MS = 200;
/** How often a node that holds slots reads which of their sites some node waits for. */
const READ_WANTED_MS = 250;

export class SlotGate {
  /** Slots this node holds, per site. */
  private readonly held = new Map<string, number>();
  /** Logins of this node waiting for a slot, per site. */
  private readonly waiting = new Map<string, number>();
  /** Sites of held slots some node waited for when last read. */
  private readonly contended = new Set<string>();
  /** The slot each open login holds. */
  private readonly slotOf = new WeakMap<FtpSession, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly slots: LoginSlots,
    /** Close the site's idle sessions: some node waits for a slot. */
    private readonly yieldIdle: (siteId: string) => void,
    /** How long the shared session's login waits (default 5 s). */
    private readonly sharedWaitMs = 5_000,
  ) {}

  /** A slot of the claim's site, once one is free; throws when the claim stops waiting. */
  async hold(claim: SlotClaim): Promise<HeldSlot> {
    const { siteId, signal, leasedOpen } = claim;
    const until = Date.now() + this.sharedWaitMs;
    let waits = false;
    try {
      for (;;) {
        const gone = claim.gone();
        if (gone) throw gone;
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        const max = claim.max();
        const mine = leasedOpen ? leasedOpen() >= max : false;
        if (mine || (leasedOpen && Date.now() > until)) throw noFreeSlot(max, mine);
        const slot = this.slots.tryAcquire(siteId, max);
        if (slot !== null) return this.track(siteId, slot);
        if (!waits) {
          waits = true;
          this.setWaiting(siteId, 1);
          // This node's own idle sessions first: no need to read that it waits.
          this.yieldIdle(siteId);
        }
        await pause(POLL_MS, signal);
      }
    } finally {
      if (waits) this.setWaiting(siteId, -1);
    }
  }

  /** Whether some node waited for a slot of the site when last read: an idle session of it should close. */
  isContended(siteId: string): boolean {
    return this.contended.has(siteId);
  }

  /** Whether the session's slot is beyond its site's limit, since that was lowered (or the site is gone). */
  beyondLimit(session: FtpSession, max: () => number): boolean {
    const slot = this.slotOf.get(session);
    if (slot === undefined) return false;
    try {
      return slot >= max();
    } catch {
      return true;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private track(siteId: string, slot: number): HeldSlot {
    this.held.set(siteId, (this.held.get(siteId) ?? 0) + 1);
    this.watch();
    let held = true;
    const slotOf: HeldSlot = {
      keepUntilClosed: (session) => {
        this.slotOf.set(session, slot);
        if (session.closedError) slotOf.release();
        else session.once('close', () => slotOf.release());
      },
      release: () => {
        if (!held) return;
        held = false;
        const left = (this.held.get(siteId) ?? 1) - 1;
        if (left > 0) this.held.set(siteId, left);
        else {
          this.held.delete(siteId);
          this.contended.delete(siteId);
        }
        try {
          this.slots.release(siteId, slot);
        } catch {
          // The database connection is gone, and its locks with it (cluster/slots.ts).
        }
      },
    };
    return slotOf;
  }

  private setWaiting(siteId: string, delta: 1 | -1): void {
    const count = (this.waiting.get(siteId) ?? 0) + delta;
    if (count > 0) this.waiting.set(siteId, count);
    else this.waiting.delete(siteId);
    if (delta === 1 && count === 1) this.slots.want(siteId, true);
    if (count === 0) {
      try {
        this.slots.want(siteId, false);
      } catch {
        // As in release(): the mark went with the connection.
      }
    }
  }

  /** While this node holds slots: now and then, which of their sites does some node wait for? */
  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.held.size === 0) {
        this.close();
        return;
      }
      for (const siteId of [...this.held.keys()]) {
        let wanted = false;
        try {
          wanted = this.slots.wanted(siteId);
        } catch {
          // No database: nobody can be told to wait either.
        }
        if (!wanted) {
          this.contended.delete(siteId);
          continue;
        }
        this.contended.add(siteId);
        this.yieldIdle(siteId);
      }
    }, READ_WANTED_MS);
    this.timer.unref();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Why a shared session's login gave up waiting for a slot. */
function noFreeSlot(max: number, mine: boolean): FtpConnectionError {
  return new FtpConnectionError(
    'timeout',
    mine
      ? `every login of this site (${max}) is held by this node's copies: try again when they are done`
      : `every login of this site (${max}) is in use across the cluster: try again later`,
  );
}
