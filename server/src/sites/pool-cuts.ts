/**
 * A server that refuses a login as one too many ("restricted to 2 simultaneous logins") holds
 * its site to the sessions it has, and the limit grows back by one a while after each refusal.
 */
import { FtpReplyError } from '../ftp/errors.js';

/**
 * A login refused as one too many: the reply, and the site's connection limit from now on
 * (the sessions it holds open, at least 1). A reply error like any other, so it reads and
 * retries as one; the queue puts the file back to wait for a session instead of failing it.
 */
export class LoginLimitError extends FtpReplyError {
  constructor(
    readonly siteId: string,
    readonly limit: number,
    reply: FtpReplyError,
  ) {
    super(reply.code, reply.text, reply.command);
  }
}

/** Sites whose server refused a login as one too many: the limit then, and when. */
export class LoginCuts {
  private readonly cuts = new Map<string, { limit: number; at: number }>();

  /** The limit grows by one per `recoveryMs` after a refusal. */
  constructor(private readonly recoveryMs: number) {}

  /** The site's limit now: `max`, or less for a while after a refusal. */
  limit(siteId: string, max: number): number {
    const cut = this.cuts.get(siteId);
    if (!cut) return max;
    const limit = cut.limit + Math.floor((Date.now() - cut.at) / this.recoveryMs);
    if (limit < max) return limit;
    this.cuts.delete(siteId);
    return max;
  }

  /** A login was refused with `open` other sessions of the site open: hold it to those (at least 1). */
  cut(siteId: string, current: number, open: number): number {
    const limit = Math.min(current, Math.max(1, open));
    this.cuts.set(siteId, { limit, at: Date.now() });
    return limit;
  }
}
