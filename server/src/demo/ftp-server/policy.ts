/**
 * Switches that make the embedded server state policy the way site servers do (glFTPd,
 * drftpd, ioFTPD: none can be installed here): dupes refused, a quota on the root, a cap
 * on simultaneous logins, transfers cut as too slow. The queue's answers to these replies
 * are tested against them.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';

export interface PolicyOptions {
  /** STOR or APPE onto an existing file → `553 X-DUPE: <name> already exists` (a REST resume is allowed). */
  dupes?: boolean;
  /**
   * The root's files may hold this many bytes: a STOR's bytes past it are dropped and it ends
   * `452 Error writing file: No space left on device.` (setQuota on the server changes it).
   */
  quotaBytes?: number;
  /**
   * With quotaBytes, meet a full disk as ProFTPD does: the data connection is closed at the first
   * byte past the quota and the 452 follows this many ms later, so the sender's 426 comes first.
   */
  quotaCloseMs?: number;
  /** A login beyond this many logged-in sessions → `530 Sorry, your account is restricted to n simultaneous logins.`, closed. */
  maxLogins?: number;
  /** The next n file transfers (RETR, STOR, APPE) are cut after SLOW_CUT_BYTES with `426 Slow transfer, you were too slow.` */
  slowTransfers?: number;
}

/** A policy's final reply; `afterMs` holds it back (see quotaCloseMs). */
export interface PolicyReply {
  code: number;
  text: string;
  afterMs?: number;
}

/**
 * A switch acting on one transfer: its filter sees the bytes, its reply (if any) replaces the
 * final one. The filter fails the transfer where the switch closes the data connection.
 */
export interface PolicyCut {
  filter: Transform;
  reply(): PolicyReply | null;
}

/** How much of a "slow" transfer gets through before it is cut. */
export const SLOW_CUT_BYTES = 64 * 1024;

export class PolicySwitches {
  readonly dupes: boolean;
  private quota: number | undefined;
  private readonly quotaCloseMs: number | undefined;
  /** Bytes let through every quota filter so far: what was written since a filter measured the disk. */
  private written = 0;
  private slowLeft: number;
  private readonly maxLogins: number | undefined;
  private readonly loggedIn = new Set<object>();
  private peak = 0;
  private refused = 0;

  constructor(
    options: PolicyOptions,
    private readonly root: string,
  ) {
    this.dupes = options.dupes ?? false;
    this.quota = options.quotaBytes;
    this.quotaCloseMs = options.quotaCloseMs;
    this.slowLeft = options.slowTransfers ?? 0;
    this.maxLogins = options.maxLogins;
  }

  setQuota(bytes: number | undefined): void {
    this.quota = bytes;
  }

  /** A session logged in: null if admitted, else the refusal's text (the caller closes it). */
  login(session: object): string | null {
    if (this.maxLogins !== undefined && this.loggedIn.size >= this.maxLogins) {
      this.refused++;
      return `Sorry, your account is restricted to ${this.maxLogins} simultaneous logins.`;
    }
    this.loggedIn.add(session);
    this.peak = Math.max(this.peak, this.loggedIn.size);
    return null;
  }

  logout(session: object): void {
    this.loggedIn.delete(session);
  }

  /** Logged-in sessions now, the most there ever were at once, and the logins refused. */
  logins(): { now: number; peak: number; refused: number } {
    return { now: this.loggedIn.size, peak: this.peak, refused: this.refused };
  }

  /** The switches that act on this file transfer, or null. */
  cut(direction: 'send' | 'receive'): PolicyCut | null {
    if (this.slowLeft > 0) {
      this.slowLeft--;
      return passFirst((sent) => SLOW_CUT_BYTES - sent, { code: 426, text: 'Slow transfer, you were too slow.' });
    }
    if (direction === 'receive' && this.quota !== undefined) return this.quotaCut();
    return null;
  }

  /**
   * The disk is measured at the first byte (after STOR truncated its file); bytes the other
   * transfers write from then on are counted as they pass, so parallel uploads share the quota.
   */
  private quotaCut(): PolicyCut {
    let base: { used: number; written: number } | null = null;
    return passFirst(
      async () => {
        base ??= { written: this.written, used: await usage(this.root) };
        return (this.quota ?? Infinity) - base.used - (this.written - base.written);
      },
      { code: 452, text: 'Error writing file: No space left on device.', afterMs: this.quotaCloseMs },
      (bytes) => (this.written += bytes),
    );
  }
}

/**
 * Lets bytes through while there is room (`room` says how much more, given what this filter
 * let through) and drops the rest, or with `reply.afterMs` fails at the first byte past it; a
 * transfer that dropped some then ends with `reply`.
 */
function passFirst(
  room: (sent: number) => number | Promise<number>,
  reply: PolicyReply,
  passed: (bytes: number) => void = () => {},
): PolicyCut {
  let sent = 0;
  let dropped = false;
  const filter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      Promise.resolve(room(sent))
        .then((left) => {
          const take = Math.max(0, Math.min(chunk.length, Math.floor(left)));
          if (take < chunk.length) dropped = true;
          sent += take;
          passed(take);
          if (dropped && reply.afterMs !== undefined) callback(new Error(`${reply.code} ${reply.text}`));
          else callback(null, take > 0 ? chunk.subarray(0, take) : undefined);
        })
        .catch(callback);
    },
  });
  return { filter, reply: () => (dropped ? reply : null) };
}

/** Bytes held by the files below `dir`. */
async function usage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await usage(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}
