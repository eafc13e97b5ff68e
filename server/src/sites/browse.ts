/**
 * Browsing a site: list, make a folder, rename, remove. Each operation runs on the site's
 * shared session as tasks (ftp/task.ts), so any number of panes can browse one site at once
 * beside the progress probes that share the session, and no sequence (CWD…PASV…LIST,
 * RNFR…RNTO) is cut into by another.
 *
 * Why one session per site rather than spreading a burst over pooled ones: a pooled session
 * is a slot of the site's connection limit that copies wait for, and a new one costs a login,
 * which takes longer than the few milliseconds a listing waits behind another on a warm
 * session. Browsing stays outside the limit and responsive while copies hold every slot.
 */
import { FtpConnectionError, FtpReplyError } from '../ftp/errors.js';
import { deleteFile, list, makeDirectory, removeTree, rename, type Listing } from '../ftp/ops.js';
import { parseRawCommand, sendRawCommand, type RawReply } from '../ftp/raw-command.js';
import type { FtpSession } from '../ftp/session.js';
import type { SessionPool } from './pool.js';
import type { SitesService } from './service.js';

export class BrowseService {
  constructor(
    private readonly sites: SitesService,
    private readonly pool: SessionPool,
  ) {}

  list(siteId: string, path: string): Promise<Listing> {
    return this.onSite(siteId, (session) => list(session, path));
  }

  makeDirectory(siteId: string, path: string): Promise<void> {
    return this.onSite(siteId, (session) => makeDirectory(session, path));
  }

  rename(siteId: string, from: string, to: string): Promise<void> {
    return this.onSite(siteId, (session) => rename(session, from, to));
  }

  /** A file, or else (550) a folder with everything below it. */
  remove(siteId: string, path: string): Promise<void> {
    return this.onSite(siteId, async (session) => {
      try {
        await deleteFile(session, path);
      } catch (error) {
        if (!(error instanceof FtpReplyError && error.code === 550)) throw error;
        await removeTree(session, path);
      }
    });
  }

  /**
   * A console line, checked before any session is touched, sent on the shared session. Not
   * retried when the session dies under it: a command typed once may not be idempotent.
   */
  async command(siteId: string, line: string): Promise<RawReply> {
    const command = parseRawCommand(line);
    this.sites.get(siteId);
    return sendRawCommand(await this.pool.shared(siteId).acquire(), command);
  }

  /**
   * Run `work` on the site's shared session. When that session dies under it (the server
   * dropped it while idle, or it was closed for new settings, and every task queued on it
   * failed with that cause) the work gets one try on a fresh session: these operations are
   * idempotent enough (a repeated MKD or RNFR of what was done already answers 550, harmlessly).
   */
  private async onSite<T>(siteId: string, work: (session: FtpSession) => Promise<T>): Promise<T> {
    this.sites.get(siteId); // an unknown site is a 404 before any session is made for it
    const provider = this.pool.shared(siteId);
    const session = await provider.acquire();
    try {
      return await work(session);
    } catch (error) {
      if (!diedUnderUs(session, error)) throw error;
      return work(await provider.acquire());
    }
  }
}

/**
 * The session's own connection ended (a failed data connection is not that), and not by a
 * timeout, a refusal or TLS, which a second try would only repeat.
 */
function diedUnderUs(session: FtpSession, error: unknown): boolean {
  return (
    error instanceof FtpConnectionError &&
    error === session.closedError &&
    (['closed', 'protocol', 'aborted'] as const).some((code) => code === error.code)
  );
}
