/**
 * Protocol traces of pasv's own sessions: SessionSlots whose control lines are timed, to
 * see where a copy's time goes (logins, round trips, the data phase between the servers).
 */
import { SessionSlot } from '../server/src/ftp/copy.js';
import type { FtpSession, LogLine, SessionOptions } from '../server/src/ftp/session.js';

export type TracedLine = LogLine & { session: string; atMs: number };

/** A slot whose every session reports its lines, stamped with performance.now(), to `onLine`. */
export function tracedSlot(options: SessionOptions, name: string, onLine: (line: TracedLine) => void): SessionSlot {
  const slot = new SessionSlot({ ...options, keepaliveMs: 0 });
  const acquire = slot.acquire.bind(slot);
  const seen = new WeakSet<FtpSession>();
  slot.acquire = async () => {
    const session = await acquire();
    if (!seen.has(session)) {
      seen.add(session);
      onLine({ session: name, direction: 'received', line: 'logged in', at: Date.now(), atMs: performance.now() });
      session.on('line', (line) => onLine({ ...line, session: name, atMs: performance.now() }));
    }
    return session;
  };
  return slot;
}

/**
 * Per FXP copy: the data phase runs from the first STOR/RETR sent until both final replies
 * (226) are in; everything else is control round trips and our own work.
 */
export class DataPhaseMeter {
  private started = 0;
  private finals = 0;
  totalMs = 0;
  copies = 0;

  readonly onLine = (line: TracedLine): void => {
    const verb = line.line.split(' ')[0];
    if (line.direction === 'sent' && (verb === 'STOR' || verb === 'RETR')) {
      if (this.started === 0) {
        this.started = line.atMs;
        this.finals = 0;
      }
    } else if (
      line.direction === 'received' &&
      this.started > 0 &&
      /^2\d\d$/.test(verb ?? '') &&
      verb !== '200' &&
      verb !== '213'
    ) {
      if (++this.finals === 2) {
        this.totalMs += line.atMs - this.started;
        this.copies++;
        this.started = 0;
      }
    }
  };
}
