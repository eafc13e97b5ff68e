/**
 * The two kinds of failure a control session can report (style.md):
 * a reply error leaves the session usable; a connection error is sticky and
 * makes every later command fail with the first cause.
 */

/** The server answered, with a code that means "no" (4xx/5xx) or one we did not expect. */
export class FtpReplyError extends Error {
  override readonly name = 'FtpReplyError';
  constructor(
    readonly code: number,
    readonly text: string,
    readonly command: string,
  ) {
    super(`${command} → ${code} ${text}`);
  }

  /** 4xx: the server says "not now" — retrying later may help. */
  get transient(): boolean {
    return this.code >= 400 && this.code < 500;
  }
}

export type ConnectionErrorCode =
  | 'closed' // the peer closed the control connection
  | 'timeout' // connect, reply or stall timeout
  | 'refused' // ECONNREFUSED, EHOSTUNREACH, …
  | 'dns' // the host name does not resolve (ENOTFOUND, EAI_AGAIN)
  | 'tls' // handshake or certificate failure
  | 'protocol' // the server broke the protocol (garbage, oversized reply, 421)
  | 'aborted'; // we closed it on purpose

/** The control connection is gone (or unusable); the session must be replaced. */
export class FtpConnectionError extends Error {
  override readonly name = 'FtpConnectionError';
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** For a courtesy command (a keepalive NOOP, OPTS UTF8): the server's no or a lost session is no matter. */
export function ignoreReplyError(error: unknown): void {
  if (!(error instanceof FtpReplyError) && !(error instanceof FtpConnectionError)) throw error;
}

/** A caller tried to put CR, LF or NUL (or another unsafe value) into a command. */
export class UnsafeArgumentError extends Error {
  override readonly name = 'UnsafeArgumentError';
}

/**
 * The host policy forbids this address: a site's host, the address a connection really
 * reached, or an address a server announced for its data port. Final: retrying won't help.
 */
export class HostRefusedError extends Error {
  override readonly name = 'HostRefusedError';
}

/**
 * A fence (fence.ts) refused a command that can't be undone: this process no longer owns the
 * work the command belongs to (its lease went to another worker), so the command was never
 * written. Not the session's fault, which stays usable for whoever holds it next; final for
 * this work on this worker, whose new owner decides what becomes of it.
 */
export class FenceError extends Error {
  override readonly name = 'FenceError';
  readonly code = 'lease_lost';
  constructor(
    readonly command: string,
    options?: { cause?: unknown },
  ) {
    const why = options?.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(`${command} not sent: the lease on this work is lost${why}`, options);
  }
}

/** The two servers of a copy. */
export type Side = 'source' | 'destination';

/** A failure on one side of a copy, saying which. */
export class SideError extends Error {
  override readonly name = 'SideError';
  constructor(
    readonly side: Side,
    override readonly cause: Error,
  ) {
    super(`${side}: ${cause.message}`, { cause });
  }
}
