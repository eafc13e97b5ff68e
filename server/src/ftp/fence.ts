/**
 * The fence. In a cluster a worker owns a file through a lease, and once the lease is lost it
 * must not change that file's servers any more: another worker owns it now. FTP servers cannot
 * check a lease token, so pasv checks at the last moment it can, where the session writes a
 * command to the control connection (session.ts): every command below is passed to the fence
 * first, and a fence that throws keeps it off the wire. Nothing above the session (ops, FXP,
 * relay, a console line) can send one another way: they all write through it.
 */
import { FenceError } from './errors.js';
import { replyCommand, type PendingCommand } from './pending.js';

/**
 * The commands whose effect on a server no later command undoes: each passes the fence first.
 * pasv itself sends the first seven; the others do the same under another name (RFC 775's XMKD
 * and XRMD, STOU a STOR whose name the server picks), should one ever be sent.
 */
export const GUARDED_VERBS = ['STOR', 'APPE', 'DELE', 'RNFR', 'RNTO', 'RMD', 'MKD', 'XMKD', 'XRMD', 'STOU'] as const;

/**
 * Throws to refuse a guarded command (the verb and its argument); returns to let it go.
 * Synchronous, so that nothing can come between the check and the write.
 */
export type Fence = (command: string, argument: string) => void;

const GUARDED: ReadonlySet<string> = new Set(GUARDED_VERBS);

/**
 * One session's fence, and what it must remember of the lines already written. A refused STOR
 * may follow a REST (a resume), which the server keeps until its next transfer command (vsftpd
 * does, the embedded server too): left there, it would move the start of the next transfer on
 * the session, which is another owner's. So a refusal right after a REST comes with a `REST 0`
 * to write in the refused command's place. An RNFR left by a refused RNTO needs nothing: only an
 * RNTO could use it, and every RNTO pasv sends follows its own RNFR.
 */
export class FenceGate {
  private fence: Fence | null = null;
  private restHeld = false;

  set(fence: Fence | null): void {
    this.fence = fence;
  }

  /** Null when `line` may be written now; else why not. */
  private refusal(line: string): FenceError | null {
    if (!this.fence) return null;
    const body = line.endsWith('\r\n') ? line.slice(0, -2) : line;
    const space = body.indexOf(' ');
    const verb = (space === -1 ? body : body.slice(0, space)).toUpperCase();
    if (!GUARDED.has(verb)) return null;
    const argument = space === -1 ? '' : body.slice(space + 1);
    try {
      this.fence(verb, argument);
      return null;
    } catch (cause) {
      return cause instanceof FenceError ? cause : new FenceError(body, { cause });
    }
  }

  /**
   * Ask the fence about `command`, about to be written: true when refused. It then fails with
   * FenceError, unwritten, and after a REST a `REST 0` is queued by `queue` where it was.
   */
  refuse(command: PendingCommand, queue: (reset: PendingCommand) => void): boolean {
    const refusal = this.refusal(command.line);
    if (!refusal) return false;
    if (this.restHeld) queue(restReset());
    command.onError(refusal);
    return true;
  }

  /** Told of every line the session writes. */
  wrote(line: string): void {
    this.restHeld = /^REST 0*[1-9]/i.test(line);
  }
}

/** Best effort: a server that refuses REST 0 took no STOR either, and that is what matters. */
function restReset(): PendingCommand {
  const { command, reply } = replyCommand('REST 0\r\n');
  reply.catch(() => undefined);
  return command;
}
