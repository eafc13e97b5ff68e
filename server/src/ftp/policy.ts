/**
 * Replies that are a server's policy, not a fault: the file is a dupe, the disk or the
 * quota is full, the account has too many logins, the transfer was too slow, no transfer
 * slave is free (drftpd). Each asks for a different answer from the queue than a retry with
 * backoff; this module only names them, from the code, the words and the command. Servers
 * word them freely, so the words are matched loosely; a code or text not listed here stays
 * an ordinary failure (null).
 */
import { FtpConnectionError, FtpReplyError, SideError, type Side } from './errors.js';

export type PolicyKind = 'dupe' | 'disk-full' | 'too-many-logins' | 'slow' | 'no-slaves';

export interface PolicyReply {
  kind: PolicyKind;
  code: number;
  text: string;
  /** Which side of a copy answered, when the failure came from one. */
  side?: Side;
}

const DUPE = /x-dupe|\bdupe\b/i;
const NO_SPACE =
  /no space|out of (disk )?space|quota|storage allocation|insufficient (storage|disk|space)|disk (is )?full|not enough (credits|disk|space|storage)|no (more )?credits/i;
const TOO_MANY = /too many|maximum|\bmax\b|simultaneous|connections|logins|users|(site|server) is full/i;
const NO_SLAVES = /no (transfer-)?slave/i;
/** The greeting (`connect`) and the login; '' when the command is unknown (a connection error). */
const LOGIN = new Set(['', 'CONNECT', 'USER', 'PASS']);

/** What kind of policy a reply states, or null for an ordinary one. */
export function classifyReply(code: number, text: string, command: string): PolicyKind | null {
  if ((code === 450 || code === 530) && NO_SLAVES.test(text)) return 'no-slaves';
  if ((code === 553 || code === 550) && DUPE.test(text)) return 'dupe';
  if ((code === 452 || code === 552 || code === 553) && NO_SPACE.test(text)) return 'disk-full';
  if ((code === 421 || code === 530) && isLogin(command) && TOO_MANY.test(text)) return 'too-many-logins';
  if (code === 426 && /slow/i.test(text)) return 'slow';
  return null;
}

/**
 * The policy behind a failure: a reply error, one side's failure in a copy, or a connection
 * the server closed with a reply (421 "too many users" at the greeting).
 */
export function policyOf(error: unknown): PolicyReply | null {
  if (error instanceof SideError) {
    const inner = policyOf(error.cause);
    return inner && { ...inner, side: error.side };
  }
  if (error instanceof FtpReplyError) {
    const kind = classifyReply(error.code, error.text, error.command);
    return kind && { kind, code: error.code, text: error.text };
  }
  if (error instanceof FtpConnectionError) {
    const reply = /^(\d{3})[ -]([\s\S]*)$/.exec(error.message);
    if (!reply) return null;
    const [code, text] = [Number(reply[1]), reply[2]!];
    const kind = classifyReply(code, text, '');
    return kind && { kind, code, text };
  }
  return null;
}

/** "553 X-DUPE: a.bin already exists", one line. */
export function replyWords(reply: PolicyReply): string {
  return `${reply.code} ${reply.text.replace(/\s*\n\s*/g, ' ')}`;
}

function isLogin(command: string): boolean {
  return LOGIN.has(command.split(' ', 1)[0]!.toUpperCase());
}
